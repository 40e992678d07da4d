import type { Context, Middleware } from 'koa';
import { apiEdge, exposing } from '../../http/api-edge.ts';
import { FACE_REASONS } from '../messages.ts';

/**
 * The face API's edge (src/http/api-edge.ts): the details that help the resident retake the photo
 * travel under `details`; nothing else leaves the server.
 */
export function faceErrors(): Middleware {
  return apiEdge({
    reasons: [FACE_REASONS],
    details: exposing(['faceSize', 'minFaceSize', 'faces', 'brightness', 'sharpness', 'maxBytes', 'resembles', 'failure', 'steps', 'seen']),
    detailsAt: 'nested',
    retryAfter: { 429: 5, 503: 30 },
    logMessage: 'face request refused',
  });
}

const IMAGE_TYPES = new Set(['image/jpeg', 'image/png', 'image/webp']);

/**
 * Reads the raw image body, refusing a wrong content type before reading (415) and stopping as
 * soon as the size limit is passed (413; the declared length is checked first). The format is
 * checked again from the bytes when decoding.
 */
export async function readImageBody(ctx: Context, maxBytes: number): Promise<Buffer> {
  const type = (ctx.get('Content-Type').split(';')[0] ?? '').trim().toLowerCase();
  if (!IMAGE_TYPES.has(type)) throw FACE_REASONS.refuse('unsupported_media_type', 'send the photo as the raw body with Content-Type image/jpeg, image/png or image/webp');
  const tooLarge = () => FACE_REASONS.refuse('image_too_large', `the image is larger than ${maxBytes} bytes`, { maxBytes });
  const declared = Number(ctx.get('Content-Length') || NaN);
  if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge();
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of ctx.req as AsyncIterable<Buffer>) {
    total += chunk.length;
    if (total > maxBytes) throw tooLarge();
    chunks.push(chunk);
  }
  if (total === 0) throw FACE_REASONS.refuse('empty_body', 'no image was sent');
  return Buffer.concat(chunks, total);
}

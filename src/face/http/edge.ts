import type { Context, Middleware } from 'koa';
import { InvalidInputError, PassError, type ErrorCode } from '../../core/errors.ts';
import { faceMessage } from '../messages.ts';
import { HTTP_STATUS } from '../../http/errors.ts';

/** Internal and configuration errors go on to the platform's handler (a plain 500). */
const STATUS = (code: ErrorCode): number | undefined => (HTTP_STATUS[code] < 500 || code === 'unavailable' ? HTTP_STATUS[code] : undefined);

/** HTTP has better words for these two than 400. */
const STATUS_BY_REASON: Record<string, number> = { image_too_large: 413, unsupported_media_type: 415 };

/** Details that help the resident retake the photo; nothing else leaves the server. */
const EXPOSED_DETAILS = ['faceSize', 'minFaceSize', 'faces', 'brightness', 'sharpness', 'maxBytes'];

/**
 * The face API's edge: a typed error becomes `{ error, reason, error_description, message: { ja, en } }`.
 * Internal errors go on to the platform's handler (a plain 500, logged there).
 */
export function faceErrors(): Middleware {
  return async (ctx, next) => {
    try {
      await next();
    } catch (error) {
      const status = error instanceof PassError ? (STATUS_BY_REASON[error.reason] ?? STATUS(error.code)) : undefined;
      if (!(error instanceof PassError) || status === undefined) throw error;
      ctx.status = status;
      const details = Object.fromEntries(Object.entries(error.details ?? {}).filter(([k]) => EXPOSED_DETAILS.includes(k)));
      ctx.body = {
        error: error.code,
        reason: error.reason,
        error_description: error.message,
        ...(faceMessage(error.reason) ? { message: faceMessage(error.reason) } : {}),
        ...(Object.keys(details).length ? { details } : {}),
        request_id: ctx.state.requestId,
      };
      if (status === 503) ctx.set('Retry-After', '30');
      if (status === 429) ctx.set('Retry-After', '5');
      // An upload refused part-way is not read to its end: the connection closes after the answer.
      if (status === 413) ctx.set('Connection', 'close');
      ctx.state.log?.info({ reason: error.reason, path: ctx.path }, 'face request refused');
    }
  };
}

const IMAGE_TYPES = new Set(['image/jpeg', 'image/png', 'image/webp']);

/**
 * Reads the raw image body, refusing a wrong content type before reading and stopping as soon as
 * the size limit is passed (the declared length is checked first). The format is checked again
 * from the bytes when decoding.
 */
export async function readImageBody(ctx: Context, maxBytes: number): Promise<Buffer> {
  const type = (ctx.get('Content-Type').split(';')[0] ?? '').trim().toLowerCase();
  if (!IMAGE_TYPES.has(type)) throw new InvalidInputError('unsupported_media_type', 'send the photo as the raw body with Content-Type image/jpeg, image/png or image/webp');
  const tooLarge = () => new InvalidInputError('image_too_large', `the image is larger than ${maxBytes} bytes`, { maxBytes });
  const declared = Number(ctx.get('Content-Length') || NaN);
  if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge();
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of ctx.req as AsyncIterable<Buffer>) {
    total += chunk.length;
    if (total > maxBytes) throw tooLarge();
    chunks.push(chunk);
  }
  if (total === 0) throw new InvalidInputError('empty_body', 'no image was sent');
  return Buffer.concat(chunks, total);
}

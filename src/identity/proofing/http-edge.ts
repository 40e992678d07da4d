import type { Middleware } from 'koa';
import { z } from 'zod';
import { apiRefusals, jsonBody } from '../../http/api-refusals.ts';
import { messageFor } from './messages.ts';
import { ProofingInputError } from './errors.ts';

/** Refusals of the proofing API, with the text the app shows the resident. */
export function proofingErrors(): Middleware {
  return apiRefusals({ message: messageFor, exposedDetails: ['recovery', 'attempts_left'], logMessage: 'identity proofing request refused' });
}

export { jsonBody };

/** Strict base64 (standard alphabet, padded); the length bound is checked before decoding. */
export function base64(maxBytes: number) {
  const maxChars = Math.ceil(maxBytes / 3) * 4;
  return z
    .string()
    .max(maxChars)
    .regex(/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/)
    .transform((value) => new Uint8Array(Buffer.from(value, 'base64')));
}

export const opaqueId = z.string().regex(/^[A-Za-z0-9_-]{16,64}$/);

/** Validates the JSON body; a request that fails changes nothing (not even the challenge). */
export function parseBody<T extends z.ZodType>(schema: T, body: unknown): z.output<T> {
  const parsed = schema.safeParse(body ?? {});
  if (!parsed.success) {
    const fields = parsed.error.issues.map((i) => i.path.join('.') || 'body').join(', ');
    throw new ProofingInputError('invalid_request', `invalid or missing fields: ${fields}`);
  }
  return parsed.data;
}

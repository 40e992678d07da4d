import type { Middleware } from 'koa';
import { koaBody } from 'koa-body';
import { z } from 'zod';
import { PassError } from '../../core/errors.ts';
import { HTTP_STATUS as STATUS } from '../../http/errors.ts';
import { messageFor } from './messages.ts';
import { ProofingInputError } from './errors.ts';

/** Details that are safe and useful to the app; nothing else leaves the server. */
const EXPOSED_DETAILS = ['recovery', 'attempts_left'];

/**
 * The proofing API's edge: a typed error becomes `{ error, reason, error_description, message:
 * { ja, en } }`, the message being what the app shows the resident. Other errors go on to the
 * platform's handler (a plain 500).
 */
export function proofingErrors(): Middleware {
  return async (ctx, next) => {
    try {
      await next();
    } catch (error) {
      if (!(error instanceof PassError) || (STATUS[error.code] >= 500 && error.code !== 'unavailable')) throw error;
      ctx.status = STATUS[error.code];
      const details = Object.fromEntries(Object.entries(error.details ?? {}).filter(([k]) => EXPOSED_DETAILS.includes(k)));
      ctx.body = {
        error: error.code,
        reason: error.reason,
        error_description: error.message,
        message: messageFor(error.reason),
        ...details,
        request_id: ctx.state.requestId,
      };
      if (error.code === 'unavailable') ctx.set('Retry-After', '30');
      ctx.state.log?.info({ reason: error.reason, path: ctx.path }, 'identity proofing request refused');
    }
  };
}

export const jsonBody = koaBody({ json: true, urlencoded: false, multipart: false, text: false, jsonLimit: '64kb', jsonStrict: true });

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

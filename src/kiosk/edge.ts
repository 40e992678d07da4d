/**
 * The kiosk API's edge: typed errors become `{ error, reason, error_description, message: { ja, en } }`
 * (the kiosk shows `message`), request bodies are read with limits and validated with zod.
 */
import type { Context, Middleware } from 'koa';
import { koaBody } from 'koa-body';
import type { z } from 'zod';
import { InvalidInputError, PassError } from '../core/errors.ts';
import { HTTP_STATUS } from '../http/errors.ts';
import { checkinMessage } from '../checkins/messages.ts';
import { BODY_MESSAGES, bodyRefusalOf, jsonOnly, type BodyReason } from '../http/body-errors.ts';

const STATUS_BY_REASON: Record<string, number> = { image_too_large: 413, unsupported_media_type: 415, body_too_large: 413, unsupported_encoding: 415, not_json: 415 };

export function kioskErrors(): Middleware {
  return async (ctx, next) => {
    try {
      await next();
    } catch (thrown) {
      // A body that cannot be read gets the kiosk's refusal shape too (src/http/body-errors.ts).
      const error = bodyRefusalOf(thrown) ?? thrown;
      if (!(error instanceof PassError) || (HTTP_STATUS[error.code] >= 500 && error.code !== 'unavailable')) throw error;
      const status = STATUS_BY_REASON[error.reason] ?? HTTP_STATUS[error.code];
      ctx.status = status;
      // Every refusal carries words for the kiosk: its reason's own, or those of an invalid request.
      const message = checkinMessage(error.reason) ?? BODY_MESSAGES[error.reason as BodyReason] ?? (error.code === 'invalid_input' ? checkinMessage('invalid_request') : undefined);
      ctx.body = {
        error: error.code,
        reason: error.reason,
        error_description: error.message,
        ...(message ? { message } : {}),
        ...(error.details && error.reason === 'facility_choice_required' ? { details: error.details } : {}),
        request_id: ctx.state.requestId,
      };
      ctx.set('Cache-Control', 'no-store');
      if (status === 503 || status === 429) ctx.set('Retry-After', '2');
      if (status === 413) ctx.set('Connection', 'close');
    }
  };
}

export const jsonBody = jsonOnly(koaBody({ json: true, urlencoded: false, multipart: false, text: false, jsonLimit: '64kb' }) as unknown as Middleware);

export function parse<T extends z.ZodType>(schema: T, value: unknown): z.output<T> {
  const result = schema.safeParse(value);
  if (!result.success) {
    throw new InvalidInputError('invalid_request', result.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '));
  }
  return result.data;
}

export function noStore(ctx: Context, body: unknown, status = 200): void {
  ctx.set('Cache-Control', 'no-store');
  ctx.status = status;
  ctx.body = body;
}

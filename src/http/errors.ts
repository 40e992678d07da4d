import type { Middleware } from 'koa';
import { CODE_STATUS, PassError } from '../core/errors.ts';
import { isOutage } from '../db/outage.ts';
import { answerOutage, OUTAGE_RETRY_AFTER_SECONDS } from './outage.ts';
import { bodyRefusalOf } from './request-body.ts';

/** The HTTP status of each class of domain error (src/core/errors.ts); a reason may say better. */
export const HTTP_STATUS = CODE_STATUS;

/**
 * Maps domain errors to JSON error bodies at the edge. Unknown errors become a plain 500 with the
 * request id: never a stack trace or an internal message in a response. PostgreSQL or Redis being
 * away is not a bug: 503 with Retry-After, so callers come back (src/db/outage.ts).
 */
export function errorHandler(): Middleware {
  return async (ctx, next) => {
    try {
      await next();
      if (ctx.state.outage && ctx.status >= 500) await answerOutage(ctx, 'oauth');
      // Every 503, whoever answered it (oidc-provider included), says when to come back.
      if (ctx.status === 503 && !ctx.response.get('Retry-After')) ctx.set('Retry-After', String(OUTAGE_RETRY_AFTER_SECONDS));
    } catch (thrown) {
      // A body that cannot be read is the client's mistake, never a 500 (src/http/request-body.ts).
      const error = bodyRefusalOf(thrown) ?? thrown;
      if (isOutage(error)) {
        ctx.state.log?.warn({ err: error, path: ctx.path }, 'backing service unavailable');
        await answerOutage(ctx, 'api');
        return;
      }
      const known = error instanceof PassError;
      const status = known ? error.status : ((error as { status?: number }).status ?? 500);
      ctx.status = status;
      if (!known || status >= 500) ctx.state.log?.error({ err: error }, 'request failed');
      const expose = known || (status < 500 && (error as { expose?: boolean }).expose);
      ctx.body = {
        error: known ? error.code : status < 500 ? 'invalid_request' : 'server_error',
        ...(known ? { reason: error.reason } : {}),
        error_description: expose ? (error as Error).message : 'an internal error occurred',
        request_id: ctx.state.requestId,
      };
      if (status === 503) ctx.set('Retry-After', String(OUTAGE_RETRY_AFTER_SECONDS));
    }
  };
}

import type { Middleware } from 'koa';
import { PassError, type ErrorCode } from '../core/errors.ts';

/** The one mapping of domain error codes to HTTP statuses, for every edge of PASS. */
export const HTTP_STATUS: Record<ErrorCode, number> = {
  invalid_input: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  rate_limited: 429,
  internal: 500,
  configuration: 500,
  unavailable: 503,
};

/**
 * Maps domain errors to JSON error bodies at the edge. Unknown errors become a plain 500 with the
 * request id: never a stack trace or an internal message in a response.
 */
export function errorHandler(): Middleware {
  return async (ctx, next) => {
    try {
      await next();
    } catch (error) {
      const known = error instanceof PassError;
      const status = known ? HTTP_STATUS[error.code] : ((error as { status?: number }).status ?? 500);
      ctx.status = status;
      if (!known || status >= 500) ctx.state.log?.error({ err: error }, 'request failed');
      const expose = known || (status < 500 && (error as { expose?: boolean }).expose);
      ctx.body = {
        error: known ? error.code : status < 500 ? 'invalid_request' : 'server_error',
        ...(known ? { reason: error.reason } : {}),
        error_description: expose ? (error as Error).message : 'an internal error occurred',
        request_id: ctx.state.requestId,
      };
      if (status === 503) ctx.set('Retry-After', '5');
    }
  };
}

/**
 * The edge of every JSON API of PASS (/api/…): the one mapping of a refusal to its answer. A typed
 * refusal becomes
 *   { error, reason, error_description, message: { ja, en }, …details, request_id }
 * with the status its reason was registered with (src/core/reasons.ts), `Retry-After` on 429 and
 * 503, `Cache-Control: no-store`, and `Connection: close` on 413 (an upload refused part-way is
 * not read to its end). A body that cannot be read (src/http/request-body.ts) is a refusal like
 * any other. Internal errors go on to the platform's handler (a plain 500, logged there), and so
 * does an outage of PostgreSQL or Redis (503 from src/http/errors.ts).
 */
import type { Context, Middleware } from 'koa';
import { PassError, type ErrorCode } from '../core/errors.ts';
import { textOf, type ReasonCatalogue, type ReasonText } from '../core/reasons.ts';
import { BODY_REASONS, bodyRefusalOf } from './request-body.ts';

export interface ApiEdgeOptions {
  /** Where a refusal's words come from, first match first; the body reasons are searched last. */
  reasons: readonly ReasonCatalogue[];
  /** Words for a refusal none of the catalogues has; by default a plain sentence for its class. */
  fallback?: (error: PassError) => ReasonText | undefined;
  /** The details that are safe and useful to the client (see exposing()); nothing else leaves the server. */
  details?: (error: PassError) => Record<string, unknown> | undefined;
  /** Where exposed details go: beside `error` (the default), or under `details` (the face and kiosk APIs). */
  detailsAt?: 'top' | 'nested';
  /** Seconds to wait before trying again, by status, unless the handler already said. */
  retryAfter?: { 429?: number; 503?: number };
  /** What the log line calls a refusal of this API; unset, refusals are not logged (the kiosk's are routine). */
  logMessage?: string;
}

/** The words for a refusal of a class no catalogue words better. */
const BY_CODE: Partial<Record<ErrorCode, ReasonText>> = {
  invalid_input: { ja: '送信内容が正しくありません。', en: 'The request is not valid.' },
  unauthorized: { ja: 'もう一度ログインしてください。', en: 'Please sign in again.' },
  forbidden: { ja: 'この操作の権限がありません。', en: 'You are not allowed to do this.' },
  not_found: { ja: '見つかりません。', en: 'Not found.' },
  conflict: { ja: '現在の状態ではこの操作はできません。', en: 'This cannot be done in the current state.' },
  rate_limited: { ja: '操作の回数が多すぎます。しばらくしてからお試しください。', en: 'Too many attempts. Please try again later.' },
  unavailable: { ja: '現在ご利用いただけません。しばらくしてからもう一度お試しください。', en: 'Not available at the moment. Please try again shortly.' },
};

export function textForCode(error: PassError): ReasonText | undefined {
  return BY_CODE[error.code];
}

/** The details of a refusal under these keys only. */
export function exposing(keys: readonly string[]): (error: PassError) => Record<string, unknown> {
  return (error) => Object.fromEntries(Object.entries(error.details ?? {}).filter(([key]) => keys.includes(key)));
}

/** The refusal a thrown error stands for at an API edge, or undefined when it is not one (internal errors, outages). */
export function refusalOf(thrown: unknown): PassError | undefined {
  const error = bodyRefusalOf(thrown) ?? thrown;
  if (!(error instanceof PassError)) return undefined;
  if (error.status >= 500 && error.code !== 'unavailable') return undefined;
  return error;
}

/** Writes the answer for a refusal (see the top of this file). */
export function answerRefusal(ctx: Context, error: PassError, options: ApiEdgeOptions): void {
  const catalogues = [...options.reasons, BODY_REASONS];
  const message = textOf(error.reason, catalogues) ?? (options.fallback ?? textForCode)(error);
  const exposed = options.details?.(error) ?? {};
  const details = options.detailsAt === 'nested' ? (Object.keys(exposed).length ? { details: exposed } : {}) : exposed;
  ctx.status = error.status;
  ctx.body = {
    error: error.code,
    reason: error.reason,
    error_description: error.message,
    ...(message ? { message } : {}),
    ...details,
    request_id: ctx.state.requestId,
  };
  ctx.set('Cache-Control', 'no-store');
  const retryAfter = error.status === 429 || error.status === 503 ? options.retryAfter?.[error.status] : undefined;
  if (retryAfter !== undefined && !ctx.response.get('Retry-After')) ctx.set('Retry-After', String(retryAfter));
  if (error.status === 413) ctx.set('Connection', 'close');
  if (options.logMessage) ctx.state.log?.info({ reason: error.reason, path: ctx.path }, options.logMessage);
}

/** The edge middleware of one API: put it first on the API's router (before its token guard). */
export function apiEdge(options: ApiEdgeOptions): Middleware {
  return async (ctx, next) => {
    try {
      await next();
    } catch (thrown) {
      const refusal = refusalOf(thrown);
      if (!refusal) throw thrown;
      answerRefusal(ctx, refusal, options);
    }
  };
}

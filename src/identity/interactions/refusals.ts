import type { Context } from 'koa';
import { PassError } from '../../core/errors.ts';
import { translator, type Lang } from '../../http/i18n.ts';
import { AccountLockedError } from '../identity-errors.ts';
import { RateLimitedError } from '../../ratelimit/rate-limits.ts';
import { MESSAGES } from './messages.ts';

const STATUS: Partial<Record<PassError['code'], number>> = {
  invalid_input: 400,
  conflict: 409,
  unauthorized: 401,
  forbidden: 403,
  rate_limited: 429,
  unavailable: 503,
};

export interface Refusal {
  status: number;
  message: string;
}

/**
 * Turns a refusal from an identity service into the status and the sentence a page shows, in
 * the page's language. Anything else (a bug, a database outage) is not a refusal: it goes on to
 * the error handler.
 */
export function describeRefusal(error: unknown, lang: Lang): Refusal | undefined {
  if (!(error instanceof PassError)) return undefined;
  const status = STATUS[error.code];
  if (!status) return undefined;
  const t = translator(MESSAGES, lang);
  if (error.code === 'unavailable') return { status, message: t('error.unavailable') };
  let n: number | undefined;
  if (error instanceof RateLimitedError) n = error.reason === 'resend_wait' ? error.retryAfterSeconds : Math.ceil(error.retryAfterSeconds / 60);
  else if (error instanceof AccountLockedError) n = Math.ceil(error.retryAfterSeconds / 60);
  else if (typeof error.details?.attemptsLeft === 'number') n = error.details.attemptsLeft;
  const key = `reason.${error.reason}`;
  const message = key in MESSAGES ? t(key) : t('error.generic');
  return { status, message: message.replace('{n}', String(n ?? '')) };
}

/** Sets the status (and Retry-After) for a refusal; returns the message to show. */
export function applyRefusal(ctx: Context, error: unknown, lang: Lang): string {
  const refusal = describeRefusal(error, lang);
  if (!refusal) throw error;
  ctx.status = refusal.status;
  if (error instanceof RateLimitedError) ctx.set('Retry-After', String(error.retryAfterSeconds));
  if (error instanceof AccountLockedError) ctx.set('Retry-After', String(error.retryAfterSeconds));
  return refusal.message;
}

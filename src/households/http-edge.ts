/**
 * The edge of the household and registration APIs: typed refusals become
 * `{ error, reason, error_description, message: { ja, en } }` (like the proofing and face APIs);
 * inputs are validated before anything runs (src/http/validate.ts), so bad input changes nothing.
 */
import type { Context, Middleware } from 'koa';
import { z } from 'zod';
import { apiEdge, exposing } from '../http/api-edge.ts';
import { PROOFING_REASONS, proofingFallback } from '../identity/proofing/messages.ts';
import { FACE_REASONS } from '../face/messages.ts';
import { FAMILY_REASONS, FamilyError } from './errors.ts';

export { jsonBody } from '../http/request-body.ts';
export { validate } from '../http/validate.ts';
export { base64, opaqueId } from '../http/fields.ts';

/** Refusals of the household and registration APIs (src/http/api-edge.ts); words from whichever capability owns the reason. */
export function familyErrors(): Middleware {
  return apiEdge({
    reasons: [FAMILY_REASONS, FACE_REASONS, PROOFING_REASONS],
    fallback: proofingFallback,
    details: exposing(['attempts_left', 'required', 'fields', 'resembles']),
    retryAfter: { 503: 30 },
    logMessage: 'household or registration request refused',
  });
}

export const uuid = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i);

/** The account the token acts for; client-only tokens cannot manage a household. */
export function accountOf(ctx: Context): { accountId: string; clientId: string } {
  const principal = ctx.state.principal;
  if (!principal?.accountId) throw new FamilyError('account_required');
  return { accountId: principal.accountId, clientId: principal.clientId };
}

export function noStore(ctx: Context, body: unknown, status = 200): void {
  ctx.set('Cache-Control', 'no-store');
  ctx.status = status;
  ctx.body = body;
}

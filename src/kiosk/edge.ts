/**
 * The kiosk API's edge (src/http/api-edge.ts): refusals carry the kiosk's words from the check-in
 * reasons (the kiosk shows `message`), a kiosk waits 2 seconds before trying again, and only the
 * facilities to choose from travel as details. Inputs are validated with zod before anything runs.
 */
import type { Context, Middleware } from 'koa';
import { InvalidInputError } from '../core/errors.ts';
import { CHECKIN_REASONS } from '../checkins/messages.ts';
import { KIOSK_READER_REASONS } from './card-reader-pairing.ts';
import { apiEdge, textForCode } from '../http/api-edge.ts';
import { describeIssues, validation } from '../http/validate.ts';

export { jsonBody } from '../http/request-body.ts';

export function kioskErrors(): Middleware {
  return apiEdge({
    reasons: [CHECKIN_REASONS, KIOSK_READER_REASONS],
    // Every refusal carries words for the kiosk: its reason's own, or those of an invalid request.
    fallback: (error) => (error.code === 'invalid_input' ? CHECKIN_REASONS.text('invalid_request') : textForCode(error)),
    // The facilities the approver may choose from, and the tries left for a connection code; nothing else.
    details: (error) => (error.reason === 'facility_choice_required' || error.reason === 'reader_code_wrong' ? error.details : undefined),
    detailsAt: 'nested',
    retryAfter: { 429: 2, 503: 2 },
  });
}

/** The kiosk's refusal of invalid input says what zod found, field by field. */
export const { validate } = validation((issues) => new InvalidInputError('invalid_request', describeIssues(issues)));

export function noStore(ctx: Context, body: unknown, status = 200): void {
  ctx.set('Cache-Control', 'no-store');
  ctx.status = status;
  ctx.body = body;
}

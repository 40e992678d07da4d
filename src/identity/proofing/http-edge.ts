/**
 * The proofing API's edge (src/http/api-edge.ts): refusals carry the text the app shows the
 * resident, and what helps them recover.
 */
import type { Middleware } from 'koa';
import { apiEdge, exposing } from '../../http/api-edge.ts';
import { PROOFING_REASONS, proofingFallback } from './messages.ts';

export { jsonBody } from '../../http/request-body.ts';
export { validate } from '../../http/validate.ts';
export { base64, opaqueId } from '../../http/fields.ts';

export function proofingErrors(): Middleware {
  return apiEdge({
    reasons: [PROOFING_REASONS],
    fallback: proofingFallback,
    details: exposing(['recovery', 'attempts_left']),
    retryAfter: { 503: 30 },
    logMessage: 'identity proofing request refused',
  });
}

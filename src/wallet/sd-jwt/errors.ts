/**
 * The one error the SD-JWT core throws: a refusal with a reason from its catalogue. Callers switch
 * on `reason`; the description is for logs and never carries a disclosed value, a salt or a key.
 */
import { PassError } from '../../core/errors.ts';
import { PRESENTATION_REASONS, type PresentationReason } from './reasons.ts';

export class PresentationError extends PassError {
  declare readonly reason: PresentationReason;

  constructor(reason: PresentationReason, description?: string, details?: Record<string, unknown>) {
    super(PRESENTATION_REASONS.code(reason), reason, description ?? PRESENTATION_REASONS.entry(reason).en, details, PRESENTATION_REASONS.status(reason));
  }
}

export function refuse(reason: PresentationReason, description?: string, details?: Record<string, unknown>): PresentationError {
  return new PresentationError(reason, description, details);
}

export function isPresentationError(error: unknown, reason?: PresentationReason): error is PresentationError {
  return error instanceof PresentationError && (reason === undefined || error.reason === reason);
}

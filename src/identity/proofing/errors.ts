import { ConflictError, ForbiddenError, InvalidInputError } from '../../core/errors.ts';

/**
 * Reasons of the proofing flow itself (the certificate checks have their own, JpkiReason). The
 * edge (routes.ts) adds the Japanese and English texts from messages.ts.
 */
export type ProofingInputReason = 'invalid_request' | 'challenge_invalid' | 'verification_expired';
export type ProofingForbiddenReason = 'challenge_mismatch' | 'identity_mismatch' | 'no_account';
export type ProofingConflictReason = 'already_registered';

export class ProofingInputError extends InvalidInputError {
  declare readonly reason: ProofingInputReason;
  constructor(reason: ProofingInputReason, message: string, details?: Record<string, unknown>) {
    super(reason, message, details);
  }
}

export class ProofingForbiddenError extends ForbiddenError {
  declare readonly reason: ProofingForbiddenReason;
  constructor(reason: ProofingForbiddenReason, message: string) {
    super(reason, message);
  }
}

export class ProofingConflictError extends ConflictError {
  declare readonly reason: ProofingConflictReason;
  constructor(reason: ProofingConflictReason, message: string, details?: Record<string, unknown>) {
    super(reason, message, details);
  }
}

/** The person is already bound to another PASS ID: say how to get back in, never which account. */
export function alreadyRegistered(): ProofingConflictError {
  return new ProofingConflictError(
    'already_registered',
    'this person already has a PASS ID: sign in to that account, or reset its password, instead of creating another',
    { recovery: 'sign_in_or_reset_password' },
  );
}

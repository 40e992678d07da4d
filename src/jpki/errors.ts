import { ForbiddenError, InvalidInputError, UnavailableError } from '../core/errors.ts';

/**
 * Machine reasons for refusing a JPKI proof. The edge localises by reason, so every refusal a
 * resident can hit has its own code; messages stay in English and never carry personal data.
 */
export type JpkiInputReason =
  | 'input_too_large'
  | 'invalid_challenge'
  | 'malformed_signature'
  | 'malformed_certificate'
  | 'missing_basic_four'
  | 'duplicate_basic_four'
  | 'invalid_basic_four';

export type JpkiForbiddenReason =
  | 'signature_invalid'
  | 'untrusted_chain'
  | 'certificate_expired'
  | 'certificate_not_yet_valid'
  | 'wrong_key_usage'
  | 'policy_not_allowed'
  | 'test_policy_refused'
  | 'certificate_revoked'
  | 'not_signature_certificate'
  | 'not_authentication_certificate'
  | 'leaf_is_ca'
  | 'weak_key'
  | 'unsupported_key'
  | 'unsupported_algorithm'
  | 'unsupported_critical_extension';

export type JpkiUnavailableReason = 'revocation_unavailable';

export type JpkiReason = JpkiInputReason | JpkiForbiddenReason | JpkiUnavailableReason;

export class JpkiInputError extends InvalidInputError {
  declare readonly reason: JpkiInputReason;
  constructor(reason: JpkiInputReason, message: string, details?: Record<string, unknown>) {
    super(reason, message, details);
  }
}

export class JpkiForbiddenError extends ForbiddenError {
  declare readonly reason: JpkiForbiddenReason;
  constructor(reason: JpkiForbiddenReason, message: string) {
    super(reason, message);
  }
}

export class JpkiUnavailableError extends UnavailableError {
  declare readonly reason: JpkiUnavailableReason;
  constructor(reason: JpkiUnavailableReason, message: string) {
    super(reason, message);
  }
}

export function malformed(message: string): JpkiInputError {
  return new JpkiInputError('malformed_certificate', message);
}

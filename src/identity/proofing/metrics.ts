/**
 * Identity proofing's series: the outcome of each step a resident takes with the My Number Card
 * (verify: the card's signature and certificate; confirm: the facts bound to the account's person),
 * verified or refused with the class of the refusal. Declared by the proofing capability from the
 * platform's metrics and handed to the proofing service.
 */
import { PassError } from '../../core/errors.ts';
import { outcomeCounter, type Metrics } from '../../core/metrics.ts';

export type ProofingStep = 'verify' | 'confirm';

export interface ProofingMetrics {
  /** A step ended: verified (no error) or refused with this error. */
  outcome(step: ProofingStep, error?: unknown): void;
}

export const NO_PROOFING_METRICS: ProofingMetrics = { outcome() {} };

const CLASS_OF_REASON: Record<string, string> = {
  challenge_invalid: 'challenge',
  challenge_mismatch: 'challenge',
  verification_expired: 'challenge',
  invalid_challenge: 'challenge',
  no_account: 'no_account',
  certificate_revoked: 'certificate_revoked',
  revocation_unavailable: 'revocation_unavailable',
  already_registered: 'identity_conflict',
  identity_mismatch: 'identity_conflict',
};

/**
 * A refusal's class, from a fixed set: the named ones above; otherwise a refused certificate
 * (chain, validity, key usage, policy: `certificate_refused`), unreadable card data (`invalid_input`),
 * a backing service away (`unavailable`), or `error`.
 */
export function proofingRefusalClass(error: unknown): string {
  if (!(error instanceof PassError)) return 'error';
  const named = CLASS_OF_REASON[error.reason];
  if (named) return named;
  if (error.code === 'forbidden') return 'certificate_refused';
  if (error.code === 'invalid_input') return 'invalid_input';
  if (error.code === 'unavailable') return 'unavailable';
  return 'error';
}

export function proofingMetrics(metrics: Metrics): ProofingMetrics {
  const record = outcomeCounter(metrics, {
    name: 'pass_identity_proofing_total',
    help: 'Identity proofing steps with the My Number Card, by step (verify, confirm), result (verified, refused) and the class of a refusal (none when verified)',
    kindLabel: 'step',
    kinds: ['verify', 'confirm'] satisfies ProofingStep[],
    results: { done: 'verified', refused: 'refused' },
  });
  return {
    outcome(step, error) {
      record(step, error === undefined ? undefined : proofingRefusalClass(error));
    },
  };
}

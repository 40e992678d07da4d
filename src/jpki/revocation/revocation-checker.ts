/**
 * Revocation behind one interface, so the CRL checker here and a later J-LIS OCSP client are
 * interchangeable. Implementations fail closed: when status cannot be established they throw
 * `revocation_unavailable` rather than answer 'good'.
 */
import type { JpkiCertificate } from '../certificate.ts';

export type RevocationReason =
  | 'unspecified'
  | 'keyCompromise'
  | 'cACompromise'
  | 'affiliationChanged'
  | 'superseded'
  | 'cessationOfOperation'
  | 'certificateHold'
  | 'removeFromCRL'
  | 'privilegeWithdrawn'
  | 'aACompromise';

export const REVOCATION_REASONS: readonly (RevocationReason | undefined)[] = [
  'unspecified',
  'keyCompromise',
  'cACompromise',
  'affiliationChanged',
  'superseded',
  'cessationOfOperation',
  'certificateHold',
  undefined,
  'removeFromCRL',
  'privilegeWithdrawn',
  'aACompromise',
];

export interface RevocationStatus {
  status: 'good' | 'revoked';
  method: 'crl' | 'ocsp';
  /** When this answer was established (the verifier's clock). */
  checkedAt: Date;
  /** Where the answer came from: CRL file path or URL, OCSP responder URL. */
  source: string;
  /** The revocation data's own issue time (CRL thisUpdate, OCSP producedAt). */
  thisUpdate?: Date;
  nextUpdate?: Date;
  revokedAt?: Date;
  /** `affiliationChanged` means the basic four changed (moved, married…), JPKI.md §5. */
  reason?: RevocationReason;
}

export interface RevocationChecker {
  /** `issuer` is the certificate whose key signed `cert` (for JPKI, the root). */
  check(cert: JpkiCertificate, issuer: JpkiCertificate): Promise<RevocationStatus>;
}

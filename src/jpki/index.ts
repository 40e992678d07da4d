/** Public API of the JPKI verification library; the platform imports from here only. */
export { createJpkiVerifier } from './verify.ts';
export type {
  AuthenticationVerification,
  JpkiVerification,
  JpkiVerifier,
  JpkiVerifierConfig,
  ProofInput,
  SignatureVerification,
} from './verify.ts';
export {
  assertProductionTrustAnchors,
  loadTrustAnchors,
  parseTrustAnchors,
  PRODUCTION_ROOT_SHA256,
} from './trust-anchors.ts';
export type { AnchorEnvironment, AnchorInput, TrustAnchor, TrustAnchorOptions } from './trust-anchors.ts';
export type { RevocationChecker, RevocationReason, RevocationStatus } from './revocation/revocation-checker.ts';
export { CachingCrlProvider } from './revocation/crl-provider.ts';
export type { CachingCrlProviderOptions, CrlProvider, CrlSource, CrlSourceStatus, LoadedCrl } from './revocation/crl-provider.ts';
export { CrlRevocationChecker } from './revocation/crl-revocation-checker.ts';
export type { CrlRevocationCheckerOptions } from './revocation/crl-revocation-checker.ts';
export { createChallenge, parseChallenge, CHALLENGE_PREFIX } from './challenge-format.ts';
export type { ChallengeFields, ChallengePurpose } from './challenge-format.ts';
export { digestInfoForChallenge } from './challenge-signature.ts';
export { basicFourToClaims, extractBasicFour, genderFromSexCode, splitName } from './basic-four.ts';
export type { BasicFour, BasicFourClaims, SubstitutionFlags } from './basic-four.ts';
export { basicFourHash, normalisedBasicFour } from './basic-four-hash.ts';
export { parseEraDate, toEraCoded } from './era-date.ts';
export { buildVerifiedClaims, toEvidenceRecord } from './verified-claims.ts';
export type { JpkiEvidenceRecord, VerifiedClaims, VerifiedClaimsOptions } from './verified-claims.ts';
export { JpkiForbiddenError, JpkiInputError, JpkiUnavailableError } from './errors.ts';
export type { JpkiReason } from './errors.ts';
export { JPKI_POLICY } from './oids.ts';
export type { CertificateType } from './oids.ts';

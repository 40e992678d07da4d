/** Identity proofing with the My Number Card (issue #4): what the rest of PASS imports. */
export { jpkiProofingCapability, DEV_CRL_CHANNEL } from './capability.ts';
export type { ProofingRuntime } from './capability.ts';
export { createIdentityClaimsSource } from './claims-source.ts';
export type { ClaimsRequest, IdentityClaimsSource, PersonVerifiedClaims } from './claims-source.ts';
export { IDA_CLAIMS_CONFIG, idaDiscoveryMetadata, idaIdentifiers, VERIFIED_CLAIM_NAMES } from './ida.ts';
export { seedJpkiDemo, DEMO_PROOFED_ACCOUNT } from './seed.ts';
export type { JpkiSeedReport } from './seed.ts';
export { ProofingService, personHashKey } from './proofing-service.ts';
export { PROOFING_MESSAGES, messageFor } from './messages.ts';
export { DevCardStore } from './dev-cards.ts';
export { loadConfiguredAnchors } from './pki.ts';

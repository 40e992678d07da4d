/**
 * The SD-JWT core (SD-JWT, SD-JWT VC, key binding, Token Status List) shared by the PASS app's
 * wallet page, the kiosk page and Node. It uses WebCrypto, TextEncoder and DecompressionStream
 * only and imports nothing outside this folder but src/core/errors.ts and src/core/reasons.ts, so
 * a page can load it stripped of its types (docs/wallet.md, "SD-JWT core").
 */
export { PRESENTATION_REASONS } from './reasons.ts';
export type { PresentationReason } from './reasons.ts';
export { PresentationError, isPresentationError } from './errors.ts';
export { SD_JWT_LIMITS } from './limits.ts';
export { decodeBase64url, encodeBase64url } from './base64url.ts';
export { parseCompactJws } from './compact-jws.ts';
export type { CompactJws } from './compact-jws.ts';
export { splitSdJwt } from './split.ts';
export type { SplitSdJwt } from './split.ts';
export { decodeDisclosure, sha256Base64url } from './disclosures.ts';
export type { Disclosure } from './disclosures.ts';
export { reconstructClaims } from './reconstruct.ts';
export type { ClaimPath, DisclosedClaim, Reconstructed } from './reconstruct.ts';
export { SD_JWT_VC_TYP } from './credential-parts.ts';
export { jwkThumbprint } from './es256.ts';
export type { PublicJwk } from './es256.ts';
export { decodeStatusList, statusAt, STATUS_LIST_TYP } from './status-list.ts';
export type { DecodedStatusList } from './status-list.ts';
export { describeCredential, presentCredential } from './holder.ts';
export type { ClaimView, CredentialDescription, PresentOptions } from './holder.ts';
export { KB_JWT_TYP, verifyPresentation } from './verifier.ts';
export type { IssuerMetadata, PresentationPolicy, StatusListEntry, VerifiedPresentation } from './verifier.ts';

/**
 * OpenID Connect for Identity Assurance 1.0 for JPKI-proofed residents (JPKI.md §7): the
 * trust-framework and signature-type identifiers (PASS-domain URIs under the issuer, as the spec
 * asks for identifiers outside the registry), the discovery metadata, and the request filtering
 * that oidc-provider leaves to us (it filters only top-level claims, §8).
 */
import { buildVerifiedClaims } from '../../jpki/index.ts';
import type { BasicFourClaims, JpkiEvidenceRecord, VerifiedClaims } from '../../jpki/index.ts';
import { digitalAgencyEvidence, digitalAgencyTrustFramework, DIGITAL_AGENCY_METHOD } from './digital-agency/evidence.ts';

export const VERIFIED_CLAIM_NAMES = ['name', 'family_name', 'given_name', 'birthdate', 'gender', 'address'] as const;
export type VerifiedClaimName = (typeof VERIFIED_CLAIM_NAMES)[number];

/** Which of the verified claims each standard scope covers (OIDC Core §5.4). */
export const SCOPE_CLAIMS: Readonly<Record<string, readonly VerifiedClaimName[]>> = {
  profile: ['name', 'family_name', 'given_name', 'birthdate', 'gender'],
  address: ['address'],
};

export interface IdaIdentifiers {
  trustFramework: string;
  signatureType: string;
  /** Proofs through the Digital Agency's app (digital-agency/evidence.ts). */
  digitalAgencyTrustFramework: string;
}

export function idaIdentifiers(issuer: string): IdaIdentifiers {
  return {
    trustFramework: `${issuer}/ida/trust_framework/jpki_sign`,
    signatureType: `${issuer}/ida/signature_type/jpki_sign_rsa2048_sha256`,
    digitalAgencyTrustFramework: digitalAgencyTrustFramework(issuer),
  };
}

/** `verified_claims` of a proof through the Digital Agency's app: `electronic_record` evidence. */
export interface RecordVerifiedClaims {
  verification: { trust_framework: string; time: string; verification_process?: string; evidence: Record<string, unknown>[] };
  claims: Partial<BasicFourClaims>;
}

/** oidc-provider `claims` entries: `verified_claims` is a claim of its own, outside every scope. */
export const IDA_CLAIMS_CONFIG: Readonly<Record<string, null>> = { verified_claims: null };

/** Extra discovery metadata (OIDC4IDA §8). `verified_claims_supported` is kept for pre-final RPs. */
export function idaDiscoveryMetadata(issuer: string): Record<string, unknown> {
  return {
    verified_claims_supported: true,
    trust_frameworks_supported: [idaIdentifiers(issuer).trustFramework, idaIdentifiers(issuer).digitalAgencyTrustFramework],
    evidence_supported: ['electronic_signature', 'electronic_record'],
    electronic_records_supported: ['population_register'],
    claims_in_verified_claims_supported: [...VERIFIED_CLAIM_NAMES],
  };
}

export interface StoredVerification {
  verificationId: string;
  /** How it was proven; the card's signature certificate when not said. */
  method?: string;
  evidence: JpkiEvidenceRecord;
  claims: BasicFourClaims;
  verifiedAt: Date;
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `{ value }` / `{ values }` constraint of a claims-parameter element; undefined when none. */
function constraintMatches(element: unknown, actual: string): boolean {
  if (!isObject(element)) return true;
  if (typeof element.value === 'string' && element.value !== actual) return false;
  if (Array.isArray(element.values) && !element.values.includes(actual)) return false;
  return true;
}

interface EvidenceChoice {
  matches: boolean;
  serialNumber: boolean;
}

function chooseEvidence(requested: unknown, stored: StoredVerification, ids: IdaIdentifiers): EvidenceChoice {
  if (requested === undefined || requested === null) return { matches: true, serialNumber: false };
  if (!Array.isArray(requested)) return { matches: false, serialNumber: false };
  for (const entry of requested) {
    if (!isObject(entry)) continue;
    if (!constraintMatches(entry.type, 'electronic_signature')) continue;
    if (!constraintMatches(entry.signature_type, ids.signatureType)) continue;
    if (!constraintMatches(entry.issuer, stored.evidence.issuer)) continue;
    return { matches: true, serialNumber: 'serial_number' in entry };
  }
  return { matches: false, serialNumber: false };
}

/** A proof through the Digital Agency's app matches an evidence filter asking for `electronic_record` (or none). */
function chooseRecordEvidence(requested: unknown): EvidenceChoice {
  if (requested === undefined || requested === null) return { matches: true, serialNumber: false };
  if (!Array.isArray(requested)) return { matches: false, serialNumber: false };
  const matches = requested.some((entry) => isObject(entry) && constraintMatches(entry.type, 'electronic_record'));
  return { matches, serialNumber: false };
}

/**
 * The `verified_claims` to release for one request (object form), or undefined when a
 * verification constraint cannot be met or nothing may be released — the spec says to omit it
 * then, without an error. `allowed` is what the relying party was granted (scopes and claims).
 */
export function selectVerifiedClaims(
  stored: StoredVerification,
  request: unknown,
  allowed: ReadonlySet<string>,
  ids: IdaIdentifiers,
  now: Date = new Date(),
): VerifiedClaims | RecordVerifiedClaims | undefined {
  if (request !== null && !isObject(request)) return undefined;
  const verification = isObject(request) && isObject(request.verification) ? request.verification : {};
  const byDigitalAgency = stored.method === DIGITAL_AGENCY_METHOD;
  if (!constraintMatches(verification.trust_framework, byDigitalAgency ? ids.digitalAgencyTrustFramework : ids.trustFramework)) return undefined;
  const time = verification.time;
  if (isObject(time) && typeof time.max_age === 'number' && now.getTime() - stored.verifiedAt.getTime() > time.max_age * 1000) {
    return undefined;
  }
  const evidence = byDigitalAgency ? chooseRecordEvidence(verification.evidence) : chooseEvidence(verification.evidence, stored, ids);
  if (!evidence.matches) return undefined;

  const requestedClaims = isObject(request) && isObject(request.claims) ? Object.keys(request.claims) : [...VERIFIED_CLAIM_NAMES];
  const names = VERIFIED_CLAIM_NAMES.filter(
    (name) => requestedClaims.includes(name) && allowed.has(name) && stored.claims[name] !== undefined,
  );
  if (names.length === 0) return undefined;
  if (byDigitalAgency) {
    const claims: Partial<BasicFourClaims> = {};
    for (const name of names) (claims as Record<string, unknown>)[name] = stored.claims[name];
    return {
      verification: {
        trust_framework: ids.digitalAgencyTrustFramework,
        time: stored.evidence.verifiedAt,
        ...('verification_process' in verification ? { verification_process: stored.verificationId } : {}),
        evidence: [digitalAgencyEvidence(stored.verifiedAt)],
      },
      claims,
    };
  }
  return buildVerifiedClaims(
    { evidence: stored.evidence, claims: stored.claims },
    {
      trustFramework: ids.trustFramework,
      signatureType: ids.signatureType,
      claims: names,
      includeSerialNumber: evidence.serialNumber,
      ...('verification_process' in verification ? { verificationProcess: stored.verificationId } : {}),
    },
  );
}

/** The verified claims a relying party may see: those of its granted scopes, plus claims granted one by one. */
export function allowedVerifiedClaims(scope: string, grantedClaims: Iterable<string>, rejected: readonly string[]): Set<string> {
  const allowed = new Set<string>();
  for (const s of scope.split(' ')) for (const claim of SCOPE_CLAIMS[s] ?? []) allowed.add(claim);
  for (const claim of grantedClaims) if ((VERIFIED_CLAIM_NAMES as readonly string[]).includes(claim)) allowed.add(claim);
  for (const claim of rejected) allowed.delete(claim);
  return allowed;
}

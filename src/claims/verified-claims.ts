/**
 * `verified_claims` (OpenID Connect for Identity Assurance 1.0) for one request, from a person's
 * current verified identity:
 * - inside `claims`, only what was requested AND consented AND verified;
 * - `verification` carries the trust framework always; `time`, `verification_process` and
 *   `evidence` only when the request names them; inside evidence, the correlatable
 *   `serial_number` and `created_at` only when named;
 * - a constraint that cannot be met (trust framework, evidence type, max_age) omits the whole
 *   element, without an error; nothing to release omits it too.
 * Proofs from the card's text-input-support AP (children under 15) carry their own trust framework
 * and `assurance_level: "low"`: the data is signed by J-LIS, but no signature certificate
 * and no PIN-protected private key of the person stand behind it.
 */
import type { BasicFourClaims } from '../jpki/index.ts';
import type { VerifiedIdentity } from './facts.ts';
import { isObject } from './ida-request.ts';
import { digitalAgencyEvidence, digitalAgencyTrustFramework, DIGITAL_AGENCY_METHOD } from '../identity/proofing/digital-agency/evidence.ts';

export const CLAIMS_IN_VERIFIED_CLAIMS = ['name', 'family_name', 'given_name', 'birthdate', 'gender', 'address'] as const;

export interface IdaIds {
  signatureTrustFramework: string;
  textApTrustFramework: string;
  signatureType: string;
  /** Proofs through the Digital Agency's app: electronic_record evidence (docs/jpki.md). */
  digitalAgencyTrustFramework: string;
}

export function idaIds(issuer: string): IdaIds {
  return {
    // The first two match src/identity/proofing/ida.ts, so both paths vouch in the same words.
    signatureTrustFramework: `${issuer}/ida/trust_framework/jpki_sign`,
    signatureType: `${issuer}/ida/signature_type/jpki_sign_rsa2048_sha256`,
    textApTrustFramework: `${issuer}/ida/trust_framework/jpki_text_ap`,
    digitalAgencyTrustFramework: digitalAgencyTrustFramework(issuer),
  };
}

/** Discovery metadata covering both proofing paths (OIDC4IDA §8). */
export function idaDiscovery(issuer: string): Record<string, unknown> {
  const ids = idaIds(issuer);
  return {
    verified_claims_supported: true,
    trust_frameworks_supported: [ids.signatureTrustFramework, ids.textApTrustFramework, ids.digitalAgencyTrustFramework],
    evidence_supported: ['electronic_signature', 'document', 'electronic_record'],
    documents_supported: ['jp_individual_number_card'],
    electronic_records_supported: ['population_register'],
    documents_check_methods_supported: ['vcrypt'],
    claims_in_verified_claims_supported: [...CLAIMS_IN_VERIFIED_CLAIMS],
  };
}

function matches(element: unknown, actual: string): boolean {
  if (!isObject(element)) return true;
  if (typeof element.value === 'string' && element.value !== actual) return false;
  if (Array.isArray(element.values) && !element.values.includes(actual)) return false;
  return true;
}

function iso(d: Date): string {
  return `${d.toISOString().slice(0, 19)}Z`;
}

type Json = Record<string, unknown>;

function evidenceFor(identity: VerifiedIdentity, ids: IdaIds, entry: Json): Json | undefined {
  if (identity.method === DIGITAL_AGENCY_METHOD) return matches(entry.type, 'electronic_record') ? digitalAgencyEvidence(identity.verifiedAt) : undefined;
  if (identity.method === 'jpki_signature') {
    if (!matches(entry.type, 'electronic_signature') || !matches(entry.signature_type, ids.signatureType) || !matches(entry.issuer, identity.issuer)) return undefined;
    const out: Json = { type: 'electronic_signature', signature_type: ids.signatureType, issuer: identity.issuer };
    if ('serial_number' in entry) out.serial_number = identity.serialNumber;
    if ('created_at' in entry) out.created_at = iso(identity.verifiedAt);
    return out;
  }
  const details = isObject(entry.document_details) ? entry.document_details : {};
  if (!matches(entry.type, 'document') || !matches(details.type, 'jp_individual_number_card')) return undefined;
  const out: Json = { type: 'document', document_details: { type: 'jp_individual_number_card' } };
  if ('check_details' in entry) out.check_details = [{ check_method: 'vcrypt', time: iso(identity.verifiedAt) }];
  return out;
}

function selectOne(identity: VerifiedIdentity, request: unknown, allowed: ReadonlySet<string>, ids: IdaIds, now: Date): Json | undefined {
  if (!isObject(request) || !isObject(request.verification) || !isObject(request.claims)) return undefined;
  const v = request.verification;
  const trustFramework =
    identity.method === 'jpki_signature' ? ids.signatureTrustFramework : identity.method === DIGITAL_AGENCY_METHOD ? ids.digitalAgencyTrustFramework : ids.textApTrustFramework;
  if (!matches(v.trust_framework, trustFramework)) return undefined;
  if (isObject(v.time) && typeof v.time.max_age === 'number' && now.getTime() - identity.verifiedAt.getTime() > v.time.max_age * 1000) return undefined;

  const verification: Json = { trust_framework: trustFramework };
  if (identity.method === 'jpki_text_ap') verification.assurance_level = 'low';
  if ('time' in v) verification.time = iso(identity.verifiedAt);
  if ('verification_process' in v) verification.verification_process = identity.verificationId;
  if ('evidence' in v) {
    const entries = Array.isArray(v.evidence) ? v.evidence.filter(isObject) : [{ type: null }];
    const chosen = entries.map((entry) => evidenceFor(identity, ids, entry)).find(Boolean);
    if (!chosen) return undefined;
    verification.evidence = [chosen];
  }

  const claims: Partial<BasicFourClaims> = {};
  for (const name of CLAIMS_IN_VERIFIED_CLAIMS) {
    const value = identity.claims[name];
    if (name in request.claims && allowed.has(name) && value !== undefined) (claims as Json)[name] = value;
  }
  if (Object.keys(claims).length === 0) return undefined;
  return { verification, claims };
}

/**
 * The `verified_claims` to release, or undefined. `allowed` holds the claim names that may be
 * released (consent); array-form requests give an array of the entries that can be met.
 */
export function selectVerifiedClaims(
  identity: VerifiedIdentity,
  request: unknown,
  allowed: ReadonlySet<string>,
  ids: IdaIds,
  now: Date = new Date(),
): Json | Json[] | undefined {
  if (Array.isArray(request)) {
    const results = request.map((r) => selectOne(identity, r, allowed, ids, now)).filter((r): r is Json => r !== undefined);
    return results.length ? results : undefined;
  }
  return selectOne(identity, request, allowed, ids, now);
}

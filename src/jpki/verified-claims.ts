/**
 * Minimal evidence kept after a proof (JPKI.md §4 step 8) and its OpenID Connect for Identity
 * Assurance 1.0 `verified_claims` form (§7.6). ID tokens are issued long after the proof, so the
 * builder works from the stored record, not from the live verification.
 */
import type { BasicFourClaims } from './basic-four.ts';
import type { SignatureVerification } from './verify.ts';

export interface JpkiEvidenceRecord {
  /** RFC 4514 issuer DN of the resident certificate. */
  issuer: string;
  /** Uppercase hex, no sign byte. A correlatable identifier: release only when asked for. */
  serialNumber: string;
  verifiedAt: string;
  revocation: {
    status: 'good' | 'revoked';
    method: 'crl' | 'ocsp';
    checkedAt: string;
    source: string;
  };
}

export function toEvidenceRecord(v: SignatureVerification): JpkiEvidenceRecord {
  return {
    issuer: v.certificate.issuer,
    serialNumber: v.certificate.serialNumber,
    verifiedAt: isoSeconds(v.verifiedAt),
    revocation: {
      status: v.revocation.status,
      method: v.revocation.method,
      checkedAt: isoSeconds(v.revocation.checkedAt),
      source: v.revocation.source,
    },
  };
}

export interface VerifiedClaimsOptions {
  /** PASS-domain URI, e.g. `https://id.example-city.lg.jp/trust_framework/jpki-sign`. */
  trustFramework: string;
  /** PASS-domain URI, e.g. `https://id.example-city.lg.jp/signature_type/jpki-sign-rsa2048-sha256`. */
  signatureType: string;
  /** Audit reference for this verification (the stored verification id). */
  verificationProcess?: string;
  /** Claims the relying party may receive (consent); default all. */
  claims?: readonly (keyof BasicFourClaims)[];
  /** The serial is correlatable; include it only when the RP asked for it (default false). */
  includeSerialNumber?: boolean;
  includeDerivedClaims?: boolean;
}

export interface ElectronicSignatureEvidence {
  type: 'electronic_signature';
  signature_type: string;
  issuer: string;
  serial_number?: string;
  created_at: string;
  derived_claims?: Partial<BasicFourClaims>;
}

export interface VerifiedClaims {
  verification: {
    trust_framework: string;
    time: string;
    verification_process?: string;
    evidence: ElectronicSignatureEvidence[];
  };
  claims: Partial<BasicFourClaims>;
}

function pick(claims: BasicFourClaims, keys: readonly (keyof BasicFourClaims)[] | undefined): Partial<BasicFourClaims> {
  const out: Partial<BasicFourClaims> = {};
  for (const key of keys ?? (Object.keys(claims) as (keyof BasicFourClaims)[])) {
    if (claims[key] !== undefined) (out as Record<string, unknown>)[key] = claims[key];
  }
  return out;
}

/**
 * `serial_number` is required by the IDA schema for electronic_signature evidence; when the RP did
 * not ask for it we omit it and the RP receives evidence without it, as the IDA request model
 * allows the OP to omit unrequested members.
 */
export function buildVerifiedClaims(
  record: { evidence: JpkiEvidenceRecord; claims: BasicFourClaims },
  options: VerifiedClaimsOptions,
): VerifiedClaims {
  const claims = pick(record.claims, options.claims);
  const evidence: ElectronicSignatureEvidence = {
    type: 'electronic_signature',
    signature_type: options.signatureType,
    issuer: record.evidence.issuer,
    created_at: record.evidence.verifiedAt,
  };
  if (options.includeSerialNumber) evidence.serial_number = record.evidence.serialNumber;
  if (options.includeDerivedClaims) evidence.derived_claims = claims;
  const verification: VerifiedClaims['verification'] = {
    trust_framework: options.trustFramework,
    time: record.evidence.verifiedAt,
    evidence: [evidence],
  };
  if (options.verificationProcess) verification.verification_process = options.verificationProcess;
  return { verification, claims };
}

function isoSeconds(d: Date): string {
  return `${d.toISOString().slice(0, 19)}Z`;
}

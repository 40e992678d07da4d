/**
 * What a proof through the Digital Agency's app (デジタル認証アプリ) leaves behind, and how it is
 * vouched for to relying parties (OpenID Connect for Identity Assurance 1.0).
 *
 * PASS never sees the card's certificate or signature on this path: the app and the Digital
 * Agency's server verify the card's user-authentication certificate (with J-LIS) and hand PASS an
 * ID token and the basic four. So the evidence is not `electronic_signature` (which names the
 * signer's certificate) but an `electronic_record`: a record of the resident register's basic four
 * that another organisation — the Digital Agency — checked cryptographically (`vcrypt`) and
 * delivered through its app. The exact values are listed in docs/jpki.md.
 */
import { createHmac } from 'node:crypto';

/** identity_verifications.method of this path. */
export const DIGITAL_AGENCY_METHOD = 'digital_agency_app';

/** Who checked (check_details[].organization: the legal entity that performed the check). */
export const DIGITAL_AGENCY_ORGANIZATION = 'デジタル庁';
/** Where the record came from, as PASS received it. */
export const DIGITAL_AGENCY_SOURCE = 'デジタル認証アプリ';
/** The basic four are the resident register's (住民基本台帳), carried by the card. */
export const DIGITAL_AGENCY_RECORD_TYPE = 'population_register';
/** The app verifies the card's certificate and its key's signature: a cryptographic check. */
export const DIGITAL_AGENCY_CHECK_METHOD = 'vcrypt';

/** A PASS-domain trust framework, like the card path's `…/jpki_sign` (identifiers outside the registry carry our domain). */
export function digitalAgencyTrustFramework(passIssuer: string): string {
  return `${passIssuer}/ida/trust_framework/digital_agency_app`;
}

/** The `electronic_record` evidence of one proof (no correlatable identifier in it). */
export function digitalAgencyEvidence(verifiedAt: Date): Record<string, unknown> {
  return {
    type: 'electronic_record',
    check_details: [{ check_method: DIGITAL_AGENCY_CHECK_METHOD, organization: DIGITAL_AGENCY_ORGANIZATION, time: isoSeconds(verifiedAt) }],
    record: { type: DIGITAL_AGENCY_RECORD_TYPE, source: { name: DIGITAL_AGENCY_SOURCE, country_code: 'JPN' } },
  };
}

/**
 * The Digital Agency's `sub` for PASS (a per-relying-party identifier), kept only as an HMAC with
 * the identity hash key, like a card's serial (card-links.ts cardKeyOf): it still tells one national
 * identity from another, but the table alone names nobody at the Digital Agency.
 */
export function digitalAgencySubjectKey(identityHashKey: string, issuer: string, sub: string): string {
  return createHmac('sha256', identityHashKey).update(`digital-agency-sub\0${issuer}\0${sub}`).digest('hex');
}

function isoSeconds(d: Date): string {
  return `${d.toISOString().slice(0, 19)}Z`;
}

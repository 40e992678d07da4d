/**
 * verified_claims for a proof made through the Digital Agency's app, from both places that build
 * them: the claims engine (facility clients, src/claims) and identity's own source (other clients,
 * src/identity/proofing/ida.ts). Each names the Digital Agency's app in `electronic_record`
 * evidence, under its own trust framework, and a filter asking for card evidence or the card's
 * trust framework gets nothing, as IDA says; discovery lists what can be asked for.
 */
import { idaDiscovery, idaIds, selectVerifiedClaims } from '../../../src/claims/verified-claims.ts';
import type { VerifiedIdentity } from '../../../src/claims/facts.ts';
import { idaDiscoveryMetadata, idaIdentifiers, selectVerifiedClaims as identitySelect } from '../../../src/identity/proofing/ida.ts';
import { TARO_CLAIMS } from '../../jpki/fixtures.ts';

const ISSUER = 'https://pass.example';
const verifiedAt = new Date('2026-05-01T01:02:03Z');
const proof: VerifiedIdentity = {
  verificationId: '8e3c1b9e-0000-4000-8000-0000000000da',
  method: 'digital_agency_app',
  claims: TARO_CLAIMS,
  verifiedAt,
  issuer: 'https://auth-and-sign.go.jp/api/realms/main',
  serialNumber: 'ab'.repeat(32),
  anchorEnvironment: 'production',
};
const evidence = {
  type: 'electronic_record',
  check_details: [{ check_method: 'vcrypt', organization: 'デジタル庁', time: '2026-05-01T01:02:03Z' }],
  record: { type: 'population_register', source: { name: 'デジタル認証アプリ', country_code: 'JPN' } },
};
const consented = new Set(['name', 'birthdate', 'address']);
const request = (verification: Record<string, unknown>) => ({ verification, claims: { name: null, birthdate: null, gender: null, address: null } });

describe('verified_claims of a proof through the Digital Agency\'s app', () => {
  test('the claims engine names the app in electronic_record evidence, only consented claims, no correlatable identifier', () => {
    const released = selectVerifiedClaims(proof, request({ trust_framework: null, time: null, evidence: [{ type: { value: 'electronic_record' } }] }), consented, idaIds(ISSUER), verifiedAt);
    expect(released).toEqual({
      verification: { trust_framework: `${ISSUER}/ida/trust_framework/digital_agency_app`, time: '2026-05-01T01:02:03Z', evidence: [evidence] },
      claims: { name: TARO_CLAIMS.name, birthdate: TARO_CLAIMS.birthdate, address: TARO_CLAIMS.address },
    });
    expect(JSON.stringify(released)).not.toContain(proof.serialNumber);
  });

  test('a request for card evidence or the card\'s trust framework gets nothing', () => {
    const ids = idaIds(ISSUER);
    expect(selectVerifiedClaims(proof, request({ evidence: [{ type: { value: 'electronic_signature' } }] }), consented, ids, verifiedAt)).toBeUndefined();
    expect(selectVerifiedClaims(proof, request({ trust_framework: { value: ids.signatureTrustFramework } }), consented, ids, verifiedAt)).toBeUndefined();
    expect(selectVerifiedClaims(proof, request({ trust_framework: { value: ids.digitalAgencyTrustFramework } }), consented, ids, verifiedAt)).toBeDefined();
  });

  test('identity\'s own source gives the same evidence', () => {
    const stored = {
      method: 'digital_agency_app',
      verificationId: proof.verificationId,
      verifiedAt,
      claims: TARO_CLAIMS,
      evidence: { issuer: proof.issuer, serialNumber: proof.serialNumber, verifiedAt: '2026-05-01T01:02:03Z', revocation: { status: 'good' as const, method: 'ocsp' as const, checkedAt: '2026-05-01T01:02:03Z', source: proof.issuer } },
    };
    const ids = idaIdentifiers(ISSUER);
    const released = identitySelect(stored, request({ trust_framework: null, evidence: [{ type: { value: 'electronic_record' } }] }), consented, ids, verifiedAt);
    expect(released).toMatchObject({ verification: { trust_framework: `${ISSUER}/ida/trust_framework/digital_agency_app`, evidence: [evidence] } });
    expect(identitySelect(stored, request({ evidence: [{ type: { value: 'electronic_signature' } }] }), consented, ids, verifiedAt)).toBeUndefined();
  });

  test('discovery lists the trust framework and electronic_record', () => {
    for (const metadata of [idaDiscovery(ISSUER), idaDiscoveryMetadata(ISSUER)]) {
      expect(metadata).toMatchObject({
        trust_frameworks_supported: expect.arrayContaining([`${ISSUER}/ida/trust_framework/digital_agency_app`]),
        evidence_supported: expect.arrayContaining(['electronic_record']),
        electronic_records_supported: ['population_register'],
      });
    }
  });
});

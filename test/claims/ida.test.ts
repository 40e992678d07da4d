/** verified_claims: malformed requests refused; only requested and consented elements; evidence only when asked. */
import { checkVerifiedClaimsRequest } from '../../src/claims/ida-request.ts';
import { idaIds, selectVerifiedClaims } from '../../src/claims/verified-claims.ts';
import type { VerifiedIdentity } from '../../src/claims/facts.ts';
import { TARO_CLAIMS } from '../jpki/fixtures.ts';

const ids = idaIds('https://pass.example');
const signature: VerifiedIdentity = {
  verificationId: '8e3c1b9e-0000-4000-8000-000000000001',
  method: 'jpki_signature',
  claims: TARO_CLAIMS,
  verifiedAt: new Date('2026-05-01T01:02:03Z'),
  issuer: 'OU=PASS,O=JPKI,C=JP',
  serialNumber: '0A1B2C',
  anchorEnvironment: 'development',
};
const textAp: VerifiedIdentity = { ...signature, method: 'jpki_text_ap', claims: { ...signature.claims, name: '加賀　そら', birthdate: '2019-05-01' }, issuer: 'text-ap:X' };
const consented = new Set(['name', 'family_name', 'given_name', 'birthdate']);

describe('malformed verified_claims requests', () => {
  test.each([
    ['not an object', 'x'],
    ['an empty array', []],
    ['no verification', { claims: { name: null } }],
    ['no claims', { verification: { trust_framework: null } }],
    ['empty claims', { verification: { trust_framework: null }, claims: {} }],
    ['a claim that is not null or an object', { verification: { trust_framework: null }, claims: { name: true } }],
    ['evidence that is not an array', { verification: { trust_framework: null, evidence: { type: { value: 'document' } } }, claims: { name: null } }],
    ['evidence without a pinned type', { verification: { trust_framework: null, evidence: [{ type: null }] }, claims: { name: null } }],
    ['evidence type with values', { verification: { trust_framework: null, evidence: [{ type: { values: ['document'] } }] }, claims: { name: null } }],
    ['a bad max_age', { verification: { trust_framework: null, time: { max_age: -1 } }, claims: { name: null } }],
    ['essential that is not a boolean', { verification: { trust_framework: null }, claims: { name: { essential: 'yes' } } }],
  ])('%s', (_label, request) => {
    expect(() => checkVerifiedClaimsRequest(request)).toThrow();
  });

  test('well-formed requests pass, in object and array form', () => {
    const one = { verification: { trust_framework: null, time: { max_age: 3600 }, evidence: [{ type: { value: 'electronic_signature' }, issuer: null }] }, claims: { name: null, birthdate: { essential: true } } };
    expect(() => checkVerifiedClaimsRequest(one)).not.toThrow();
    expect(() => checkVerifiedClaimsRequest([one, { verification: { trust_framework: { value: 'x' } }, claims: { name: null } }])).not.toThrow();
  });
});

describe('selecting verified_claims', () => {
  test('only requested and consented claims; no evidence unless asked', () => {
    const out = selectVerifiedClaims(signature, { verification: { trust_framework: null }, claims: { name: null, address: null, gender: null } }, consented, ids) as Record<string, any>;
    expect(out).toEqual({ verification: { trust_framework: ids.signatureTrustFramework }, claims: { name: '加賀　太郎' } });
  });

  test('evidence when asked, with the serial number only when named', () => {
    const asked = { verification: { trust_framework: null, time: null, evidence: [{ type: { value: 'electronic_signature' }, issuer: null }] }, claims: { birthdate: null } };
    const out = selectVerifiedClaims(signature, asked, consented, ids) as Record<string, any>;
    expect(out.verification).toEqual({
      trust_framework: ids.signatureTrustFramework,
      time: '2026-05-01T01:02:03Z',
      evidence: [{ type: 'electronic_signature', signature_type: ids.signatureType, issuer: 'OU=PASS,O=JPKI,C=JP' }],
    });
    const serial = selectVerifiedClaims(signature, { ...asked, verification: { evidence: [{ type: { value: 'electronic_signature' }, serial_number: null }] } }, consented, ids) as Record<string, any>;
    expect(serial.verification.evidence[0].serial_number).toBe('0A1B2C');
  });

  test('unmet constraints or nothing consented omit the element', () => {
    expect(selectVerifiedClaims(signature, { verification: { trust_framework: { value: 'jp_aml' } }, claims: { name: null } }, consented, ids)).toBeUndefined();
    expect(selectVerifiedClaims(signature, { verification: { evidence: [{ type: { value: 'document' } }] }, claims: { name: null } }, consented, ids)).toBeUndefined();
    expect(selectVerifiedClaims(signature, { verification: { time: { max_age: 60 } }, claims: { name: null } }, consented, ids, new Date('2026-05-02T00:00:00Z'))).toBeUndefined();
    expect(selectVerifiedClaims(signature, { verification: {}, claims: { address: null } }, consented, ids)).toBeUndefined();
  });

  test('a text-input-support AP proof is marked lower assurance, with document evidence', () => {
    const out = selectVerifiedClaims(textAp, { verification: { trust_framework: null, evidence: [{ type: { value: 'document' } }] }, claims: { name: null, birthdate: null } }, consented, ids) as Record<string, any>;
    expect(out.verification).toEqual({
      trust_framework: ids.textApTrustFramework,
      assurance_level: 'low',
      evidence: [{ type: 'document', document_details: { type: 'jp_individual_number_card' } }],
    });
    expect(out.claims).toEqual({ name: '加賀　そら', birthdate: '2019-05-01' });
    // Asking for signature evidence only: the text-AP proof cannot meet it.
    expect(selectVerifiedClaims(textAp, { verification: { evidence: [{ type: { value: 'electronic_signature' } }] }, claims: { name: null } }, consented, ids)).toBeUndefined();
  });

  test('array form: each entry that can be met', () => {
    const out = selectVerifiedClaims(signature, [
      { verification: { trust_framework: { value: 'jp_aml' } }, claims: { name: null } },
      { verification: { trust_framework: null }, claims: { birthdate: null } },
    ], consented, ids);
    expect(out).toEqual([{ verification: { trust_framework: ids.signatureTrustFramework }, claims: { birthdate: '1980-02-17' } }]);
  });
});

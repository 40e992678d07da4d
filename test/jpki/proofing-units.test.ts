/** Proofing pieces without a server: trust-anchor configuration and OIDC4IDA request filtering. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigurationError } from '../../src/core/errors.ts';
import { DevJpkiCa } from '../../src/jpki/dev-ca.ts';
import { loadConfiguredAnchors } from '../../src/identity/proofing/pki.ts';
import { allowedVerifiedClaims, idaIdentifiers, selectVerifiedClaims } from '../../src/identity/proofing/ida.ts';
import type { StoredVerification } from '../../src/identity/proofing/ida.ts';
import { personHashKey } from '../../src/identity/proofing/proofing-service.ts';
import { configFor } from '../helpers/pass.ts';
import { realRootPaths } from './fixtures.ts';

describe('trust anchors from configuration', () => {
  let dir: string;
  let devCaPath: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'pass-anchors-'));
    devCaPath = path.join(dir, 'dev-ca.pem');
    writeFileSync(devCaPath, DevJpkiCa.create().toPem().certificatePem);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const production = (trustAnchors: string[] | undefined) => {
    const config = configFor({});
    return { ...config, production: true, jpki: { ...config.jpki, trustAnchors, allowTestCards: false } };
  };

  test('production accepts the pinned J-LIS roots', () => {
    const anchors = loadConfiguredAnchors(production(realRootPaths()))!;
    expect(anchors.every((a) => a.environment === 'production')).toBe(true);
    expect(new Set(anchors.map((a) => a.kind))).toEqual(new Set(['signature', 'user_authentication']));
  });

  test('production refuses a development or test anchor, and refuses to run without anchors', () => {
    expect(() => loadConfiguredAnchors(production([...realRootPaths(), devCaPath]))).toThrow(ConfigurationError);
    expect(() => loadConfiguredAnchors(production(undefined))).toThrow(/JPKI_TRUST_ANCHORS/);
  });

  test('development without anchors uses the development CA (none configured)', () => {
    expect(loadConfiguredAnchors(configFor({}))).toBeUndefined();
    expect(loadConfiguredAnchors(configFor({ JPKI_TRUST_ANCHORS: devCaPath }))![0]!.environment).toBe('development');
  });
});

describe('verified_claims request filtering (OIDC4IDA)', () => {
  const ids = idaIdentifiers('https://pass.example.lg.jp');
  const stored: StoredVerification = {
    verificationId: 'v-1',
    verifiedAt: new Date('2026-04-01T00:00:00Z'),
    evidence: {
      issuer: 'OU=PASS Development Test CA - NOT J-LIS,OU=JPKI for digital signature,O=PASS-DEV-JPKI,C=JP',
      serialNumber: '1A2B',
      verifiedAt: '2026-04-01T00:00:00Z',
      revocation: { status: 'good', method: 'crl', checkedAt: '2026-04-01T00:00:00Z', source: 'x' },
    },
    claims: { name: '加賀　太郎', family_name: '加賀', given_name: '太郎', birthdate: '1980-02-17', gender: 'male', address: { formatted: '石川県加賀市作見町', country_code: 'JPN' } },
  };
  const all = allowedVerifiedClaims('openid profile address', [], []);
  const now = new Date('2026-04-02T00:00:00Z');

  test('only requested and allowed claims are released', () => {
    const out = selectVerifiedClaims(stored, { claims: { name: null, address: null, birthdate: null } }, allowedVerifiedClaims('openid profile', [], []), ids, now)!;
    expect(Object.keys(out.claims).sort()).toEqual(['birthdate', 'name']);
    expect(out.verification.trust_framework).toBe(ids.trustFramework);
    expect(out.verification.evidence[0]!.serial_number).toBeUndefined();
    expect(out.verification.verification_process).toBeUndefined();
  });

  test('claims granted one by one count; rejected claims do not', () => {
    expect(allowedVerifiedClaims('openid', ['address', 'email'], [])).toEqual(new Set(['address']));
    expect(allowedVerifiedClaims('openid profile', [], ['gender']).has('gender')).toBe(false);
  });

  test('unmet verification constraints omit verified_claims', () => {
    expect(selectVerifiedClaims(stored, { verification: { trust_framework: { value: 'jp_aml' } }, claims: { name: null } }, all, ids, now)).toBeUndefined();
    expect(selectVerifiedClaims(stored, { verification: { time: { max_age: 3600 } }, claims: { name: null } }, all, ids, now)).toBeUndefined();
    expect(selectVerifiedClaims(stored, { verification: { evidence: [{ type: { value: 'document' } }] }, claims: { name: null } }, all, ids, now)).toBeUndefined();
    expect(selectVerifiedClaims(stored, { claims: { name: null } }, new Set(), ids, now)).toBeUndefined();
    expect(selectVerifiedClaims(stored, 'verified', all, ids, now)).toBeUndefined();
  });

  test('the serial number and the verification reference only when asked for', () => {
    const out = selectVerifiedClaims(
      stored,
      { verification: { verification_process: null, time: { max_age: 7 * 86400 }, evidence: [{ type: { value: 'electronic_signature' }, serial_number: null }] }, claims: { name: null } },
      all,
      ids,
      now,
    )!;
    expect(out.verification.evidence[0]!.serial_number).toBe('1A2B');
    expect(out.verification.verification_process).toBe('v-1');
  });

  test('the person key is domain-separated from the configured identity hash key', () => {
    expect(personHashKey('k'.repeat(16))).toHaveLength(32);
    expect(Buffer.from(personHashKey('a'.repeat(16)))).not.toEqual(Buffer.from(personHashKey('b'.repeat(16))));
  });
});

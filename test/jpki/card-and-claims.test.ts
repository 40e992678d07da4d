import { createChallenge, parseChallenge } from '../../src/jpki/challenge-format.ts';
import { VirtualMyNumberCard } from '../../src/jpki/virtual-card.ts';
import { DEMO_RESIDENTS, issueVirtualCard } from '../../src/jpki/demo-residents.ts';
import { buildVerifiedClaims, toEvidenceRecord } from '../../src/jpki/verified-claims.ts';
import { PassError } from '../../src/core/errors.ts';
import { DAY, T0, createPki, harness, TARO_CLAIMS } from './fixtures.ts';
import type { Pki } from './fixtures.ts';

let pki: Pki;
beforeAll(() => {
  pki = createPki(1);
});

const validity = { notBefore: new Date(T0.getTime() - DAY), notAfter: new Date(T0.getTime() + 365 * DAY) };

function errorReason(fn: () => unknown): string {
  try {
    fn();
    return 'ok';
  } catch (err) {
    return (err as PassError).reason;
  }
}

describe('virtual My Number Card', () => {
  test('PIN checks: wrong PINs count down and lock after 3; a right PIN resets the counter', () => {
    const { card } = issueVirtualCard(DEMO_RESIDENTS[0]!, { signatureCa: pki.signCa, keyPair: pki.keys[0]!, signPin: 'KAGA2026', ...validity });
    const c = new Uint8Array([1, 2, 3]);
    expect(errorReason(() => card.signChallenge('signature', 'WRONG1', c))).toBe('wrong_pin');
    expect(card.attemptsLeft('signature')).toBe(2);
    expect(errorReason(() => card.signChallenge('signature', 'KAGA2026', c))).toBe('ok');
    expect(card.attemptsLeft('signature')).toBe(3);
    expect(errorReason(() => card.readSignatureCertificate('WRONG1'))).toBe('wrong_pin');
    expect(errorReason(() => card.readSignatureCertificate('WRONG2'))).toBe('wrong_pin');
    expect(errorReason(() => card.readSignatureCertificate('WRONG3'))).toBe('pin_locked');
    expect(errorReason(() => card.signChallenge('signature', 'KAGA2026', c))).toBe('pin_locked');
  });

  test('PIN formats follow the card: sign PIN 6–16 uppercase alphanumerics, auth PIN 4 digits', () => {
    const key = { privateKey: pki.keys[0]!.privateKey, certificateDer: new Uint8Array() };
    expect(() => new VirtualMyNumberCard({ signature: { ...key, pin: 'abc123' } })).toThrow();
    expect(() => new VirtualMyNumberCard({ authentication: { ...key, pin: '12345' } })).toThrow();
  });

  test('the signature and authentication applications are separate; EF 000A needs no PIN', async () => {
    const issued = issueVirtualCard(DEMO_RESIDENTS[1]!, { signatureCa: pki.signCa, authenticationCa: pki.authCa, keyPair: pki.keys[0]!, ...validity });
    expect(issued.card.readAuthenticationCertificate()).toEqual(issued.authenticationCertificate);
    const { verifier } = harness(pki);
    const c = createChallenge({ purpose: 'user_authentication', client: 'kiosk', account: '', issuedAt: T0 });
    const v = await verifier.verifyAuthenticationProof({
      certificate: issued.card.readAuthenticationCertificate(),
      challenge: c,
      signature: issued.card.signChallenge('authentication', '1234', c),
    });
    expect(v.type).toBe('user_authentication');
  });
});

describe('challenge format', () => {
  test('round-trips and is domain-separated', () => {
    const bytes = createChallenge({ purpose: 'identity_proofing', client: 'pass-app', account: 'acct-1', issuedAt: T0, nonce: 'n0nce' });
    expect(new TextDecoder().decode(bytes)).toBe(
      'PASS-JPKI-CHALLENGE/1\npurpose=identity_proofing\nnonce=n0nce\nclient=pass-app\naccount=acct-1\nissued_at=2026-04-01T00:00:00.000Z',
    );
    expect(parseChallenge(bytes)).toEqual({ purpose: 'identity_proofing', nonce: 'n0nce', client: 'pass-app', account: 'acct-1', issuedAt: T0 });
    expect(() => createChallenge({ purpose: 'identity_proofing', client: 'a\nb', account: '', issuedAt: T0 })).toThrow();
    expect(() => parseChallenge(new TextEncoder().encode('hello'))).toThrow();
  });

  test('fresh nonces differ', () => {
    const make = () => createChallenge({ purpose: 'identity_proofing', client: 'c', account: 'a', issuedAt: T0 });
    expect(Buffer.from(make())).not.toEqual(Buffer.from(make()));
  });
});

describe('verified_claims', () => {
  test('evidence record and OIDC4IDA shape (JPKI.md §7.6)', async () => {
    const resident = DEMO_RESIDENTS[0]!;
    const { card } = issueVirtualCard(resident, { signatureCa: pki.signCa, keyPair: pki.keys[0]!, ...validity });
    const { verifier } = harness(pki);
    const c = createChallenge({ purpose: 'identity_proofing', client: 'pass-app', account: 'acct-1', issuedAt: T0 });
    const v = await verifier.verifySignatureProof({
      certificate: card.readSignatureCertificate('PASS1234'),
      challenge: c,
      signature: card.signChallenge('signature', 'PASS1234', c),
    });
    const evidence = toEvidenceRecord(v);
    expect(evidence).toEqual({
      issuer: v.certificate.issuer,
      serialNumber: v.certificate.serialNumber,
      verifiedAt: '2026-04-01T00:00:00Z',
      revocation: { status: 'good', method: 'crl', checkedAt: '2026-04-01T00:00:00Z', source: 'sign.crl' },
    });
    const vc = buildVerifiedClaims(
      { evidence, claims: v.claims },
      {
        trustFramework: 'https://id.example-city.lg.jp/trust_framework/jpki-sign',
        signatureType: 'https://id.example-city.lg.jp/signature_type/jpki-sign-rsa2048-sha256',
        verificationProcess: 'ver-123',
        includeSerialNumber: true,
        includeDerivedClaims: true,
      },
    );
    expect(vc).toEqual({
      verification: {
        trust_framework: 'https://id.example-city.lg.jp/trust_framework/jpki-sign',
        time: '2026-04-01T00:00:00Z',
        verification_process: 'ver-123',
        evidence: [
          {
            type: 'electronic_signature',
            signature_type: 'https://id.example-city.lg.jp/signature_type/jpki-sign-rsa2048-sha256',
            issuer: v.certificate.issuer,
            serial_number: v.certificate.serialNumber,
            created_at: '2026-04-01T00:00:00Z',
            derived_claims: v.claims,
          },
        ],
      },
      claims: TARO_CLAIMS,
    });
    const consented = buildVerifiedClaims({ evidence, claims: v.claims }, { trustFramework: 'tf', signatureType: 'st', claims: ['birthdate'] });
    expect(consented.claims).toEqual({ birthdate: '1980-02-17' });
    expect(consented.verification.evidence[0]).not.toHaveProperty('serial_number');
  });
});

import { createChallenge, parseChallenge } from '../../src/jpki/challenge-format.ts';
import { DEMO_RESIDENTS } from '../../src/jpki/demo-residents.ts';
import { buildVerifiedClaims, toEvidenceRecord } from '../../src/jpki/verified-claims.ts';
import { ApduChannel } from '../../src/card/apdu-channel.ts';
import { JpkiAp, JPKI_EF } from '../../src/card/jpki-ap.ts';
import { simulatedJpkiCard } from '../../src/card/simulator/jpki-card.ts';
import { PassError } from '../../src/core/errors.ts';
import { DAY, T0, createPki, harness, TARO_CLAIMS } from './fixtures.ts';
import type { Pki } from './fixtures.ts';
import { authenticationProofOf, signatureProofOf, testCard } from '../helpers/simulated-card-proofs.ts';

let pki: Pki;
beforeAll(() => {
  pki = createPki(1);
});

const validity = { notBefore: new Date(T0.getTime() - DAY), notAfter: new Date(T0.getTime() + 365 * DAY) };

async function errorReason(run: () => Promise<unknown>): Promise<string> {
  try {
    await run();
    return 'ok';
  } catch (err) {
    return (err as PassError).reason;
  }
}

/**
 * The simulated card around keys a development store holds (the development cards of
 * src/identity/proofing/dev-cards.ts are made this way): the counters it is given, and the
 * separation of the two keys, as the card library reads them over APDUs.
 */
describe('a simulated card made from held keys', () => {
  test('wrong passwords count down from the counter it was given and lock it; a right one resets the count', async () => {
    const key = pki.keys[0]!;
    const certificate = pki.signCa.issueSignatureCertificate(DEMO_RESIDENTS[0]!, { publicKey: key.publicKey, ...validity });
    const card = simulatedJpkiCard({ signature: { certificate, pin: 'KAGA2026', sign: key.privateKey, maxTries: 3, triesLeft: 3 } });
    const c = new Uint8Array([1, 2, 3]);
    const left = () => card.triesLeft('jpki', JPKI_EF.signaturePin);
    expect(await errorReason(() => signatureProofOf(card, c, 'WRONG1'))).toBe('wrong_pin');
    expect(left()).toBe(2);
    expect(await errorReason(() => signatureProofOf(card, c, 'KAGA2026'))).toBe('ok');
    expect(left()).toBe(3);
    expect(await errorReason(() => signatureProofOf(card, c, 'WRONG1'))).toBe('wrong_pin');
    expect(await errorReason(() => signatureProofOf(card, c, 'WRONG2'))).toBe('wrong_pin');
    expect(await errorReason(() => signatureProofOf(card, c, 'WRONG3'))).toBe('pin_locked');
    expect(await errorReason(() => signatureProofOf(card, c, 'KAGA2026'))).toBe('pin_locked');
    // A stored counter carries over: a card made with one try left locks at the next wrong one.
    const stored = simulatedJpkiCard({ signature: { certificate, pin: 'KAGA2026', sign: key.privateKey, maxTries: 3, triesLeft: 1 } });
    expect(await errorReason(() => signatureProofOf(stored, c, 'WRONG1'))).toBe('pin_locked');
    expect(stored.triesLeft('jpki', JPKI_EF.signaturePin)).toBe(0);
  });

  test('PIN formats follow the card: signature password 6–16 capital letters and digits, user-authentication PIN 4 digits', () => {
    const held = { certificate: new Uint8Array(), sign: pki.keys[0]!.privateKey };
    expect(() => simulatedJpkiCard({ signature: { ...held, pin: 'abc123' } })).toThrow();
    expect(() => simulatedJpkiCard({ authentication: { ...held, pin: '12345' } })).toThrow();
  });

  test('the signature and authentication keys are separate; EF 000A needs no PIN, EF 0001 does', async () => {
    const key = pki.keys[0]!;
    const resident = DEMO_RESIDENTS[1]!;
    const signature = pki.signCa.issueSignatureCertificate(resident, { publicKey: key.publicKey, ...validity });
    const authentication = pki.authCa.issueUserAuthenticationCertificate({ publicKey: key.publicKey, ...validity });
    const card = testCard({ signature: { privateKey: key.privateKey, certificate: signature }, authentication: { privateKey: key.privateKey, certificate: authentication } });
    const ap = await JpkiAp.select(new ApduChannel(card));
    expect(Buffer.from(await ap.readAuthenticationCertificate())).toEqual(Buffer.from(authentication));
    expect(await errorReason(() => ap.readSignatureCertificate())).toBe('pin_not_verified');
    // The user-authentication PIN opens the user-authentication key only.
    await ap.verifyAuthenticationPin('1234');
    expect(await errorReason(() => ap.readSignatureCertificate())).toBe('pin_not_verified');
    const { verifier } = harness(pki);
    const c = createChallenge({ purpose: 'user_authentication', client: 'kiosk', account: '', issuedAt: T0 });
    const read = await authenticationProofOf(card, c);
    const v = await verifier.verifyAuthenticationProof({ certificate: read.certificate, challenge: c, signature: read.signature });
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
    const key = pki.keys[0]!;
    const certificate = pki.signCa.issueSignatureCertificate(resident, { publicKey: key.publicKey, ...validity });
    const card = testCard({ signature: { privateKey: key.privateKey, certificate, pin: 'PASS1234' } });
    const { verifier } = harness(pki);
    const c = createChallenge({ purpose: 'identity_proofing', client: 'pass-app', account: 'acct-1', issuedAt: T0 });
    const read = await signatureProofOf(card, c, 'PASS1234');
    const v = await verifier.verifySignatureProof({ certificate: read.certificate, challenge: c, signature: read.signature });
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

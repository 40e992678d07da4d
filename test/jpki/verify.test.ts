import { generateKeyPairSync, sign } from 'node:crypto';
import { createChallenge } from '../../src/jpki/challenge-format.ts';
import { DevJpkiCa } from '../../src/jpki/dev-ca.ts';
import { BASIC_FOUR_OID, JPKI_POLICY } from '../../src/jpki/oids.ts';
import { loadTrustAnchors } from '../../src/jpki/trust-anchors.ts';
import { CachingCrlProvider } from '../../src/jpki/revocation/crl-provider.ts';
import { CrlRevocationChecker } from '../../src/jpki/revocation/crl-revocation-checker.ts';
import { createJpkiVerifier } from '../../src/jpki/verify.ts';
import type { IssueOptions } from '../../src/jpki/dev-ca.ts';
import { JpkiForbiddenError } from '../../src/jpki/errors.ts';
import { ForbiddenError } from '../../src/core/errors.ts';
import { DAY, HANAKO, HOUR, T0, TARO, createPki, harness, realRootPaths, reasonOf, TARO_CLAIMS } from './fixtures.ts';
import type { Pki } from './fixtures.ts';
import { authenticationProofOf, signatureProofOf, testCard } from '../helpers/simulated-card-proofs.ts';
import type { SimulatedCard } from '../../src/card/simulator/simulated-card.ts';

let pki: Pki;
beforeAll(() => {
  pki = createPki(3);
});

const validity = { notBefore: new Date(T0.getTime() - 30 * DAY), notAfter: new Date(T0.getTime() + 4 * 365 * DAY) };

function challenge(): Uint8Array {
  return createChallenge({ purpose: 'identity_proofing', client: 'pass-app', account: 'acct-1', issuedAt: T0 });
}

/** A signature certificate for TARO with optional profile deviations, and a simulated card holding it. */
function issue(over: Partial<IssueOptions> = {}, ca: DevJpkiCa = pki.signCa, keyIndex = 0) {
  const key = pki.keys[keyIndex]!;
  const certificate = ca.issueSignatureCertificate(TARO, { publicKey: key.publicKey, ...validity, ...over });
  return { certificate, card: testCard({ signature: { privateKey: key.privateKey, certificate } }) };
}

/** The card's signature over the challenge, read through the APDU sequence. */
async function signed(card: SimulatedCard, c: Uint8Array): Promise<Uint8Array> {
  return (await signatureProofOf(card, c)).signature;
}

async function proof(over: Partial<IssueOptions> = {}, ca?: DevJpkiCa) {
  const { certificate, card } = issue(over, ca);
  const c = challenge();
  return { certificate, challenge: c, signature: await signed(card, c) };
}

describe('verifySignatureProof: happy path with the development CA', () => {
  test('accepts a virtual card signature and returns the basic four as claims', async () => {
    const { verifier } = harness(pki);
    const input = await proof();
    const v = await verifier.verifySignatureProof(input);
    expect(v.type).toBe('signature');
    expect(v.claims).toEqual(TARO_CLAIMS);
    expect(v.basicFour.era).toBe('昭和');
    expect(v.certificate.serialNumber).toMatch(/^[0-9A-F]+$/);
    expect(v.certificate.issuer).toBe('OU=PASS Development Test CA - NOT J-LIS,OU=JPKI for digital signature,O=PASS-DEV-JPKI,C=JP');
    expect(v.certificate.testPolicy).toBe(true);
    expect(v.anchor.environment).toBe('development');
    expect(v.revocation).toMatchObject({ status: 'good', method: 'crl', source: 'sign.crl' });
    expect(v.verifiedAt).toEqual(T0);
  });

  test("the card's raw DigestInfo signature (P1=00) is RSASSA-PKCS1-v1_5 / SHA-256 over the challenge", async () => {
    const { verifier } = harness(pki);
    const { certificate, card } = issue();
    const c = challenge();
    const { digestInfoForChallenge } = await import('../../src/jpki/challenge-signature.ts');
    const { sha256DigestInfo } = await import('../../src/card/digest-info.ts');
    // What the card library sends the card is what the verifier rebuilds.
    expect(Buffer.from(await sha256DigestInfo(c))).toEqual(Buffer.from(digestInfoForChallenge(c)));
    const raw = await signed(card, c);
    expect(Buffer.from(raw)).toEqual(sign('sha256', c, pki.keys[0]!.privateKey));
    expect(card.exchanges.find((e) => e.cla === 0x80 && e.ins === 0x2a)).toMatchObject({ p1: 0x00, sw: 0x9000 });
    await expect(verifier.verifySignatureProof({ certificate, challenge: c, signature: raw })).resolves.toBeDefined();
  });

  test('user-authentication certificate verifies on the authentication path, without personal facts', async () => {
    const { verifier } = harness(pki);
    const key = pki.keys[1]!;
    const certificate = pki.authCa.issueUserAuthenticationCertificate({ publicKey: key.publicKey, ...validity });
    const card = testCard({ authentication: { privateKey: key.privateKey, certificate } });
    const c = createChallenge({ purpose: 'user_authentication', client: 'kiosk-1', account: '', issuedAt: T0 });
    const read = await authenticationProofOf(card, c);
    expect(Buffer.from(read.certificate)).toEqual(Buffer.from(certificate));
    const v = await verifier.verifyAuthenticationProof({ certificate, challenge: c, signature: read.signature });
    expect(v.type).toBe('user_authentication');
    expect(v.certificate.policy).toBe(JPKI_POLICY.authenticationTest);
    expect('basicFour' in v).toBe(false);
    // …and is refused as a proof of identity.
    expect(await reasonOf(verifier.verifySignatureProof({ certificate, challenge: c, signature: read.signature }))).toBe('not_signature_certificate');
  });
});

describe('verifySignatureProof: refusals', () => {
  test('tampered signature', async () => {
    const { verifier } = harness(pki);
    const input = await proof();
    input.signature[10]! ^= 0x01;
    expect(await reasonOf(verifier.verifySignatureProof(input))).toBe('signature_invalid');
  });

  test('signature over another challenge', async () => {
    const { verifier } = harness(pki);
    const input = await proof();
    const other = createChallenge({ purpose: 'identity_proofing', client: 'pass-app', account: 'acct-2', issuedAt: T0 });
    expect(await reasonOf(verifier.verifySignatureProof({ ...input, challenge: other }))).toBe('signature_invalid');
  });

  test('signature of the wrong length, empty challenge', async () => {
    const { verifier } = harness(pki);
    const input = await proof();
    expect(await reasonOf(verifier.verifySignatureProof({ ...input, signature: input.signature.subarray(1) }))).toBe('malformed_signature');
    expect(await reasonOf(verifier.verifySignatureProof({ ...input, challenge: new Uint8Array() }))).toBe('invalid_challenge');
  });

  test('certificate from a CA that is not configured, even when its CA is supplied as an intermediate (the on-card copy)', async () => {
    const { verifier } = harness(pki);
    const input = await proof({}, pki.otherCa);
    expect(await reasonOf(verifier.verifySignatureProof(input))).toBe('untrusted_chain');
    expect(await reasonOf(verifier.verifySignatureProof({ ...input, intermediates: [pki.otherCa.certificateDer] }))).toBe('untrusted_chain');
  });

  test('issuer name of a real J-LIS root but signed by another key, under production settings', async () => {
    const fake = DevJpkiCa.create({
      now: new Date(T0.getTime() - 365 * DAY),
      keyPair: pki.keys[2]!,
      subject: [['C', 'JP'], ['O', 'JPKI'], ['OU', 'JPKI for digital signature'], ['OU', 'Japan Agency for Local Authority Information Systems']],
    });
    const production = createJpkiVerifier({
      trustAnchors: loadTrustAnchors(realRootPaths(), { productionOnly: true }),
      revocation: { check: () => Promise.reject(new Error('not reached')) },
      allowTestPolicies: false,
      now: () => T0,
    });
    const input = await proof({ policies: [JPKI_POLICY.signatureProduction] }, fake);
    expect(await reasonOf(production.verifySignatureProof(input))).toBe('untrusted_chain');
  });

  test('test policy under production settings', async () => {
    const { verifier } = harness(pki, { allowTestPolicies: false });
    expect(await reasonOf(verifier.verifySignatureProof(await proof()))).toBe('test_policy_refused');
  });

  test('unknown policy', async () => {
    const { verifier } = harness(pki);
    expect(await reasonOf(verifier.verifySignatureProof(await proof({ policies: ['1.2.392.200149.8.5.1.9.99'] })))).toBe('policy_not_allowed');
  });

  test('expired and not-yet-valid certificates (injected clock)', async () => {
    const h = harness(pki);
    const input = await proof({ notBefore: new Date(T0.getTime() - 2 * HOUR), notAfter: new Date(T0.getTime() + HOUR) });
    h.now.value = new Date(T0.getTime() + HOUR + 1000);
    expect(await reasonOf(h.verifier.verifySignatureProof(input))).toBe('certificate_expired');
    h.now.value = new Date(T0.getTime() - 3 * HOUR);
    expect(await reasonOf(h.verifier.verifySignatureProof(input))).toBe('certificate_not_yet_valid');
    h.now.value = T0;
    expect(await reasonOf(h.verifier.verifySignatureProof(input))).toBe('ok');
  });

  test('wrong keyUsage', async () => {
    const { verifier } = harness(pki);
    expect(await reasonOf(verifier.verifySignatureProof(await proof({ keyUsage: ['digitalSignature'] })))).toBe('wrong_key_usage');
    expect(await reasonOf(verifier.verifySignatureProof(await proof({ keyUsage: ['digitalSignature', 'nonRepudiation', 'keyCertSign'] })))).toBe('leaf_is_ca');
  });

  test('leaf with CA:TRUE', async () => {
    const { verifier } = harness(pki);
    expect(await reasonOf(verifier.verifySignatureProof(await proof({ basicConstraintsCa: true })))).toBe('leaf_is_ca');
  });

  test('RSA-1024 key', async () => {
    const { verifier } = harness(pki);
    const weak = generateKeyPairSync('rsa', { modulusLength: 1024 });
    const certificate = pki.signCa.issueSignatureCertificate(TARO, { publicKey: weak.publicKey, ...validity });
    const c = challenge();
    // No card holds an RSA-1024 key (the card library refuses a signature that is not 256 bytes),
    // so the forger's signature is made directly: the verifier must refuse the key regardless.
    expect(await reasonOf(verifier.verifySignatureProof({ certificate, challenge: c, signature: new Uint8Array(sign('sha256', c, weak.privateKey)) }))).toBe('weak_key');
  });

  test('unknown critical extension', async () => {
    const { verifier } = harness(pki);
    const input = await proof({ extraExtensions: [{ oid: '1.3.6.1.4.1.99999.1', critical: true, value: Uint8Array.from([0x05, 0x00]) }] });
    expect(await reasonOf(verifier.verifySignatureProof(input))).toBe('unsupported_critical_extension');
  });

  test('missing, repeated or mistyped basic-four otherNames', async () => {
    const { verifier } = harness(pki);
    const six = [
      { oid: BASIC_FOUR_OID.name, value: TARO.name },
      { oid: BASIC_FOUR_OID.nameSubstitutionFlags, value: '00000' },
      { oid: BASIC_FOUR_OID.sex, value: '1' },
      { oid: BASIC_FOUR_OID.dateOfBirth, value: '319800217' },
      { oid: BASIC_FOUR_OID.address, value: TARO.address },
      { oid: BASIC_FOUR_OID.addressSubstitutionFlags, value: '0'.repeat(15) },
    ];
    const run = async (over: Partial<IssueOptions>) => reasonOf(verifier.verifySignatureProof(await proof(over)));
    expect(await run({ otherNames: six })).toBe('ok');
    expect(await run({ otherNames: [...six].reverse() })).toBe('ok');
    expect(await run({ omitSubjectAltName: true })).toBe('missing_basic_four');
    expect(await run({ otherNames: six.filter((n) => n.oid !== BASIC_FOUR_OID.dateOfBirth) })).toBe('missing_basic_four');
    expect(await run({ otherNames: [...six, { oid: BASIC_FOUR_OID.name, value: HANAKO.name }] })).toBe('duplicate_basic_four');
    expect(await run({ otherNames: six.map((n) => (n.oid === BASIC_FOUR_OID.sex ? { ...n, type: 'printable' as const } : n)) })).toBe('invalid_basic_four');
    expect(await run({ otherNames: six.map((n) => (n.oid === BASIC_FOUR_OID.dateOfBirth ? { ...n, value: '519800217' } : n)) })).toBe('invalid_basic_four');
    expect(await run({ otherNames: six.map((n) => (n.oid === BASIC_FOUR_OID.sex ? { ...n, value: '9' } : n)) })).toBe('invalid_basic_four');
    // Unknown members of the arc (e.g. a future furigana field) are ignored.
    expect(await run({ otherNames: [...six, { oid: '1.2.392.200149.8.5.5.7', value: 'カガ　タロウ' }] })).toBe('ok');
  });

  test('revoked certificate is refused; the CRL entry reason is reported', async () => {
    const { certificate, card } = issue();
    const { parseCertificate } = await import('../../src/jpki/certificate.ts');
    const serial = parseCertificate(certificate).serialNumber;
    const crl = pki.signCa.issueCrl({
      thisUpdate: new Date(T0.getTime() - HOUR),
      revoked: [{ serialNumber: serial, revokedAt: new Date(T0.getTime() - 2 * HOUR), reason: 'affiliationChanged' }],
    });
    const provider = new CachingCrlProvider({ sources: [{ kind: 'bytes', name: 'sign.crl', data: crl }], issuers: pki.anchors.map((a) => a.certificate), now: () => T0 });
    const verifier = createJpkiVerifier({
      trustAnchors: pki.anchors,
      revocation: new CrlRevocationChecker({ provider, maxCrlAgeMs: DAY, now: () => T0 }),
      allowTestPolicies: true,
      now: () => T0,
    });
    const c = challenge();
    const err = await verifier.verifySignatureProof({ certificate, challenge: c, signature: await signed(card, c) }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(JpkiForbiddenError);
    expect(err).toBeInstanceOf(ForbiddenError);
    expect((err as JpkiForbiddenError).reason).toBe('certificate_revoked');
    expect((err as Error).message).toContain('affiliationChanged');
  });

  test('stale CRL fails closed', async () => {
    const h = harness(pki, {}, DAY);
    const input = await proof();
    h.now.value = new Date(T0.getTime() + DAY);
    expect(await reasonOf(h.verifier.verifySignatureProof(input))).toBe('revocation_unavailable');
  });
});

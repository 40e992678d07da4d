// The JPKI-AP through the card library and the APDU simulator, end to end: certificates verified by
// PASS's own verifier against the development CA, PINs counted by the card, signatures over
// DigestInfo(SHA-256(challenge)).
import { createPublicKey, verify, X509Certificate } from 'node:crypto';
import { describeCardError, isCardError, JpkiAp, readAuthenticationProof, readSignatureProof, sha256DigestInfo } from '../../src/card/index.ts';
import { JPKI_EF } from '../../src/card/jpki-ap.ts';
import { AUTHENTICATION_PIN_TRIES, SIGNATURE_PASSWORD_TRIES } from '../../src/card/simulator/index.ts';
import { digestInfoForChallenge } from '../../src/jpki/challenge-signature.ts';
import { channelTo, challenge, createPki, issueCard, reasonOf, type Pki } from './card-fixtures.ts';

let pki: Pki;

beforeAll(() => {
  pki = createPki();
});

const VERIFY = 0x20;

describe('JPKI-AP certificates and signatures', () => {
  test('a check-in proof (user-authentication certificate and signature) passes PASS’s verifier', async () => {
    const issued = await issueCard(pki);
    const bytes = challenge();
    const proof = await readAuthenticationProof(channelTo(issued.card), { pin: issued.authenticationPin, challenge: bytes });
    expect(proof.certificate).toEqual(issued.authenticationCertificate);
    expect(proof.signature).toHaveLength(256);
    const result = await pki.verifier.verifyAuthenticationProof({ certificate: proof.certificate, signature: proof.signature, challenge: bytes });
    expect(result.type).toBe('user_authentication');
    expect(result.anchor.environment).toBe('development');
    expect(result.revocation.status).toBe('good');
  });

  test('a proofing session reads both certificates; both verify, carry one serial, and sign the same challenge', async () => {
    const issued = await issueCard(pki);
    const bytes = challenge('PASS-JPKI-CHALLENGE/1\npurpose=identity_proofing');
    const proof = await readSignatureProof(channelTo(issued.card), {
      password: issued.signaturePassword.toLowerCase(), // clients upper-case it, as the card expects
      challenge: bytes,
      authenticationPin: issued.authenticationPin,
    });
    const signature = await pki.verifier.verifySignatureProof({ certificate: proof.signature.certificate, signature: proof.signature.signature, challenge: bytes });
    expect(signature.claims.name).toBe('加賀　太郎');
    expect(signature.claims.birthdate).toBe('1980-02-17');
    const authentication = await pki.verifier.verifyAuthenticationProof({ ...proof.authentication!, challenge: bytes });
    expect(signature.certificate.serialNumber).toBe(issued.serialNumber);
    expect(authentication.certificate.serialNumber).toBe(issued.serialNumber);
  });

  test('each key signs DigestInfo(SHA-256(challenge)): the signature verifies with the certificate’s public key', async () => {
    const issued = await issueCard(pki);
    const bytes = challenge('any challenge bytes');
    const digestInfo = await sha256DigestInfo(bytes);
    expect(digestInfo).toEqual(digestInfoForChallenge(bytes)); // WebCrypto and node:crypto agree
    const ap = await JpkiAp.select(channelTo(issued.card));
    await ap.verifySignaturePassword(issued.signaturePassword);
    await ap.verifyAuthenticationPin(issued.authenticationPin);
    for (const [certificate, signature] of [
      [await ap.readSignatureCertificate(), await ap.signWithSignatureKey(digestInfo)],
      [await ap.readAuthenticationCertificate(), await ap.signWithAuthenticationKey(digestInfo)],
    ] as const) {
      const key = createPublicKey(new X509Certificate(certificate).publicKey.export({ type: 'spki', format: 'pem' }));
      expect(verify('sha256', bytes, key, signature)).toBe(true);
      expect(verify('sha256', new TextEncoder().encode('another challenge'), key, signature)).toBe(false);
    }
  });

  test('the simulator also takes the key named in P2 (97 / 9A) and the card-hashes scheme (P1 03)', async () => {
    const issued = await issueCard(pki);
    const channel = channelTo(issued.card);
    const ap = await JpkiAp.select(channel);
    await ap.verifyAuthenticationPin(issued.authenticationPin);
    const bytes = challenge('hashed on the card');
    const response = await channel.exchange({ cla: 0x80, ins: 0x2a, p1: 0x03, p2: 0x97, data: bytes, le: 256 });
    expect(response.sw).toBe(0x9000);
    const key = new X509Certificate(issued.authenticationCertificate).publicKey;
    expect(verify('sha256', bytes, key, response.data)).toBe(true);
    // The signature key is still behind its own password.
    expect((await channel.exchange({ cla: 0x80, ins: 0x2a, p1: 0x03, p2: 0x9a, data: bytes, le: 256 })).sw).toBe(0x6982);
  });

  test('the card’s CA copies are readable (and only that: PASS never trusts them)', async () => {
    const issued = await issueCard(pki);
    const ap = await JpkiAp.select(channelTo(issued.card));
    expect(await ap.readAuthenticationCaCertificate()).toEqual(pki.issuers.cas.authentication.certificateDer);
    await ap.verifySignaturePassword(issued.signaturePassword);
    expect(await ap.readSignatureCaCertificate()).toEqual(pki.issuers.cas.signature.certificateDer);
  });

  test('the signature certificate and key need the password first (69 82 → pin_not_verified)', async () => {
    const issued = await issueCard(pki);
    const ap = await JpkiAp.select(channelTo(issued.card));
    expect(await reasonOf(ap.readSignatureCertificate())).toBe('pin_not_verified');
    expect(await reasonOf(ap.signWithSignatureKey(await sha256DigestInfo(challenge())))).toBe('pin_not_verified');
    expect(await reasonOf(ap.signWithAuthenticationKey(await sha256DigestInfo(challenge())))).toBe('pin_not_verified');
    // Only a SHA-256 DigestInfo is ever handed to the card.
    expect(await reasonOf(ap.signWithAuthenticationKey(new Uint8Array(51)))).toBe('invalid_command');
  });

  test('a card without a signature certificate (under 15) says so', async () => {
    const issued = await issueCard(pki, { withoutSignatureCertificate: true });
    expect(issued.signatureCertificate).toBeUndefined();
    const channel = channelTo(issued.card);
    expect(await reasonOf(readSignatureProof(channel, { password: 'PASS1234', challenge: challenge() }))).toBe('no_signature_certificate');
    // The user-authentication side still works.
    await expect(readAuthenticationProof(channel, { pin: issued.authenticationPin, challenge: challenge() })).resolves.toBeDefined();
  });

  test('another application selected in between is caught rather than signing under a reset PIN state', async () => {
    const issued = await issueCard(pki);
    const channel = channelTo(issued.card);
    const ap = await JpkiAp.select(channel);
    await ap.verifyAuthenticationPin(issued.authenticationPin);
    const { TextAp } = await import('../../src/card/text-ap.ts');
    await TextAp.select(channel);
    expect(await reasonOf(ap.readAuthenticationCertificate())).toBe('card_state');
  });
});

describe('PIN counters', () => {
  test('the retry counter is read without spending a try (empty VERIFY → 63 Cx)', async () => {
    const issued = await issueCard(pki);
    const ap = await JpkiAp.select(channelTo(issued.card));
    for (let i = 0; i < 4; i++) {
      expect(await ap.authenticationPinStatus()).toEqual({ locked: false, triesLeft: AUTHENTICATION_PIN_TRIES });
      expect(await ap.signaturePinStatus()).toEqual({ locked: false, triesLeft: SIGNATURE_PASSWORD_TRIES });
    }
    expect(issued.card.triesLeft('jpki', JPKI_EF.authenticationPin)).toBe(3);
    expect(issued.card.triesLeft('jpki', JPKI_EF.signaturePin)).toBe(5);
    const verifies = issued.card.exchanges.filter((e) => e.ins === VERIFY);
    expect(verifies.every((e) => e.lc === 0 && e.sw >> 4 === 0x63c)).toBe(true);
  });

  test('verify reads the counter first, then sends the PIN once', async () => {
    const issued = await issueCard(pki);
    const ap = await JpkiAp.select(channelTo(issued.card));
    await ap.verifyAuthenticationPin(issued.authenticationPin);
    const verifies = issued.card.exchanges.filter((e) => e.ins === VERIFY).map((e) => [e.lc, e.sw.toString(16)]);
    expect(verifies).toEqual([
      [0, '63c3'],
      [4, '9000'],
    ]);
  });

  test('a wrong PIN is 63 C2: a typed error with the tries left, in Japanese and English', async () => {
    const issued = await issueCard(pki);
    const ap = await JpkiAp.select(channelTo(issued.card));
    const error = await ap.verifyAuthenticationPin('9999').catch((e: unknown) => e);
    expect(isCardError(error, 'wrong_pin')).toBe(true);
    if (!isCardError(error)) throw error;
    expect(error.triesLeft).toBe(2);
    expect(error.sw).toBe(0x63c2);
    expect(error.status).toBe(400);
    expect(error.details).toMatchObject({ attempts_left: 2 });
    expect(describeCardError(error, 'ja')).toBe('暗証番号が違います。あと 2 回間違えるとロックされます。');
    expect(describeCardError(error, 'en')).toBe('Wrong PIN. 2 more wrong tries lock it.');
    // The right PIN resets the counter, as on the chip.
    await ap.verifyAuthenticationPin(issued.authenticationPin);
    expect((await ap.authenticationPinStatus()).triesLeft).toBe(3);
  });

  test('the last wrong try locks the PIN; a locked card refuses without the PIN being sent', async () => {
    const issued = await issueCard(pki);
    const channel = channelTo(issued.card);
    const ap = await JpkiAp.select(channel);
    expect(await reasonOf(ap.verifyAuthenticationPin('0000'))).toBe('wrong_pin');
    expect(await reasonOf(ap.verifyAuthenticationPin('0000'))).toBe('wrong_pin');
    const last = await ap.verifyAuthenticationPin('0000').catch((e: unknown) => e);
    expect(isCardError(last, 'pin_locked')).toBe(true);
    expect(issued.card.triesLeft('jpki', JPKI_EF.authenticationPin)).toBe(0);
    expect(await ap.authenticationPinStatus()).toEqual({ locked: true, triesLeft: 0 });

    const before = issued.card.exchanges.length;
    const refused = await ap.verifyAuthenticationPin(issued.authenticationPin).catch((e: unknown) => e);
    expect(isCardError(refused, 'pin_locked')).toBe(true);
    if (isCardError(refused)) expect(describeCardError(refused, 'ja')).toContain('窓口');
    const sent = issued.card.exchanges.slice(before);
    expect(sent.some((e) => e.ins === VERIFY && e.lc > 0)).toBe(false); // the right PIN never reached the card
    expect(sent.at(-1)!.sw).toBe(0x6984);
    expect(await reasonOf(readAuthenticationProof(channel, { pin: issued.authenticationPin, challenge: challenge() }))).toBe('pin_locked');
    expect(await reasonOf(ap.signWithAuthenticationKey(await sha256DigestInfo(challenge())))).toBe('pin_not_verified');
    // The PIN sent to the card directly (no counter read first) is answered 69 84 too.
    await channel.exchange({ cla: 0, ins: 0xa4, p1: 0x02, p2: 0x0c, data: Uint8Array.of(0x00, 0x18) });
    const direct = await channel.exchange({ cla: 0, ins: VERIFY, p1: 0, p2: 0x80, data: new TextEncoder().encode(issued.authenticationPin) });
    expect(direct.sw).toBe(0x6984);
  });

  test('the signature password allows 5 tries; format errors cost none', async () => {
    const issued = await issueCard(pki);
    const ap = await JpkiAp.select(channelTo(issued.card));
    expect(await reasonOf(ap.verifySignaturePassword('ab'))).toBe('invalid_sign_password');
    expect(await reasonOf(ap.verifySignaturePassword('PASS-1234'))).toBe('invalid_sign_password');
    expect(await reasonOf(ap.verifyAuthenticationPin('12345'))).toBe('invalid_pin');
    expect(issued.card.triesLeft('jpki', JPKI_EF.signaturePin)).toBe(5);
    const left: (number | undefined)[] = [];
    for (let i = 0; i < 4; i++) left.push(((await ap.verifySignaturePassword('WRONG123').catch((e: unknown) => e)) as { triesLeft?: number }).triesLeft);
    expect(left).toEqual([4, 3, 2, 1]);
    expect(await reasonOf(ap.verifySignaturePassword('WRONG123'))).toBe('pin_locked');
    expect(await reasonOf(ap.verifySignaturePassword(issued.signaturePassword))).toBe('pin_locked');
  });
});

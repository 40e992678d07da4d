import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type AuthenticationResponseJSON,
  type WebAuthnCredential,
} from '@simplewebauthn/server';
import { decodeAttestationObject, parseAuthenticatorData } from '@simplewebauthn/server/helpers';
import { SoftAuthenticator, userIdOf } from '../helpers/soft-authenticator.ts';

/**
 * The software authenticator that passkey tests and the sign-in benchmark use, proven against
 * the verifier PASS uses (@simplewebauthn/server), not against itself.
 */
const RP_ID = 'pass.example.jp';
const ORIGIN = `https://${RP_ID}`;
const ACCOUNT_ID = '5b0f6a2e-3c1d-4e8f-9a7b-1c2d3e4f5a6b';

async function registered(authenticator: SoftAuthenticator, accountId = ACCOUNT_ID): Promise<WebAuthnCredential> {
  const options = await generateRegistrationOptions({
    rpName: 'PASS',
    rpID: RP_ID,
    userName: `${accountId}@example.jp`,
    userID: new TextEncoder().encode(accountId),
    attestationType: 'none',
    authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
  });
  const response = authenticator.register(options, ORIGIN);
  const result = await verifyRegistrationResponse({ response, expectedChallenge: options.challenge, expectedOrigin: ORIGIN, expectedRPID: RP_ID, requireUserVerification: true });
  expect(result.verified).toBe(true);
  return result.registrationInfo!.credential;
}

async function assertion(authenticator: SoftAuthenticator, select: { userId?: string } = {}, allow?: WebAuthnCredential[]) {
  const options = await generateAuthenticationOptions({
    rpID: RP_ID,
    userVerification: 'required',
    ...(allow ? { allowCredentials: allow.map((c) => ({ id: c.id })) } : {}),
  });
  return { options, response: authenticator.authenticate(options, ORIGIN, select) };
}

/** The verifier's answer, a throw counted as a refusal (it throws on origin/RP/challenge mismatches). */
async function verifies(response: AuthenticationResponseJSON, challenge: string, credential: WebAuthnCredential, origin = ORIGIN) {
  return verifyAuthenticationResponse({ response, expectedChallenge: challenge, expectedOrigin: origin, expectedRPID: RP_ID, credential, requireUserVerification: true }).then(
    (r) => r,
    () => ({ verified: false as const, authenticationInfo: undefined }),
  );
}

describe('SoftAuthenticator', () => {
  test('registers a discoverable ES256 credential the real verifier accepts: attestation none, UP+UV, counter 0, zero AAGUID', async () => {
    const authenticator = new SoftAuthenticator();
    const options = await generateRegistrationOptions({
      rpName: 'PASS',
      rpID: RP_ID,
      userName: 'resident@example.jp',
      userID: new TextEncoder().encode(ACCOUNT_ID),
      authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
    });
    const response = authenticator.register(options, ORIGIN);
    const result = await verifyRegistrationResponse({ response, expectedChallenge: options.challenge, expectedOrigin: ORIGIN, expectedRPID: RP_ID, requireUserVerification: true });
    expect(result.verified).toBe(true);
    const info = result.registrationInfo!;
    expect(info.fmt).toBe('none');
    expect(info.aaguid).toBe('00000000-0000-0000-0000-000000000000');
    expect(info.credential.id).toBe(response.id);
    expect(info.credential.counter).toBe(0);
    expect(info.userVerified).toBe(true);
    expect(info.credentialDeviceType).toBe('singleDevice');
    expect(info.credentialBackedUp).toBe(false);
    expect(JSON.parse(Buffer.from(response.response.clientDataJSON, 'base64url').toString('utf8'))).toEqual({
      type: 'webauthn.create',
      challenge: options.challenge,
      origin: ORIGIN,
      crossOrigin: false,
    });
    const authData = parseAuthenticatorData(decodeAttestationObject(Buffer.from(response.response.attestationObject, 'base64url')).get('authData'));
    expect(authData.flags).toMatchObject({ up: true, uv: true, at: true, be: false, bs: false });
    // The exported credential is the one registered, for the user of the options.
    const held = authenticator.credential(response.id)!;
    expect(held.rpId).toBe(RP_ID);
    expect(held.userId).toBe(options.user.id);
    expect(held.userId).toBe(userIdOf(ACCOUNT_ID));
    expect(Buffer.from(held.publicKey).equals(Buffer.from(info.credential.publicKey))).toBe(true);
  });

  test('a synced authenticator sets BE and BS: multiDevice, backed up', async () => {
    const authenticator = new SoftAuthenticator({ backedUp: true });
    const options = await generateRegistrationOptions({ rpName: 'PASS', rpID: RP_ID, userName: 'r@example.jp', authenticatorSelection: { residentKey: 'required' } });
    const result = await verifyRegistrationResponse({ response: authenticator.register(options, ORIGIN), expectedChallenge: options.challenge, expectedOrigin: ORIGIN, expectedRPID: RP_ID });
    expect(result.registrationInfo).toMatchObject({ credentialDeviceType: 'multiDevice', credentialBackedUp: true });
  });

  test('refuses to register again where it holds one of excludeCredentials', async () => {
    const authenticator = new SoftAuthenticator();
    const credential = await registered(authenticator);
    const options = await generateRegistrationOptions({
      rpName: 'PASS',
      rpID: RP_ID,
      userName: 'r@example.jp',
      userID: new TextEncoder().encode(ACCOUNT_ID),
      excludeCredentials: [{ id: credential.id }],
    });
    expect(() => authenticator.register(options, ORIGIN)).toThrow(/InvalidStateError/);
  });

  test('asserts with a discoverable credential (no allowCredentials): verified, user verified, userHandle = user.id, counter increases', async () => {
    const authenticator = new SoftAuthenticator();
    let credential = await registered(authenticator);
    for (const expected of [1, 2, 3]) {
      const { options, response } = await assertion(authenticator);
      expect(options.allowCredentials ?? []).toEqual([]);
      expect(response.id).toBe(credential.id);
      expect(response.response.userHandle).toBe(userIdOf(ACCOUNT_ID));
      expect(Buffer.from(response.response.userHandle!, 'base64url').toString('utf8')).toBe(ACCOUNT_ID);
      expect(JSON.parse(Buffer.from(response.response.clientDataJSON, 'base64url').toString('utf8'))).toEqual({
        type: 'webauthn.get',
        challenge: options.challenge,
        origin: ORIGIN,
        crossOrigin: false,
      });
      const result = await verifies(response, options.challenge, credential);
      expect(result.verified).toBe(true);
      expect(result.authenticationInfo).toMatchObject({ newCounter: expected, userVerified: true, credentialBackedUp: false });
      credential = { ...credential, counter: result.authenticationInfo!.newCounter };
    }
  });

  test('asserts with a credential of allowCredentials', async () => {
    const authenticator = new SoftAuthenticator();
    const first = await registered(authenticator, ACCOUNT_ID);
    const second = await registered(authenticator, 'another-account');
    const { options, response } = await assertion(authenticator, {}, [second]);
    expect(response.id).toBe(second.id);
    expect((await verifies(response, options.challenge, second)).verified).toBe(true);
    // The other credential's key does not verify it.
    expect((await verifies(response, options.challenge, { ...first, id: second.id })).verified).toBe(false);
  });

  test('several discoverable credentials for the RP: the caller says whose, as a user choosing in the browser would', async () => {
    const authenticator = new SoftAuthenticator();
    await registered(authenticator, 'account-a');
    const b = await registered(authenticator, 'account-b');
    await expect(assertion(authenticator)).rejects.toThrow(/say which/);
    const { options, response } = await assertion(authenticator, { userId: userIdOf('account-b') });
    expect(response.id).toBe(b.id);
    expect(response.response.userHandle).toBe(userIdOf('account-b'));
    expect((await verifies(response, options.challenge, b)).verified).toBe(true);
    await expect(assertion(authenticator, { userId: userIdOf('nobody') })).rejects.toThrow(/NotAllowedError/);
  });

  test('a tampered signature, authenticatorData or clientDataJSON, another origin, another challenge: all refused', async () => {
    const authenticator = new SoftAuthenticator();
    const credential = await registered(authenticator);
    const { options, response } = await assertion(authenticator);
    const signature = Buffer.from(response.response.signature, 'base64url');
    signature[signature.length - 1]! ^= 0x01;
    const badSignature = { ...response, response: { ...response.response, signature: signature.toString('base64url') } };
    expect((await verifies(badSignature, options.challenge, credential)).verified).toBe(false);

    const authData = Buffer.from(response.response.authenticatorData, 'base64url');
    authData[authData.length - 1]! ^= 0x01; // the counter, still a valid structure
    const badAuthData = { ...response, response: { ...response.response, authenticatorData: authData.toString('base64url') } };
    expect((await verifies(badAuthData, options.challenge, credential)).verified).toBe(false);

    const clientData = JSON.parse(Buffer.from(response.response.clientDataJSON, 'base64url').toString('utf8')) as Record<string, unknown>;
    const otherClientData = Buffer.from(JSON.stringify({ ...clientData, tokenBinding: { status: 'supported' } })).toString('base64url');
    const badClientData = { ...response, response: { ...response.response, clientDataJSON: otherClientData } };
    expect((await verifies(badClientData, options.challenge, credential)).verified).toBe(false);

    expect((await verifies(response, options.challenge, credential, 'https://evil.example.jp')).verified).toBe(false);
    expect((await verifies(response, 'c29tZS1vdGhlci1jaGFsbGVuZ2U', credential)).verified).toBe(false);
    // An assertion made on another origin is refused where PASS expects its own.
    const elsewhere = authenticator.authenticate(options, 'https://evil.example.jp');
    expect((await verifies(elsewhere, options.challenge, { ...credential, counter: 1 })).verified).toBe(false);
    // The untouched assertion verifies: the refusals above are the tampering's.
    expect((await verifies(response, options.challenge, credential)).verified).toBe(true);
  });

  test('one key pair, many credentials (the benchmark seeds accounts so): each verifies with the shared COSE public key', async () => {
    const authenticator = new SoftAuthenticator();
    const template = authenticator.create(RP_ID, userIdOf('template'));
    const accounts = ['account-1', 'account-2', 'account-3'];
    const seeded = accounts.map((account) => authenticator.addCredential({ id: `cred-${account}`, rpId: RP_ID, userId: userIdOf(account), privateKey: template.privateKey }));
    expect(new Set(seeded.map((c) => c.id)).size).toBe(accounts.length);
    for (const [i, account] of accounts.entries()) {
      expect(Buffer.from(seeded[i]!.publicKey).equals(Buffer.from(template.publicKey))).toBe(true);
      const { options, response } = await assertion(authenticator, { userId: userIdOf(account) });
      expect(response.id).toBe(`cred-${account}`);
      const stored: WebAuthnCredential = { id: seeded[i]!.id, publicKey: template.publicKey, counter: 0 };
      const result = await verifies(response, options.challenge, stored);
      expect(result).toMatchObject({ verified: true, authenticationInfo: { newCounter: 1 } });
    }
    // Export and import into another authenticator (another browser of the same user): counters carry over.
    const other = new SoftAuthenticator();
    for (const c of authenticator.credentials()) other.addCredential({ ...c });
    const { options, response } = await assertion(other, { userId: userIdOf('account-2') });
    expect((await verifies(response, options.challenge, { id: 'cred-account-2', publicKey: template.publicKey, counter: 1 })).authenticationInfo?.newCounter).toBe(2);
    expect(() => other.addCredential({ ...template })).toThrow(/already held/);
  });
});

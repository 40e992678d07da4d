/**
 * Sign-in at AAL2 through PASS's own pages, without a browser (issue 15): the authenticator app
 * (TOTP, RFC 6238 vectors and replay), passkeys (a software authenticator against the real
 * verifier), remembered browsers, a relying party asking the strong class, the account security
 * API, and PASS Manager's API refusing a weaker staff token (RFC 9470).
 */
import { decodeJwt } from 'jose';
import { createStorage, startPass, type TestStorage } from '../helpers/pass.ts';
import { storageModes } from '../helpers/services.ts';
import { csrfOf, exchangeCode, request } from '../helpers/browserless.ts';
import { SoftAuthenticator } from '../helpers/soft-authenticator.ts';
import { REASON_MESSAGES } from '../../src/identity/interactions/reason-messages.ts';
import { base32Decode, hotp, matchingStep, totpStep, TotpAuthenticators } from '../../src/identity/factors/totp.ts';
import { latestCode, Visitor, REDIRECT, type Pass } from './flow.ts';
import { runtime, withFacilities } from '../kiosk/helpers.ts';

const mode = storageModes().at(-1)!;
const HANAKO = { email: 'hanako@example.jp', password: 'yamashiro onsen 2026', phone: '09066667777' };
const JIRO = { email: 'jiro@example.jp', password: 'katayamazu onsen 2026' };

describe('TOTP (RFC 6238)', () => {
  test('the RFC 6238 appendix B SHA-1 vectors, 8 digits', () => {
    const secret = Buffer.from('12345678901234567890');
    const vectors: Array<[number, string]> = [
      [59, '94287082'],
      [1111111109, '07081804'],
      [1234567890, '89005924'],
      [2000000000, '69279037'],
    ];
    for (const [seconds, code] of vectors) expect(hotp(secret, totpStep(new Date(seconds * 1000)), 8)).toBe(code);
  });

  test('a code is accepted one step either side of now, not two', () => {
    const secret = Buffer.from('12345678901234567890');
    const now = new Date(1_800_000_000_000);
    const step = totpStep(now);
    expect(matchingStep(secret, hotp(secret, step - 1), now)).toBe(step - 1);
    expect(matchingStep(secret, hotp(secret, step + 1), now)).toBe(step + 1);
    expect(matchingStep(secret, hotp(secret, step - 2), now)).toBeUndefined();
    expect(matchingStep(secret, hotp(secret, step + 2), now)).toBeUndefined();
  });
});

describe(`second factors on ${mode}`, () => {
  let storage: TestStorage;
  let pass: Pass;
  let hanakoId: string;
  let jiroId: string;

  beforeAll(async () => {
    storage = await createStorage(mode);
    pass = await startPass({ ...storage.env, RATE_LIMIT_PER_ACCOUNT: '100' });
    await pass.oidc.clients.create({ clientId: 'kaga-rp', name: '加賀市医療センター', redirectUris: [REDIRECT], tokenEndpointAuthMethod: 'none' });
    hanakoId = (await pass.platform.accounts.create({ ...HANAKO, verified: true })).id;
    jiroId = (await pass.platform.accounts.create({ ...JIRO, verified: true })).id;
  });

  afterAll(async () => {
    await pass?.close();
    await storage?.cleanup();
  });

  /** After the sign-in: consent where asked, then the code redeemed at the token endpoint. */
  async function tokensAfterConsent(v: Visitor, clientId = 'kaga-rp'): Promise<Record<string, unknown>> {
    await v.follow();
    if (/action="(\/interaction\/[^/]+\/consent)"/.test(v.html)) {
      await v.post(/action="(\/interaction\/[^/]+\/consent)"/.exec(v.html)![1]!, { decision: 'allow' });
      await v.follow();
    }
    return exchangeCode(pass.issuer, clientId, REDIRECT, v.code(), v.verifier);
  }

  async function idTokenAfterConsent(v: Visitor): Promise<Record<string, unknown>> {
    return decodeJwt(String((await tokensAfterConsent(v)).id_token));
  }

  /** Password, then the SMS code, for a client with its own scope: its access token. */
  async function tokenWithSms(clientId: string, extra: Record<string, string>, login: { email: string; password: string; sms: string }): Promise<string> {
    const v = await new Visitor(pass.issuer, 'en').startSignIn(clientId, extra);
    await v.post(`/interaction/${v.uid}/login`, { login: login.email, password: login.password });
    await v.follow();
    await v.post(`/interaction/${v.uid}/verify`, { code: await latestCode(pass, login.sms) });
    return String((await tokensAfterConsent(v, clientId)).access_token);
  }

  test('password alone signs nobody in: the SMS code page follows, and the session starts only after it', async () => {
    const v = await new Visitor(pass.issuer, 'ja').startSignIn('kaga-rp');
    await v.post(`/interaction/${v.uid}/login`, { login: HANAKO.phone, password: HANAKO.password });
    expect(v.status).toBe(303);
    expect(v.location).toBe(`/interaction/${v.uid}/verify`);
    await v.follow();
    expect(v.html).toContain('090-****-7777');
    // An authorization request in the same browser still finds nobody signed in.
    const silent = new URL('/auth', pass.issuer);
    silent.search = new URLSearchParams({ client_id: 'kaga-rp', redirect_uri: REDIRECT, response_type: 'code', scope: 'openid', prompt: 'none', code_challenge: 'x'.repeat(43), code_challenge_method: 'S256' }).toString();
    const answer = await request(v.jar, silent.toString());
    expect(new URL(answer.headers.get('location')!).searchParams.get('error')).toBe('login_required');
    // A wrong code is refused with the tries left; the right one signs in.
    await v.post(`/interaction/${v.uid}/verify`, { code: (await latestCode(pass, '+819066667777')) === '000000' ? '111111' : '000000' });
    expect(v.status).toBe(400);
    expect(v.alert()).toBe(REASON_MESSAGES['reason.code_wrong']!.ja.replace('{n}', '4'));
    await v.post(`/interaction/${v.uid}/verify`, { code: await latestCode(pass, '+819066667777') });
    const idToken = await idTokenAfterConsent(v);
    expect(idToken.amr).toEqual(['pwd', 'sms', 'mfa']);
    expect(idToken.acr).toBe('urn:pass:acr:mfa');
  });

  test('a remembered browser signs in with the password alone until revoked; amr still names the code it stands for', async () => {
    const v = await new Visitor(pass.issuer, 'en').startSignIn('kaga-rp');
    await v.post(`/interaction/${v.uid}/login`, { login: HANAKO.email, password: HANAKO.password });
    await v.follow();
    expect(v.html).toContain('Remember this device for 30 days');
    await v.post(`/interaction/${v.uid}/verify`, { code: await latestCode(pass, '+819066667777'), remember: '1' });
    await idTokenAfterConsent(v);
    const [device] = await pass.platform.db('remembered_devices').where({ account_id: hanakoId });
    expect(device).toMatchObject({ factor: 'sms', revoked_at: null });
    expect(device.secret_hash).toMatch(/^[0-9a-f]{64}$/);

    const again = new Visitor(pass.issuer, 'en');
    Object.assign(again, { jar: v.jar });
    await again.startSignIn('kaga-rp', { prompt: 'login' });
    await again.post(`/interaction/${again.uid}/login`, { login: HANAKO.email, password: HANAKO.password });
    expect(again.location).not.toContain('/verify');
    const idToken = await idTokenAfterConsent(again);
    expect(idToken.amr).toEqual(['pwd', 'sms', 'mfa']);
    expect(idToken.acr).toBe('urn:pass:acr:mfa');

    // An altered cookie (its secret changed, the MAC kept) is worth nothing: the code is asked.
    const [id, secret, mac] = v.jar.get('pass_device')!.split('.');
    const forgedJar = new Visitor(pass.issuer, 'en');
    forgedJar.jar.set('pass_device', `${id}.${secret!.slice(0, -2)}AA.${mac}`);
    await forgedJar.startSignIn('kaga-rp', { prompt: 'login' });
    await forgedJar.post(`/interaction/${forgedJar.uid}/login`, { login: HANAKO.email, password: HANAKO.password });
    expect(forgedJar.location).toBe(`/interaction/${forgedJar.uid}/verify`);

    // The cookie does not sign another account in without its own code.
    const other = new Visitor(pass.issuer, 'en');
    Object.assign(other, { jar: v.jar });
    await other.startSignIn('kaga-rp', { prompt: 'login' });
    await other.post(`/interaction/${other.uid}/login`, { login: JIRO.email, password: JIRO.password });
    expect(other.location).toBe(`/interaction/${other.uid}/verify`);

    // Revoked (from the app, or by a password reset): the code is asked again.
    await pass.platform.db('remembered_devices').where({ account_id: hanakoId }).update({ revoked_at: new Date() });
    const revoked = new Visitor(pass.issuer, 'en');
    Object.assign(revoked, { jar: v.jar });
    await revoked.startSignIn('kaga-rp', { prompt: 'login' });
    await revoked.post(`/interaction/${revoked.uid}/login`, { login: HANAKO.email, password: HANAKO.password });
    expect(revoked.location).toBe(`/interaction/${revoked.uid}/verify`);
  });

  test('an authenticator app replaces the SMS code; its code works once; the ID token says strong', async () => {
    const totp = new TotpAuthenticators(pass.platform.db, pass.platform.box);
    const { secret, otpauthUri } = await totp.begin(jiroId, JIRO.email);
    expect(otpauthUri).toMatch(/^otpauth:\/\/totp\/PASS:jiro%40example\.jp\?secret=[A-Z2-7]+&issuer=PASS&algorithm=SHA1&digits=6&period=30$/);
    const key = base32Decode(secret);
    await expect(totp.confirm(jiroId, '12345')).rejects.toMatchObject({ reason: 'totp_code_format' });
    await totp.confirm(jiroId, hotp(key, totpStep(new Date()) - 1));
    const stored = await pass.platform.db('totp_authenticators').where({ account_id: jiroId }).first();
    expect(stored.secret_sealed).not.toContain(secret);

    const v = await new Visitor(pass.issuer, 'ja').startSignIn('kaga-rp', { prompt: 'login' });
    await v.post(`/interaction/${v.uid}/login`, { login: JIRO.email, password: JIRO.password });
    await v.follow();
    expect(v.html).toContain('認証アプリのコード(6桁の数字)');
    const code = hotp(key, totpStep(new Date()));
    await v.post(`/interaction/${v.uid}/verify`, { code });
    const idToken = await idTokenAfterConsent(v);
    expect(idToken.amr).toEqual(['pwd', 'otp', 'mfa']);
    expect(idToken.acr).toBe('urn:pass:acr:mfa-strong');

    // The same code again (seen over a shoulder) is refused.
    const replay = await new Visitor(pass.issuer, 'ja').startSignIn('kaga-rp', { prompt: 'login' });
    await replay.post(`/interaction/${replay.uid}/login`, { login: JIRO.email, password: JIRO.password });
    await replay.follow();
    await replay.post(`/interaction/${replay.uid}/verify`, { code });
    expect(replay.status).toBe(400);
    expect(replay.alert()).toBe(REASON_MESSAGES['reason.totp_code_invalid']!.ja);
  });

  test('passkeys: registered through the security API, then sign-in with no password; a forged assertion is refused', async () => {
    // A PASS API token for Hanako (password + SMS), as the PASS app holds one.
    await pass.oidc.clients.create({ clientId: 'security-test', name: 'security API test', redirectUris: [REDIRECT], tokenEndpointAuthMethod: 'none' });
    const token = await tokenWithSms('security-test', { scope: 'openid pass:api', resource: `${pass.issuer}/api`, prompt: 'login' }, { ...HANAKO, sms: '+819066667777' });
    const api = async (path: string, init: RequestInit = {}) => {
      const response = await fetch(`${pass.issuer}/api/account/security${path}`, { ...init, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...init.headers } });
      const text = await response.text();
      return { status: response.status, body: text ? (JSON.parse(text) as Record<string, any>) : {} };
    };
    expect((await api('')).body).toMatchObject({ passkeys: [], totp: { enrolled: false }, strong: false, phone: { masked: '090-****-7777', verified: true } });

    const origin = new URL(pass.issuer).origin;
    const authenticator = new SoftAuthenticator();
    const options = (await api('/passkeys/options', { method: 'POST' })).body;
    expect(options.rp.id).toBe('127.0.0.1');
    expect(options.authenticatorSelection).toMatchObject({ residentKey: 'required', userVerification: 'required' });
    // A registration made for another origin is refused, and nothing is stored.
    const wrongOrigin = new SoftAuthenticator().register(options as never, 'http://evil.example');
    expect((await api('/passkeys', { method: 'POST', body: JSON.stringify({ response: wrongOrigin }) })).status).toBe(400);
    expect(await pass.platform.db('passkeys').where({ account_id: hanakoId })).toHaveLength(0);
    const fresh = (await api('/passkeys/options', { method: 'POST' })).body;
    const added = await api('/passkeys', { method: 'POST', body: JSON.stringify({ response: authenticator.register(fresh as never, origin), name: 'Hanako phone' }) });
    expect(added.status).toBe(201);
    expect((await api('')).body).toMatchObject({ passkeys: [{ name: 'Hanako phone' }], strong: true });

    // Sign-in with the passkey alone; `alter` plays the attacker with the assertion the browser made.
    type Assertion = ReturnType<SoftAuthenticator['authenticate']>;
    const signIn = async (alter: (fresh: Assertion) => Assertion = (fresh) => fresh) => {
      const p = await new Visitor(pass.issuer, 'en').startSignIn('kaga-rp', { prompt: 'login' });
      const csrf = csrfOf(p.html);
      const optionsResponse = await request(p.jar, `${pass.issuer}/interaction/${p.uid}/passkey/options`, { method: 'POST', body: new URLSearchParams({ csrf }) });
      const requestOptions = (await optionsResponse.json()) as never;
      const assertion = alter(authenticator.authenticate(requestOptions, origin));
      const answer = await request(p.jar, `${pass.issuer}/interaction/${p.uid}/passkey`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ csrf, response: assertion }),
      });
      return { p, assertion, status: answer.status, body: (await answer.json()) as { ok: boolean; next?: string; reason?: string } };
    };
    const forged = await signIn((a) => ({ ...a, response: { ...a.response, signature: Buffer.from('forged signature bytes').toString('base64url') } }));
    expect(forged).toMatchObject({ status: 400, body: { ok: false, reason: 'passkey_invalid' } });
    // Hanako's passkey claiming to be Jiro's (another account's user handle) is refused.
    const otherUser = await signIn((a) => ({ ...a, response: { ...a.response, userHandle: Buffer.from(jiroId).toString('base64url') } }));
    expect(otherUser).toMatchObject({ status: 400, body: { ok: false, reason: 'passkey_invalid' } });
    const good = await signIn();
    expect(good.body.ok).toBe(true);
    // The same assertion replayed into a new sign-in (a new challenge) is refused.
    const replayed = await signIn(() => good.assertion);
    expect(replayed).toMatchObject({ status: 400, body: { ok: false, reason: 'passkey_invalid' } });
    good.p.location = good.body.next!;
    const idToken = await idTokenAfterConsent(good.p);
    expect(idToken.amr).toEqual(['hwk', 'user', 'mfa']);
    expect(idToken.acr).toBe('urn:pass:acr:mfa-strong');
    const [row] = await pass.platform.db('passkeys').where({ account_id: hanakoId });
    expect(Number(row.counter)).toBeGreaterThan(0);
    expect(row.last_used_at).not.toBeNull();
  });

  test('a relying party asking urn:pass:acr:mfa-strong gets the step, never less: SMS alone is unmet', async () => {
    // Hanako (passkey) on an SMS session is asked for her passkey, not signed in at mfa.
    const v = await new Visitor(pass.issuer, 'en').startSignIn('kaga-rp', { prompt: 'login' });
    await v.post(`/interaction/${v.uid}/login`, { login: HANAKO.email, password: HANAKO.password });
    await v.follow();
    await v.post(`/interaction/${v.uid}/verify`, { code: await latestCode(pass, '+819066667777') });
    await idTokenAfterConsent(v);
    const strong = new Visitor(pass.issuer, 'en');
    Object.assign(strong, { jar: v.jar });
    await strong.startSignIn('kaga-rp', { acr_values: 'urn:pass:acr:mfa-strong' });
    expect(strong.html).toContain('Confirm with a passkey');

    // An account with only a phone cannot meet it: the relying party hears so.
    const nobody = await pass.platform.accounts.create({ email: 'sms-only@example.jp', password: 'sms only password 2026', phone: '09088889999', verified: true });
    const w = await new Visitor(pass.issuer, 'en').startSignIn('kaga-rp', { acr_values: 'urn:pass:acr:mfa-strong' });
    await w.post(`/interaction/${w.uid}/login`, { login: 'sms-only@example.jp', password: 'sms only password 2026' });
    await w.follow();
    const error = w.location ? new URL(w.location, pass.issuer).searchParams.get('error') : null;
    expect(error).toBe('unmet_authentication_requirements');
    expect(nobody.id).toBeDefined();
  });

  test('the Manager API refuses a staff token from an SMS sign-in with the RFC 9470 step-up challenge', async () => {
    await withFacilities(pass);
    const staff = await pass.platform.accounts.create({ email: 'sms.staff@example.jp', password: 'sms staff password 2026', phone: '09033334444', verified: true });
    await runtime(pass).staff.assign({ accountId: staff.id, role: 'facility_staff', facilityId: 'kaga-niconico-park' });
    await pass.oidc.clients.create({ clientId: 'manager-sms-test', name: 'manager API (test)', redirectUris: [REDIRECT], tokenEndpointAuthMethod: 'none' });
    const token = await tokenWithSms('manager-sms-test', { scope: 'openid manager', resource: `${pass.issuer}/api` }, { email: 'sms.staff@example.jp', password: 'sms staff password 2026', sms: '+819033334444' });
    const response = await fetch(`${pass.issuer}/api/manager/me`, { headers: { authorization: `Bearer ${token}` } });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toContain('error="insufficient_user_authentication"');
    expect(response.headers.get('www-authenticate')).toContain('acr_values="urn:pass:acr:mfa-strong"');
    expect(((await response.json()) as { reason: string }).reason).toBe('insufficient_user_authentication');
  });

  test('discovery lists the acr values', async () => {
    const discovery = (await (await fetch(`${pass.issuer}/.well-known/openid-configuration`)).json()) as { acr_values_supported: string[] };
    expect(discovery.acr_values_supported).toEqual(expect.arrayContaining(['urn:pass:acr:mfa', 'urn:pass:acr:mfa-strong', 'urn:pass:acr:jpki-sign', 'urn:pass:acr:face']));
  });
});

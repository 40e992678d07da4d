/**
 * The stand-in for the Digital Agency's authorization server that a development PASS serves itself
 * (nothing configured): what it requires of a relying party, as the published reference does —
 * a registered client and redirect URI, PKCE S256, state and nonce, private_key_jwt with the
 * registered key, one-time codes — and the phone app's card: a 4-digit PIN checked by the simulated
 * card, with its tries left and its lock. PASS's own relying party goes through it end to end.
 */
import { createHash, generateKeyPairSync, randomBytes } from 'node:crypto';
import { SignJWT } from 'jose';
import { storageModes } from '../../helpers/services.ts';
import { developmentKey, signingKeyOf, type SigningKey } from '../../../src/identity/proofing/digital-agency/keys.ts';
import { api, appToken, newAccount, startEnv, stopEnv, type Env } from '../../jpki/proofing-helpers.ts';
import { TARO_CLAIMS } from '../../jpki/fixtures.ts';
import { proveWithApp, start, useApp } from './digital-agency-helpers.ts';

const mode = storageModes().at(-1)!;
const CLIENT = 'PASSDEV0001';

describe(`the Digital Agency stand-in a development PASS serves (${mode})`, () => {
  let env: Env;
  let base: string;
  let redirectUri: string;
  let rpKey: SigningKey;
  let token: string;

  beforeAll(async () => {
    env = await startEnv(mode);
    base = `${env.pass.issuer}/dev/digital-agency/realms/main`;
    redirectUri = `${env.pass.issuer}/app/identity/digital-agency/callback`;
    rpKey = await developmentKey(env.pass.platform.db, env.pass.platform.box, 'digital-agency-rp');
    await newAccount(env, 'sora@example.jp');
    token = await appToken(env, 'sora@example.jp');
  }, 120_000);

  afterAll(async () => {
    await stopEnv(env);
  });

  function authUrl(overrides: Record<string, string | undefined> = {}): string {
    const verifier = randomBytes(32).toString('base64url');
    const params: Record<string, string | undefined> = {
      response_type: 'code',
      client_id: CLIENT,
      redirect_uri: redirectUri,
      scope: 'openid name address birthdate gender',
      state: 's-' + randomBytes(8).toString('hex'),
      nonce: 'n-' + randomBytes(8).toString('hex'),
      code_challenge: createHash('sha256').update(verifier).digest('base64url'),
      code_challenge_method: 'S256',
      ...overrides,
    };
    const url = new URL(`${base}/protocol/openid-connect/auth`);
    for (const [k, v] of Object.entries(params)) if (v !== undefined) url.searchParams.set(k, v);
    return url.href;
  }

  async function assertion(key: SigningKey = rpKey, audience = `${base}/protocol/openid-connect/token`): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({ jti: randomBytes(16).toString('hex') })
      .setProtectedHeader({ alg: key.alg, kid: key.kid })
      .setIssuer(CLIENT)
      .setSubject(CLIENT)
      .setAudience(audience)
      .setIssuedAt(now)
      .setExpirationTime(now + 60)
      .sign(key.privateKey);
  }

  async function token_(fields: Record<string, string>): Promise<{ status: number; body: Record<string, any> }> {
    const response = await fetch(`${base}/protocol/openid-connect/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields).toString(),
    });
    return { status: response.status, body: (await response.json()) as Record<string, any> };
  }

  test('discovery and keys at the reference\'s Keycloak paths', async () => {
    const discovery = (await (await fetch(`${base}/.well-known/openid-configuration`)).json()) as Record<string, any>;
    expect(discovery).toMatchObject({
      issuer: base,
      authorization_endpoint: `${base}/protocol/openid-connect/auth`,
      token_endpoint: `${base}/protocol/openid-connect/token`,
      userinfo_endpoint: `${base}/protocol/openid-connect/userinfo`,
      jwks_uri: `${base}/protocol/openid-connect/certs`,
      code_challenge_methods_supported: ['S256'],
      token_endpoint_auth_methods_supported: ['private_key_jwt'],
      id_token_signing_alg_values_supported: ['ES256'],
    });
    const jwks = (await (await fetch(discovery.jwks_uri)).json()) as { keys: Array<Record<string, unknown>> };
    expect(jwks.keys).toEqual([expect.objectContaining({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' })]);
    expect(jwks.keys[0]).not.toHaveProperty('d');
  });

  test('an unknown client or redirect URI gets a page, never a redirect; other faults go back with an error', async () => {
    for (const url of [authUrl({ client_id: 'RP99999999' }), authUrl({ redirect_uri: 'https://evil.example/cb' }), authUrl({ state: undefined })]) {
      const page = await fetch(url, { redirect: 'manual' });
      expect(page.status).toBe(400);
      expect(await page.text()).toContain('この依頼は受け付けられません');
    }
    const cases: Array<[Record<string, string | undefined>, string]> = [
      [{ code_challenge_method: 'plain' }, 'invalid_request'],
      [{ code_challenge: undefined }, 'invalid_request'],
      [{ nonce: undefined }, 'invalid_request'],
      [{ scope: 'name address' }, 'invalid_scope'],
      [{ response_type: 'token' }, 'unsupported_response_type'],
    ];
    for (const [overrides, error] of cases) {
      const answer = await fetch(authUrl({ ...overrides, state: 'kept' }), { redirect: 'manual' });
      expect(answer.status).toBe(303);
      const to = new URL(answer.headers.get('location')!);
      expect({ to: `${to.origin}${to.pathname}`, error: to.searchParams.get('error'), state: to.searchParams.get('state') }).toEqual({ to: redirectUri, error, state: 'kept' });
    }
  });

  test('the phone app page: the card counts wrong PINs, says the tries left, and locks after three', async () => {
    const first = await useApp(authUrl(), 'sakai-ichiro', '0000');
    expect(first.status).toBe(400);
    expect(first.html).toContain('暗証番号が違います。あと 2 回間違えるとロックされます。');
    expect((await useApp(authUrl(), 'sakai-ichiro', '12')).html).toContain('暗証番号は数字4桁で入力してください。');
    expect((await useApp(authUrl(), 'sakai-ichiro', '1111')).html).toContain('あと 1 回');
    const locked = await useApp(authUrl(), 'sakai-ichiro', '2222');
    expect(locked.html).toMatch(/ロック/);
    // Locked: even the right PIN no longer opens the card.
    const after = await useApp(authUrl(), 'sakai-ichiro', '1234');
    expect(after.status).toBe(400);
    expect(after.html).toMatch(/ロック/);
    // Another resident's card is not affected.
    expect((await useApp(authUrl(), 'toyooka-megumi', '1234')).status).toBe(303);
  });

  test('the token endpoint: private_key_jwt with the registered key, PKCE S256, and a code used once', async () => {
    const verifier = randomBytes(32).toString('base64url');
    const url = authUrl({ code_challenge: createHash('sha256').update(verifier).digest('base64url') });
    const { redirect } = await useApp(url, 'kaga-hanako');
    const code = redirect!.code!;
    const grant = { grant_type: 'authorization_code', code, redirect_uri: redirectUri, code_verifier: verifier, client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer' };

    expect(await token_({ grant_type: 'authorization_code', code, redirect_uri: redirectUri, code_verifier: verifier })).toMatchObject({ status: 401, body: { error: 'invalid_client' } });
    const stranger = await signingKeyOf(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey);
    expect(await token_({ ...grant, client_assertion: await assertion(stranger) })).toMatchObject({ status: 401, body: { error: 'invalid_client' } });
    expect(await token_({ ...grant, client_assertion: await assertion(rpKey, 'https://elsewhere.example/token') })).toMatchObject({ status: 401 });
    // Neither attempt spent the code; a wrong verifier does, and the code is gone after it.
    expect(await token_({ ...grant, code_verifier: randomBytes(32).toString('base64url'), client_assertion: await assertion() })).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    expect(await token_({ ...grant, client_assertion: await assertion() })).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });

    const second = randomBytes(32).toString('base64url');
    const { redirect: again } = await useApp(authUrl({ code_challenge: createHash('sha256').update(second).digest('base64url') }), 'kaga-hanako');
    const used = await assertion();
    const issued = await token_({ ...grant, code: again!.code!, code_verifier: second, client_assertion: used });
    expect(issued).toMatchObject({ status: 200, body: { token_type: 'Bearer', id_token: expect.any(String), access_token: expect.any(String) } });
    // The same assertion (its jti) is not taken twice.
    expect((await token_({ ...grant, client_assertion: used })).body.error).toBe('invalid_client');
    const userinfo = await fetch(`${base}/protocol/openid-connect/userinfo`, { headers: { authorization: `Bearer ${String(issued.body.access_token)}` } });
    expect(await userinfo.json()).toMatchObject({ name: '加賀　花子', birthdate: '1984-07-03', gender: 'female', address: '石川県加賀市作見町ル２５番地１' });
    expect((await fetch(`${base}/protocol/openid-connect/userinfo`)).status).toBe(401);
  });

  test('PASS proofs a resident through its own stand-in', async () => {
    const started = await start(env, token);
    expect(started.authorizationUrl.startsWith(`${base}/protocol/openid-connect/auth?`)).toBe(true);
    const verified = await proveWithApp(env, token, 'kaga-taro');
    expect(verified).toMatchObject({ status: 200, body: { claims: TARO_CLAIMS } });
    const confirmed = await api(env, token, 'POST', '/api/identity/digital-agency/confirm', { verification_id: verified.body.verification_id });
    expect(confirmed.body.status).toBe('bound');
  });
});

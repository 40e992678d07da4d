/**
 * Proofing through the Digital Agency's app (issue 16, residents' phones), against a stand-in
 * authorization server that follows the published reference (PKCE S256, state, nonce,
 * private_key_jwt, one-time codes, ES256 ID tokens, UserInfo), with real PostgreSQL (and Redis
 * where there is one), real crypto and PASS's real JPKI verifier behind the stand-in's card. Every
 * refusal carries its reason, and nothing is stored for it: the evidence tables and the pending
 * records are checked each time. A relying party then receives verified_claims whose evidence names
 * the Digital Agency's app.
 */
import { generateKeyPairSync } from 'node:crypto';
import { storageModes } from '../../helpers/services.ts';
import { authorize, exchangeCode } from '../../helpers/browserless.ts';
import { signingKeyOf } from '../../../src/identity/proofing/digital-agency/keys.ts';
import { digitalAgencySubjectKey } from '../../../src/identity/proofing/digital-agency/evidence.ts';
import { api, appToken, countRows, newAccount, PASSWORD, RP_REDIRECT } from '../../jpki/proofing-helpers.ts';
import { TARO_CLAIMS } from '../../jpki/fixtures.ts';
import { CALLBACK_PATH, proveWithApp, start, startDaEnv, useApp, type DaEnv } from './digital-agency-helpers.ts';

const mode = storageModes().at(-1)!;

function decodeJwt(jwt: string): Record<string, any> {
  return JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, any>;
}

describe(`proofing through the Digital Agency's app (${mode})`, () => {
  let env: DaEnv;
  let taro: string;
  let other: string;
  let otherAccount: string;

  /** Everything a proof would leave: evidence rows, bindings, and the pending records of this path. */
  async function stored(): Promise<{ evidence: number; bindings: number; pending: number }> {
    const redis = env.pass.platform.redis;
    const pending = redis
      ? (await redis.keys('pass:jpki:da-pending:*')).length
      : Number(((await env.pass.platform.db('jpki_transients').where('key', 'like', 'da-pending:%').count({ n: '*' })) as Array<{ n: string }>)[0]!.n);
    return { evidence: await countRows(env, 'identity_verifications'), bindings: await countRows(env, 'person_identities'), pending };
  }

  async function refusedWithNothingStored(answer: Promise<{ status: number; body: Record<string, any> }>, status: number, reason: string): Promise<void> {
    const before = await stored();
    const result = await answer;
    expect({ status: result.status, reason: result.body.reason }).toEqual({ status, reason });
    expect(result.body.message).toEqual({ ja: expect.any(String), en: expect.any(String) });
    expect(await stored()).toEqual(before);
  }

  beforeAll(async () => {
    env = await startDaEnv(mode);
    await newAccount(env, 'taro@example.jp');
    otherAccount = await newAccount(env, 'other@example.jp');
    taro = await appToken(env, 'taro@example.jp');
    other = await appToken(env, 'other@example.jp');
    await env.pass.oidc.clients.create({ clientId: 'kaga-rp', name: '加賀市 テスト施設', redirectUris: [RP_REDIRECT], tokenEndpointAuthMethod: 'none' });
  }, 180_000);

  afterEach(() => {
    delete env.tampering.idToken;
    delete env.tampering.userinfo;
  });

  afterAll(async () => {
    await env?.closeStandIn();
    await env?.pass.close();
    await env?.storage.cleanup();
  });

  test('the authorization request is the reference\'s: code, the four scopes, PKCE S256, state and nonce, the registered redirect URI', async () => {
    const availability = await api(env, taro, 'GET', '/api/identity/digital-agency/availability');
    expect(availability.body).toEqual({ available: true, environment: 'development' });
    const { authorizationUrl } = await start(env, taro);
    const url = new URL(authorizationUrl);
    expect(`${url.origin}${url.pathname}`).toBe(`${env.issuer}/protocol/openid-connect/auth`);
    const q = Object.fromEntries(url.searchParams);
    expect(q).toEqual({
      client_id: 'RP00000001',
      response_type: 'code',
      scope: 'openid name address birthdate gender',
      redirect_uri: `${env.pass.issuer}${CALLBACK_PATH}`,
      state: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      nonce: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      code_challenge: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      code_challenge_method: 'S256',
    });
    expect(q.state).not.toBe(q.nonce);
  });

  test('a forged ID token (signed by another key) is refused, nothing stored', async () => {
    const forger = await signingKeyOf(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey);
    env.tampering.idToken = (claims) => ({ claims, key: forger });
    await refusedWithNothingStored(proveWithApp(env, taro, 'kaga-taro'), 403, 'digital_agency_id_token_invalid');
  });

  test('an ID token with another nonce is refused, nothing stored', async () => {
    env.tampering.idToken = (claims) => ({ claims: { ...claims, nonce: 'another-nonce' } });
    await refusedWithNothingStored(proveWithApp(env, taro, 'kaga-taro'), 403, 'digital_agency_nonce_mismatch');
  });

  test('an ID token from another issuer is refused, and so is an answer naming another issuer; nothing stored', async () => {
    env.tampering.idToken = (claims) => ({ claims: { ...claims, iss: 'https://auth-and-sign.example/realms/main' } });
    await refusedWithNothingStored(proveWithApp(env, taro, 'kaga-taro'), 403, 'digital_agency_issuer_mismatch');
    delete env.tampering.idToken;
    const started = await start(env, taro);
    const { redirect } = await useApp(started.authorizationUrl, 'kaga-taro');
    await refusedWithNothingStored(
      api(env, taro, 'POST', '/api/identity/digital-agency/callback', { request_id: started.requestId, ...redirect, iss: 'https://evil.example/realms/main' }),
      403,
      'digital_agency_issuer_mismatch',
    );
  });

  test('an ID token for another audience, or signed with an algorithm other than ES256/RS256, is refused', async () => {
    env.tampering.idToken = (claims) => ({ claims: { ...claims, aud: 'RP99999999' } });
    await refusedWithNothingStored(proveWithApp(env, taro, 'kaga-taro'), 403, 'digital_agency_id_token_invalid');
    // PS256: refused for its algorithm, which PASS checks before it looks for the key.
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    const ps256 = { ...(await signingKeyOf(rsa)), alg: 'PS256' as never };
    env.tampering.idToken = (claims) => ({ claims, key: ps256 });
    await refusedWithNothingStored(proveWithApp(env, taro, 'kaga-taro'), 403, 'digital_agency_id_token_invalid');
  });

  test('an at_hash that does not match the access token, and an expired ID token, are refused', async () => {
    env.tampering.idToken = (claims) => ({ claims: { ...claims, at_hash: 'AAAAAAAAAAAAAAAAAAAAAA' } });
    await refusedWithNothingStored(proveWithApp(env, taro, 'kaga-taro'), 403, 'digital_agency_id_token_invalid');
    const past = Math.floor(Date.now() / 1000) - 3600;
    env.tampering.idToken = (claims) => ({ claims: { ...claims, iat: past - 300, exp: past } });
    await refusedWithNothingStored(proveWithApp(env, taro, 'kaga-taro'), 403, 'digital_agency_id_token_invalid');
  });

  test('a state that is not the request\'s is refused, and the request is used up', async () => {
    const started = await start(env, taro);
    const { redirect } = await useApp(started.authorizationUrl, 'kaga-taro');
    const body = { request_id: started.requestId, ...redirect };
    await refusedWithNothingStored(api(env, taro, 'POST', '/api/identity/digital-agency/callback', { ...body, state: 'not-the-state' }), 403, 'digital_agency_state_mismatch');
    await refusedWithNothingStored(api(env, taro, 'POST', '/api/identity/digital-agency/callback', body), 400, 'digital_agency_request_expired');
  });

  test('an expired request, or one of another account, is refused', async () => {
    const started = await start(env, taro);
    const { redirect } = await useApp(started.authorizationUrl, 'kaga-taro');
    const body = { request_id: started.requestId, ...redirect };
    await refusedWithNothingStored(api(env, other, 'POST', '/api/identity/digital-agency/callback', body), 400, 'digital_agency_request_expired');
    const accountId = (await env.pass.platform.accounts.findByEmail('taro@example.jp'))!.id;
    const key = `da-request:${accountId}:${started.requestId}`;
    const redis = env.pass.platform.redis;
    if (redis) await redis.pexpire(`pass:jpki:${key}`, 1);
    else await env.pass.platform.db('jpki_transients').where({ key }).update({ expires_at: new Date(Date.now() - 1000) });
    await new Promise((resolve) => setTimeout(resolve, 20));
    await refusedWithNothingStored(api(env, taro, 'POST', '/api/identity/digital-agency/callback', body), 400, 'digital_agency_request_expired');
  });

  test('a code is redeemed once: a replayed code is refused', async () => {
    const first = await start(env, taro);
    const { redirect } = await useApp(first.authorizationUrl, 'kaga-taro');
    const answer = await api(env, taro, 'POST', '/api/identity/digital-agency/callback', { request_id: first.requestId, ...redirect });
    expect(answer.status).toBe(200);
    // The same code again, under a fresh request of the same account (the only way to reach the token endpoint twice).
    const second = await start(env, taro);
    await refusedWithNothingStored(
      api(env, taro, 'POST', '/api/identity/digital-agency/callback', { request_id: second.requestId, state: second.state, code: redirect!.code, iss: env.issuer }),
      400,
      'digital_agency_code_invalid',
    );
  });

  test('cancelling in the app, or not sharing all four facts, is refused with its reason', async () => {
    const started = await start(env, taro);
    const { redirect } = await useApp(started.authorizationUrl, 'kaga-taro', '1234', 'cancel');
    expect(redirect?.error).toBe('access_denied');
    await refusedWithNothingStored(api(env, taro, 'POST', '/api/identity/digital-agency/callback', { request_id: started.requestId, ...redirect }), 400, 'digital_agency_cancelled');
    env.tampering.userinfo = ({ address: _dropped, ...rest }) => rest;
    await refusedWithNothingStored(proveWithApp(env, taro, 'kaga-taro'), 400, 'digital_agency_basic_four_missing');
    env.tampering.userinfo = (claims) => ({ ...claims, birthdate: '2999-01-01' });
    await refusedWithNothingStored(proveWithApp(env, taro, 'kaga-taro'), 403, 'digital_agency_userinfo_invalid');
  });

  test('the malformed answer is refused before anything is used', async () => {
    const started = await start(env, taro);
    const bad = await api(env, taro, 'POST', '/api/identity/digital-agency/callback', { request_id: started.requestId, state: started.state });
    expect(bad).toMatchObject({ status: 400, body: { reason: 'invalid_request' } });
    const none = await fetch(new URL('/api/identity/digital-agency/start', env.pass.issuer), { method: 'POST' });
    expect(none.status).toBe(401);
  });

  test('a resident proofs through the app, confirms, and a relying party receives verified_claims naming the Digital Agency\'s app', async () => {
    const verified = await proveWithApp(env, taro, 'kaga-taro');
    expect(verified.status).toBe(200);
    expect(verified.body).toMatchObject({ claims: TARO_CLAIMS, reverification: false });
    expect((await stored()).evidence).toBe(0);

    const confirmed = await api(env, taro, 'POST', '/api/identity/digital-agency/confirm', { verification_id: verified.body.verification_id });
    expect(confirmed).toMatchObject({ status: 200, body: { status: 'bound', claims: TARO_CLAIMS } });
    const again = await api(env, taro, 'POST', '/api/identity/digital-agency/confirm', { verification_id: verified.body.verification_id });
    expect(again.body.reason).toBe('verification_expired');

    const row = await env.pass.platform.db('identity_verifications').where({ person_id: confirmed.body.person_id }).first();
    expect(row).toMatchObject({ method: 'digital_agency_app', issuer: env.issuer, anchor_environment: 'development', revocation_status: 'good', revocation_method: 'da_app' });
    // The Digital Agency's sub is kept only as a keyed hash.
    expect(row.serial_number).toMatch(/^[0-9a-f]{64}$/);
    const status = await api(env, taro, 'GET', '/api/identity/jpki/verification');
    expect(status.body).toMatchObject({ verified: true, claims: { name: '加賀　太郎' }, history: [{ method: 'digital_agency_app', current: true }] });

    const request = {
      verification: { trust_framework: null, time: null, evidence: [{ type: { value: 'electronic_record' }, check_details: null, record: null }] },
      claims: { name: null, birthdate: null, gender: null, address: null },
    };
    const flow = await authorize({
      issuer: env.pass.issuer, clientId: 'kaga-rp', redirectUri: RP_REDIRECT, login: 'taro@example.jp', password: PASSWORD, scope: 'openid profile address',
      claims: { id_token: { verified_claims: request } },
    });
    const tokens = await exchangeCode(env.pass.issuer, 'kaga-rp', RP_REDIRECT, flow.code, flow.verifier);
    const idToken = decodeJwt(String(tokens.id_token));
    expect(idToken.verified_claims).toEqual({
      verification: {
        trust_framework: `${env.pass.issuer}/ida/trust_framework/digital_agency_app`,
        time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
        evidence: [
          {
            type: 'electronic_record',
            check_details: [{ check_method: 'vcrypt', organization: 'デジタル庁', time: expect.any(String) }],
            record: { type: 'population_register', source: { name: 'デジタル認証アプリ', country_code: 'JPN' } },
          },
        ],
      },
      claims: { name: '加賀　太郎', birthdate: '1980-02-17', gender: 'male', address: TARO_CLAIMS.address },
    });
    // A relying party asking only for card evidence gets no verified_claims for this proof (IDA: the constraint cannot be met).
    const cardOnly = await authorize({
      issuer: env.pass.issuer, clientId: 'kaga-rp', redirectUri: RP_REDIRECT, login: 'taro@example.jp', password: PASSWORD, scope: 'openid profile',
      claims: { id_token: { verified_claims: { ...request, verification: { evidence: [{ type: { value: 'electronic_signature' } }] } } } },
    });
    const cardTokens = await exchangeCode(env.pass.issuer, 'kaga-rp', RP_REDIRECT, cardOnly.code, cardOnly.verifier);
    expect(decodeJwt(String(cardTokens.id_token)).verified_claims).toBeUndefined();
  }, 60_000);

  test('the same Digital Agency identity cannot proof a second account, even with other facts; nothing stored', async () => {
    await refusedWithNothingStored(proveWithApp(env, other, 'kaga-taro'), 409, 'already_registered');
    // Another name for the same sub (a marriage, say): the sub alone still holds it to the first person.
    env.tampering.userinfo = (claims) => ({ ...claims, name: '小松　太郎' });
    const refused = proveWithApp(env, other, 'kaga-taro');
    await refusedWithNothingStored(refused, 409, 'already_registered');
    expect((await refused).body.recovery).toBe('sign_in_or_reset_password');
    expect(await env.pass.platform.db('persons as p').join('person_identities as pi', 'pi.person_id', 'p.id').where('p.account_id', otherAccount).first()).toBeUndefined();
    // The subject key is the one stored for the first account.
    const held = await env.pass.platform.db('identity_verifications').where({ method: 'digital_agency_app' }).select('serial_number');
    expect(held).toHaveLength(1);
    expect(held[0].serial_number).not.toBe(digitalAgencySubjectKey('x'.repeat(32), env.issuer, 'anything'));
  });

  test('the same resident may prove again (moved, renewed): an update, and the person stays the same', async () => {
    const verified = await proveWithApp(env, taro, 'kaga-taro');
    expect(verified.body.reverification).toBe(true);
    const confirmed = await api(env, taro, 'POST', '/api/identity/digital-agency/confirm', { verification_id: verified.body.verification_id });
    expect(confirmed.body.status).toBe('updated');
    // Another resident on the same account is the card path's identity_mismatch.
    await refusedWithNothingStored(proveWithApp(env, taro, 'kaga-hanako'), 403, 'identity_mismatch');
  });
});

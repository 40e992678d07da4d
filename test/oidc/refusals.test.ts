import * as oidc from 'openid-client';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import { randomUUID } from 'node:crypto';
import { createStorage, startPass, type TestStorage } from '../helpers/pass.ts';
import { storageModes } from '../helpers/services.ts';
import { basic, codeParams, insecure, postForm, resident, walk, type Pass } from './rp.ts';
import { readCatalog } from '../../src/facilities/facility-service.ts';
import { proofedResident, RP_REDIRECT, TARO } from '../households/family-helpers.ts';
import { APP_REDIRECT } from '../jpki/proofing-helpers.ts';
import { authParams, jwtPayload, walkFacility } from './facility-helpers.ts';

const mode = storageModes().at(-1)!;

/**
 * Requests the specifications say must fail: each gets the defined error, and no code or token
 * is issued. A claim outside the facility's policy is the one case the specifications say must
 * not fail (OpenID Connect Core §5.5.1): it is ignored, and no token ever carries it.
 */
describe(`refusals at the authorization, PAR and token endpoints (${mode})`, () => {
  let storage: TestStorage;
  let pass: Pass;
  let user: { id: string; email: string };
  let client: { clientId: string; clientSecret: string };
  let config: oidc.Configuration;

  const redirect = () => `${pass.issuer}/rp/cb`;
  const token = () => `${pass.issuer}/token`;

  beforeAll(async () => {
    storage = await createStorage(mode);
    pass = await startPass(storage.env);
    user = await resident(pass);
    const registered = await pass.oidc.clients.create({ name: 'RP', redirectUris: [redirect()] });
    client = { clientId: registered.clientId, clientSecret: registered.clientSecret! };
    config = await oidc.discovery(new URL(pass.issuer), client.clientId, undefined, oidc.ClientSecretBasic(client.clientSecret), insecure);
  });

  let facility: oidc.Configuration;

  beforeAll(async () => {
    // A facility's relying party (加賀市立図書館: name and resident_of required; e-mail, phone, address,
    // age_over_18 optional), its JWT resource server, and a resident proofed with the virtual card.
    await pass.platform.facilities.importCatalog(readCatalog());
    await pass.oidc.clients.create({ clientId: 'pass-app-test', name: 'PASS app (test)', redirectUris: [APP_REDIRECT], tokenEndpointAuthMethod: 'none' });
    const library = await pass.oidc.clients.create({ clientId: 'library-rp', name: '加賀市立図書館', facilityId: 'kaga-library', redirectUris: [RP_REDIRECT], grantTypes: ['authorization_code', 'refresh_token'] });
    await pass.oidc.resourceServers.create({ identifier: 'https://books.kaga.example/api', name: '図書館 API', scopes: ['books'], tokenFormat: 'jwt', facilityId: 'kaga-library' });
    facility = await oidc.discovery(new URL(pass.issuer), 'library-rp', undefined, oidc.ClientSecretBasic(library.clientSecret!), insecure);
    await proofedResident({ storage, pass, cards: pass.provided.proofing!.pki.dev! }, 'taro.refusals@example.jp', TARO, 'taro-refusals');
  }, 60_000);

  afterAll(async () => {
    await pass?.close();
    await storage?.cleanup();
  });

  async function code(): Promise<{ code: string; verifier: string }> {
    const { params, verifier } = await codeParams(redirect());
    const { callback } = await walk(oidc.buildAuthorizationUrl(config, params), redirect(), user);
    return { code: callback.searchParams.get('code')!, verifier };
  }

  const exchange = (form: Record<string, string>, headers: Record<string, string> = {}) =>
    postForm(token(), { grant_type: 'authorization_code', redirect_uri: redirect(), ...form }, { authorization: basic(client.clientId, client.clientSecret), ...headers });

  test('missing PKCE: invalid_request back at the relying party, no code', async () => {
    const { params } = await codeParams(redirect());
    const { code_challenge: _c, code_challenge_method: _m, ...withoutPkce } = params;
    const { callback } = await walk(oidc.buildAuthorizationUrl(config, withoutPkce), redirect(), user);
    expect(callback.searchParams.get('error')).toBe('invalid_request');
    expect(callback.searchParams.get('error_description')).toMatch(/PKCE/);
    expect(callback.searchParams.get('code')).toBeNull();
    expect(callback.searchParams.get('iss')).toBe(pass.issuer);

    // plain is not S256: refused as well.
    const plain = await fetch(oidc.buildAuthorizationUrl(config, { ...params, code_challenge_method: 'plain' }), { redirect: 'manual' });
    expect(new URL(plain.headers.get('location')!).searchParams.get('error')).toBe('invalid_request');

    // A code obtained with PKCE cannot be redeemed without the verifier.
    const issued = await code();
    const noVerifier = await exchange({ code: issued.code });
    expect(noVerifier).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    expect(noVerifier.body).not.toHaveProperty('access_token');
  });

  test('a redirect_uri that is not registered: an error page at PASS, never a redirect; at the token endpoint invalid_grant', async () => {
    const { params } = await codeParams('https://evil.example/cb');
    const response = await fetch(oidc.buildAuthorizationUrl(config, params), { redirect: 'manual' });
    expect(response.status).toBe(400);
    expect(response.headers.get('location')).toBeNull();
    expect(await response.text()).toContain('invalid_redirect_uri');

    const issued = await code();
    const wrong = await exchange({ code: issued.code, code_verifier: issued.verifier, redirect_uri: `${pass.issuer}/rp/other` });
    expect(wrong).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    expect(wrong.body).not.toHaveProperty('access_token');
  });

  test('a replayed code: invalid_grant, and the tokens issued for it are revoked', async () => {
    const issued = await code();
    const first = await exchange({ code: issued.code, code_verifier: issued.verifier });
    expect(first.status).toBe(200);
    const replay = await exchange({ code: issued.code, code_verifier: issued.verifier });
    expect(replay).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    expect(replay.body).not.toHaveProperty('access_token');
    expect((await oidc.tokenIntrospection(config, String(first.body.access_token))).active).toBe(false);
  });

  test('a bad DPoP proof: invalid_dpop_proof, no token', async () => {
    const issued = await code();
    const garbage = await exchange({ code: issued.code, code_verifier: issued.verifier }, { dpop: 'not.a.proof' });
    expect(garbage).toMatchObject({ status: 400, body: { error: 'invalid_dpop_proof' } });
    expect(garbage.body).not.toHaveProperty('access_token');

    // A well-formed proof for another endpoint (htu) is refused too.
    const { privateKey, publicKey } = await generateKeyPair('ES256');
    const proof = await new SignJWT({ htm: 'POST', htu: `${pass.issuer}/other`, jti: randomUUID() })
      .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk: await exportJWK(publicKey) })
      .setIssuedAt()
      .sign(privateKey);
    const wrongHtu = await exchange({ code: issued.code, code_verifier: issued.verifier }, { dpop: proof });
    expect(wrongHtu).toMatchObject({ status: 400, body: { error: 'invalid_dpop_proof' } });
    expect(wrongHtu.body).not.toHaveProperty('access_token');
  });

  test('an expired request_uri: invalid_request_uri, no code', async () => {
    const { params } = await codeParams(redirect());
    const pushed = await postForm(`${pass.issuer}/request`, { ...params, response_type: 'code', client_id: client.clientId }, { authorization: basic(client.clientId, client.clientSecret) });
    expect(pushed.status).toBe(201);
    const requestUri = String(pushed.body.request_uri);
    // Age the pushed request past its lifetime (expires_in) without waiting for it.
    const model = pass.oidc.host.provider.PushedAuthorizationRequest;
    const id = requestUri.split(':').pop()!;
    const stored = await model.adapter.find(id);
    await model.adapter.upsert(id, { ...stored!, exp: Math.floor(Date.now() / 1000) - 5 }, 60);

    const url = new URL(`${pass.issuer}/auth`);
    url.search = new URLSearchParams({ client_id: client.clientId, request_uri: requestUri }).toString();
    const response = await fetch(url, { redirect: 'manual' });
    const location = response.headers.get('location');
    const error = location ? new URL(location).searchParams.get('error') : /invalid_request_uri/.exec(await response.text())?.[0];
    expect(error).toBe('invalid_request_uri');
    if (location) expect(new URL(location).searchParams.get('code')).toBeNull();
  });

  test('an unknown client: invalid_client at every endpoint, no code or token', async () => {
    const { params } = await codeParams(redirect());
    const url = new URL(`${pass.issuer}/auth`);
    url.search = new URLSearchParams({ ...params, client_id: 'no-such-client', response_type: 'code' }).toString();
    const authorization = await fetch(url, { redirect: 'manual' });
    expect(authorization.status).toBe(400);
    expect(authorization.headers.get('location')).toBeNull();
    expect(await authorization.text()).toContain('invalid_client');

    const tokenResponse = await postForm(token(), { grant_type: 'client_credentials' }, { authorization: basic('no-such-client', 'secret') });
    expect(tokenResponse).toMatchObject({ status: 401, body: { error: 'invalid_client' } });
    expect(tokenResponse.body).not.toHaveProperty('access_token');

    const par = await postForm(`${pass.issuer}/request`, params, { authorization: basic('no-such-client', 'secret') });
    expect(par).toMatchObject({ status: 401, body: { error: 'invalid_client' } });
    expect(par.body).not.toHaveProperty('request_uri');
  });

  test('a claim outside the facility\'s policy, essential or not: ignored, never offered, and no token carries it', async () => {
    // birthdate, gender (profile), age, guardian and other age_over_N (resident), picture (not a PASS claim): outside the library's policy.
    const outside = (payload: Record<string, unknown>) => Object.keys(payload).filter((k) => ['birthdate', 'gender', 'age', 'guardian', 'picture'].includes(k) || (/^age_over_/.test(k) && k !== 'age_over_18'));
    const claims = {
      id_token: { birthdate: { essential: true }, gender: { essential: true }, picture: { essential: true }, name: null, resident_of: null },
      userinfo: { birthdate: { essential: true }, age: { essential: true }, guardian: null },
    };
    const email = 'taro.refusals@example.jp';
    const first = await authParams(RP_REDIRECT, 'openid profile email resident offline_access', { claims: JSON.stringify(claims), prompt: 'consent' });
    const walked = await walkFacility(oidc.buildAuthorizationUrl(facility, first.params), RP_REDIRECT, { email });
    // Not refused: a code comes back, and the consent screen never offered what the policy does not allow.
    expect(walked.callback.searchParams.get('error')).toBeNull();
    const screen = walked.pages.find((p) => p.kind === 'consent')!.html;
    for (const unit of ['birthdate', 'gender', 'age', 'guardian', 'picture']) expect(screen).not.toContain(`data-testid="claim-${unit}"`);
    expect(screen).toContain('data-testid="claim-age_over_18"');
    const tokens = await oidc.authorizationCodeGrant(facility, walked.callback, first.checks);
    const idToken = jwtPayload(tokens.id_token!);
    expect(idToken).toMatchObject({ name: '加賀　太郎', resident_of: '172065' });
    expect(outside(idToken)).toEqual([]);
    const info = await oidc.fetchUserInfo(facility, tokens.access_token, idToken.sub);
    expect(info).toMatchObject({ name: '加賀　太郎', email, age_over_18: true });
    expect(outside(info)).toEqual([]);
    expect(outside(await oidc.tokenIntrospection(facility, tokens.access_token))).toEqual([]);
    const refreshed = await oidc.refreshTokenGrant(facility, tokens.refresh_token!);
    expect(outside(jwtPayload(refreshed.id_token!))).toEqual([]);
    expect(outside(await oidc.fetchUserInfo(facility, refreshed.access_token, idToken.sub))).toEqual([]);

    // Registered now: the same request in a new browser session goes through without the screen; still nothing outside.
    const again = await authParams(RP_REDIRECT, 'openid profile email resident books', { claims: JSON.stringify(claims), resource: 'https://books.kaga.example/api' });
    const second = await walkFacility(oidc.buildAuthorizationUrl(facility, again.params), RP_REDIRECT, { email });
    expect(second.pages.map((p) => p.kind)).toEqual(['login', 'verify']);
    const jwt = await oidc.authorizationCodeGrant(facility, second.callback, again.checks, { resource: 'https://books.kaga.example/api' });
    const accessToken = jwtPayload(jwt.access_token);
    expect(accessToken.aud).toBe('https://books.kaga.example/api');
    expect(accessToken).toMatchObject({ resident_of: '172065', age_over_18: true });
    expect(outside(accessToken)).toEqual([]);
    expect(outside(jwtPayload(jwt.id_token!))).toEqual([]);
  });
});

import * as oidc from 'openid-client';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { createStorage, startPass, type TestStorage } from '../helpers/pass.ts';
import { storageModes } from '../helpers/services.ts';
import { CookieJar, request } from '../helpers/browserless.ts';
import { readCatalog } from '../../src/facilities/facility-service.ts';
import { demoClients } from '../../src/demo/seed.ts';
import { codeParams, insecure, resident, walk, type Pass } from './rp.ts';

const mode = storageModes().at(-1)!;

describe(`openid-client as the relying party: introspection, revocation, logout, resource servers, registration (${mode})`, () => {
  let storage: TestStorage;
  let pass: Pass;
  let user: { id: string; email: string };

  beforeAll(async () => {
    storage = await createStorage(mode);
    pass = await startPass(storage.env);
    await pass.platform.facilities.importCatalog(readCatalog());
    user = await resident(pass);
  });

  afterAll(async () => {
    await pass?.close();
    await storage?.cleanup();
  });

  const redirect = () => `${pass.issuer}/rp/cb`;

  /** A confidential client, signed in once; returns its configuration and tokens. */
  async function signedIn(options: { scope?: string; resource?: string; facilityId?: string; jar?: CookieJar; login?: { email: string } } = {}) {
    const registered = await pass.oidc.clients.create({
      name: 'RP',
      redirectUris: [redirect()],
      postLogoutRedirectUris: [`${pass.issuer}/rp/bye`],
      ...(options.facilityId ? { facilityId: options.facilityId } : {}),
    });
    const config = await oidc.discovery(new URL(pass.issuer), registered.clientId, undefined, oidc.ClientSecretBasic(registered.clientSecret!), insecure);
    const { params, verifier, state, nonce } = await codeParams(redirect(), options.scope ?? 'openid email offline_access');
    const url = oidc.buildAuthorizationUrl(config, { ...params, prompt: 'consent', ...(options.resource ? { resource: options.resource } : {}) });
    const walked = await walk(url, redirect(), options.login ?? user, options.jar);
    const tokens = await oidc.authorizationCodeGrant(config, walked.callback, { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce });
    return { registered, config, tokens, jar: walked.jar };
  }

  test('a resource server introspects access tokens; other relying parties learn nothing; revocation ends them', async () => {
    const { config, tokens } = await signedIn();
    const rs = await pass.oidc.clients.create({ name: '予約 API', grantTypes: [] });
    const rsConfig = await oidc.discovery(new URL(pass.issuer), rs.clientId, undefined, oidc.ClientSecretBasic(rs.clientSecret!), insecure);
    const seen = await oidc.tokenIntrospection(rsConfig, tokens.access_token);
    expect(seen).toMatchObject({ active: true, sub: user.id, client_id: config.clientMetadata().client_id, token_type: 'Bearer' });
    expect(String(seen.scope).split(' ')).toEqual(expect.arrayContaining(['openid', 'email']));

    const other = await signedIn();
    expect((await oidc.tokenIntrospection(other.config, tokens.access_token)).active).toBe(false);

    await oidc.tokenRevocation(config, tokens.access_token);
    expect((await oidc.tokenIntrospection(rsConfig, tokens.access_token)).active).toBe(false);
    await expect(oidc.fetchUserInfo(config, tokens.access_token, user.id)).rejects.toBeDefined();

    // Revoking the refresh token ends the grant: it no longer refreshes.
    await oidc.tokenRevocation(config, tokens.refresh_token!);
    await expect(oidc.refreshTokenGrant(config, tokens.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
  });

  test('RP-initiated logout: PASS confirms, ends its session and returns to the registered URI with state', async () => {
    const { config, tokens, jar } = await signedIn();
    const end = oidc.buildEndSessionUrl(config, { id_token_hint: tokens.id_token!, post_logout_redirect_uri: `${pass.issuer}/rp/bye`, state: 'bye-1' });
    const page = await request(jar, end.href);
    expect(page.status).toBe(200);
    const html = await page.text();
    const action = /<form method="post" action="([^"]+)"/.exec(html)![1]!.replace(/&amp;/g, '&');
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(html)![1]!;
    const confirmed = await request(jar, new URL(action, pass.issuer).href, { method: 'POST', body: new URLSearchParams({ xsrf, logout: 'yes' }) });
    expect(confirmed.status).toBe(303);
    expect(confirmed.headers.get('location')).toBe(`${pass.issuer}/rp/bye?state=bye-1`);

    // PASS's session is gone: the next authorization asks the resident to sign in again.
    const next = await codeParams(redirect());
    const again = await walk(oidc.buildAuthorizationUrl(config, next.params), redirect(), user, jar);
    expect(again.pages[0]).toBe('login');
  });

  test('JWT access tokens for a registered resource server; PASS API tokens stay opaque', async () => {
    const api = 'https://reservations.toyooka.example/api';
    await pass.oidc.resourceServers.create({ identifier: api, name: '予約 API', scopes: ['reservations:read', 'reservations:write'], tokenFormat: 'jwt' });
    const { tokens, registered } = await signedIn({ scope: 'openid reservations:read', resource: api });
    expect(tokens.access_token.split('.')).toHaveLength(3);
    const { payload, protectedHeader } = await jwtVerify(tokens.access_token, createRemoteJWKSet(new URL(`${pass.issuer}/jwks`)), {
      issuer: pass.issuer,
      audience: api,
      typ: 'at+jwt',
    });
    expect(protectedHeader.alg).toBe('ES256');
    expect(payload).toMatchObject({ sub: user.id, client_id: registered.clientId, scope: 'reservations:read' });

    // An unregistered resource is invalid_target, with no token.
    const cc = await pass.oidc.clients.create({ name: 'batch', grantTypes: ['client_credentials'] });
    const ccConfig = await oidc.discovery(new URL(pass.issuer), cc.clientId, undefined, oidc.ClientSecretBasic(cc.clientSecret!), insecure);
    await expect(oidc.clientCredentialsGrant(ccConfig, { resource: 'https://unknown.example/api' })).rejects.toMatchObject({ error: 'invalid_target' });
    // A resource server of one facility serves only that facility's clients.
    const hospitalApi = 'https://reception.kaga.example/api';
    await pass.oidc.resourceServers.create({ identifier: hospitalApi, name: '受付 API', scopes: ['reception'], facilityId: 'kaga-medical-center' });
    await expect(oidc.clientCredentialsGrant(ccConfig, { resource: hospitalApi, scope: 'reception' })).rejects.toMatchObject({ error: 'invalid_target' });
    const hospital = await pass.oidc.clients.create({ name: 'reception', grantTypes: ['client_credentials'], facilityId: 'kaga-medical-center' });
    const hospitalConfig = await oidc.discovery(new URL(pass.issuer), hospital.clientId, undefined, oidc.ClientSecretBasic(hospital.clientSecret!), insecure);
    const granted = await oidc.clientCredentialsGrant(hospitalConfig, { resource: hospitalApi, scope: 'reception' });
    expect(granted.access_token.split('.')).toHaveLength(3);

    const passApi = await oidc.clientCredentialsGrant(ccConfig, { resource: `${pass.issuer}/api`, scope: 'pass:api' });
    expect(passApi.access_token.split('.')).toHaveLength(1);
  });

  test('admins register clients over the admin API and mint initial access tokens for Dynamic Client Registration', async () => {
    // PASS Manager's client: seeded by its capability where that runs, else made here.
    if (!(await pass.oidc.clients.find('pass-manager'))) await pass.oidc.clients.create(demoClients(pass.issuer).find((c) => c.clientId === 'pass-manager')!);
    const manager = await pass.oidc.clients.find('pass-manager');
    const managerConfig = await oidc.discovery(new URL(pass.issuer), 'pass-manager', undefined, oidc.ClientSecretBasic(manager!.clientSecret!), insecure);
    const adminToken = async (login: { email: string }) => {
      const { params, verifier, state, nonce } = await codeParams(`${pass.issuer}/manager/callback`, 'openid admin');
      const { callback } = await walk(oidc.buildAuthorizationUrl(managerConfig, { ...params, resource: `${pass.issuer}/api` }), `${pass.issuer}/manager/callback`, login);
      return (await oidc.authorizationCodeGrant(managerConfig, callback, { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce })).access_token;
    };
    const admin = await pass.platform.accounts.create({ email: `admin.${Date.now()}@city.toyooka.example`, password: 'kinosaki onsen 2026', role: 'admin', verified: true });
    const token = await adminToken(admin);
    const api = (path: string, init: RequestInit = {}, bearer = token) =>
      fetch(`${pass.issuer}/api/admin${path}`, { ...init, headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json', ...init.headers } });

    const created = await api('/clients', {
      method: 'POST',
      body: JSON.stringify({ client_name: '豊岡市 図書館', facility_id: 'toyooka-booking', redirect_uris: ['https://library.toyooka.example/cb'], backchannel_logout_uri: 'https://library.toyooka.example/bcl' }),
    });
    expect(created.status).toBe(201);
    const body = (await created.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ client_name: '豊岡市 図書館', facility_id: 'toyooka-booking', source: 'admin', client_secret: expect.any(String) });
    const listed = (await (await api('/clients')).json()) as Array<Record<string, unknown>>;
    expect(listed.find((c) => c.client_id === body.client_id)).not.toHaveProperty('client_secret');
    expect((await api('/clients', { method: 'POST', body: JSON.stringify({ client_name: 'x', facility_id: 'nowhere' }) })).status).toBe(404);
    expect((await api('/clients', { method: 'POST', body: JSON.stringify({ client_name: 'x', extra: 1 }) })).status).toBe(400);

    // A resident's token (even through PASS Manager) and a third party's are refused.
    expect((await api('/clients', {}, await adminToken(user))).status).toBe(403);
    expect((await api('/clients', {}, 'not-a-token')).status).toBe(401);

    // Dynamic Client Registration: only with an initial access token; the facility comes from the token.
    const minted = (await (await api('/initial-access-tokens', { method: 'POST', body: JSON.stringify({ facility_id: 'toyooka-booking', ttl_seconds: 600 }) })).json()) as Record<string, string>;
    const metadata = { client_name: '予約アプリ', redirect_uris: ['https://app.toyooka.example/cb'], pass_facility_id: 'kaga-medical-center' };
    await expect(oidc.dynamicClientRegistration(new URL(pass.issuer), metadata, undefined, insecure)).rejects.toBeDefined();
    const unauth = await fetch(`${pass.issuer}/reg`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(metadata) });
    expect(unauth.status).toBe(401);
    expect(((await unauth.json()) as { error: string }).error).toBe('invalid_token');
    const dynamic = await oidc.dynamicClientRegistration(new URL(pass.issuer), metadata, undefined, { ...insecure, initialAccessToken: minted.initial_access_token! });
    const stored = await pass.oidc.clients.find(dynamic.clientMetadata().client_id);
    expect(stored).toMatchObject({ facilityId: 'toyooka-booking', source: 'dynamic' });
    expect((await pass.oidc.host.provider.Client.find(stored!.clientId))?.['pass_facility_id']).toBe('toyooka-booking');
  });
});

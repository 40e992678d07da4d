/**
 * What integrators of a facility meet (issue 18), with openid-client as the relying party:
 *   - a facility's client may have redirect URIs that differ only by port on one loopback host,
 *     registered at once or added later; every client of the facility gets the facility's pairwise
 *     `sub`, while a pairwise client of no facility still needs a sector for two hosts;
 *   - a public device-flow client can belong to a facility and gets the same `sub`;
 *   - client_credentials asking for a scope the client may not have is `invalid_scope`;
 *   - `admin` goes to PASS's own apps only, whoever asks;
 *   - the admin API takes `application_type` and an operator's own client secret (never echoed).
 */
import * as oidc from 'openid-client';
import { CookieJar, request, signInStep, type SignInAs } from '../helpers/browserless.ts';
import { createStorage, startPass, type TestStorage } from '../helpers/pass.ts';
import { storageModes } from '../helpers/services.ts';
import { approveDevice } from '../kiosk/helpers.ts';
import { adminToken } from '../manager/helpers.ts';
import { readCatalog } from '../../src/facilities/facility-service.ts';
import { authParams } from './facility-helpers.ts';
import { insecure, PASSWORD, resident, type Pass } from './rp.ts';

const mode = storageModes().at(-1)!;
const FACILITY = 'toyooka-booking';
const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';
const PORT_A = 'http://127.0.0.1:4101/cb';
const PORT_B = 'http://127.0.0.1:4102/cb';

describe(`integrators of a facility (${mode})`, () => {
  let storage: TestStorage;
  let pass: Pass;
  let user: { id: string; email: string };
  /** The admin API as an admin: `body` is sent as JSON; a string `raw` is sent as it is, as JSON's content type. */
  let admin: (method: string, path: string, body?: unknown, raw?: string) => Promise<{ status: number; body: Record<string, any> }>;
  /** The facility's `sub` for `user`, as its first web client got it. */
  let facilitySub: string | undefined;

  const who = (): SignInAs => ({ login: user.email, password: PASSWORD });

  /** The resident's browser: from an authorization URL through PASS's pages (password, code, consent) to the redirect URI. */
  async function browse(start: URL | string, redirectUri: string, jar = new CookieJar()): Promise<URL> {
    let next = start.toString();
    let init: RequestInit = {};
    for (let step = 0; step < 20; step += 1) {
      if (next.startsWith(redirectUri)) return new URL(next);
      const page = await request(jar, next, init);
      init = {};
      if (page.status >= 300 && page.status < 400) {
        next = new URL(page.headers.get('location')!, next).toString();
        continue;
      }
      const html = await page.text();
      const then = await signInStep(jar, pass.issuer, html, who());
      if (!then) throw new Error(`unexpected page ${page.status} at ${next}: ${html.slice(0, 400)}`);
      ({ url: next, init } = then);
    }
    throw new Error('too many redirects');
  }

  /** A full code flow with openid-client from `redirectUri`: the ID token's claims and the token response. */
  async function codeFlow(config: oidc.Configuration, redirectUri: string, scope = 'openid', extra: Record<string, string> = {}) {
    const { params, checks } = await authParams(redirectUri, scope, extra);
    const callback = await browse(oidc.buildAuthorizationUrl(config, params), redirectUri);
    const tokens = await oidc.authorizationCodeGrant(config, callback, { ...checks, idTokenExpected: true });
    return { claims: tokens.claims()!, tokens };
  }

  beforeAll(async () => {
    storage = await createStorage(mode);
    pass = await startPass(storage.env);
    await pass.platform.facilities.importCatalog(readCatalog());
    user = await resident(pass, 'integrator');
    // An admin's token for the admin API, obtained the way PASS Manager does (scope admin, PASS API resource).
    const adminAccount = await pass.platform.accounts.create({ email: `admin.${Date.now()}@city.toyooka.example`, password: PASSWORD, role: 'admin', verified: true });
    const token = await adminToken(pass, adminAccount.email, PASSWORD);
    admin = async (method, path, body, raw) => {
      const payload = raw ?? (body === undefined ? undefined : JSON.stringify(body));
      const answer = await fetch(`${pass.issuer}/api/admin${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(payload === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(payload === undefined ? {} : { body: payload }),
      });
      const text = await answer.text();
      return { status: answer.status, body: text ? (JSON.parse(text) as Record<string, any>) : {} };
    };
  }, 120_000);

  afterAll(async () => {
    await pass?.close();
    await storage?.cleanup();
  });

  test('a facility client with redirect URIs on two ports of 127.0.0.1: registered by openid-client, one sub from both ports', async () => {
    const iat = await pass.oidc.initialAccessTokens.mint(pass.oidc.host.provider, { facilityId: FACILITY, ttlSeconds: 600 });
    const config = await oidc.dynamicClientRegistration(
      new URL(pass.issuer),
      { client_name: '予約 検証環境', redirect_uris: [PORT_A, PORT_B], token_endpoint_auth_method: 'client_secret_basic' },
      undefined,
      { initialAccessToken: iat.token, ...insecure },
    );
    expect(config.clientMetadata()).toMatchObject({ subject_type: 'pairwise', redirect_uris: [PORT_A, PORT_B] });
    expect(config.clientMetadata().sector_identifier_uri).toBeUndefined();

    const fromA = await codeFlow(config, PORT_A);
    const fromB = await codeFlow(config, PORT_B);
    expect(fromA.claims.sub).toBe(fromB.claims.sub);
    expect(fromA.claims.sub).not.toBe(user.id);

    // The facility's other web client (as the CLI or the admin API registers it) gets the same sub.
    const web = await pass.oidc.clients.create({ name: '予約 本番', facilityId: FACILITY, redirectUris: ['https://booking.toyooka.example/cb'] });
    const webConfig = await oidc.discovery(new URL(pass.issuer), web.clientId, undefined, oidc.ClientSecretBasic(web.clientSecret!), insecure);
    // Its pages are not on this machine: the code is read from the redirect, never fetched.
    expect((await codeFlow(webConfig, 'https://booking.toyooka.example/cb')).claims.sub).toBe(fromA.claims.sub);
    facilitySub = fromA.claims.sub;

    // Another facility's client gets another sub for the same resident.
    const other = await pass.oidc.clients.create({ name: '図書館', facilityId: 'kaga-library', redirectUris: [PORT_A] });
    const otherConfig = await oidc.discovery(new URL(pass.issuer), other.clientId, undefined, oidc.ClientSecretBasic(other.clientSecret!), insecure);
    expect((await codeFlow(otherConfig, PORT_A)).claims.sub).not.toBe(fromA.claims.sub);
  });

  test('adding a second port later (admin API PATCH) works, and the flow from it gets the facility sub', async () => {
    const created = await admin('POST', '/clients', { client_name: '予約 開発', facility_id: FACILITY, redirect_uris: [PORT_A] });
    expect(created).toMatchObject({ status: 201, body: { subject_type: 'pairwise', facility_id: FACILITY } });
    const clientId = String(created.body.client_id);
    const changed = await admin('PATCH', `/clients/${clientId}`, { redirect_uris: [PORT_A, PORT_B] });
    expect(changed).toMatchObject({ status: 200, body: { redirect_uris: [PORT_A, PORT_B], subject_type: 'pairwise' } });
    expect(changed.body.client_secret).toBeUndefined();

    const config = await oidc.discovery(new URL(pass.issuer), clientId, undefined, oidc.ClientSecretBasic(String(created.body.client_secret)), insecure);
    const { claims } = await codeFlow(config, PORT_B);
    expect(claims.sub).toBe(facilitySub);
    // Nothing to change, or an unknown field, is refused; so is an unknown client.
    expect(await admin('PATCH', `/clients/${clientId}`, {})).toMatchObject({ status: 400, body: { reason: 'invalid_request' } });
    expect(await admin('PATCH', `/clients/${clientId}`, { client_secret: 'x' })).toMatchObject({ status: 400, body: { reason: 'invalid_request' } });
    expect(await admin('PATCH', '/clients/no-such-client', { redirect_uris: [PORT_A] })).toMatchObject({ status: 404, body: { reason: 'client_not_found' } });
    // A body that is not JSON is refused like at every other admin route, and changes nothing.
    expect(await admin('PATCH', `/clients/${clientId}`, undefined, '{"redirect_uris": [')).toMatchObject({ status: 400, body: { error: expect.any(String) } });
    expect((await admin('GET', `/clients/${clientId}`)).body.redirect_uris).toEqual([PORT_A, PORT_B]);
  });

  test('a pairwise client of no facility still needs a sector for two hosts, and private_key_jwt for the device flow', async () => {
    await expect(
      pass.oidc.clients.create({ name: '二つのホスト', redirectUris: ['https://a.example/cb', 'https://b.example/cb'], extra: { subject_type: 'pairwise' } }),
    ).rejects.toMatchObject({ reason: 'invalid_client_metadata', message: expect.stringContaining('sector_identifier_uri') });
    await expect(
      pass.oidc.clients.create({ name: '端末', grantTypes: [DEVICE_GRANT], tokenEndpointAuthMethod: 'none', extra: { subject_type: 'pairwise' } }),
    ).rejects.toMatchObject({ reason: 'invalid_client_metadata', message: expect.stringMatching(/jwks_uri|private_key_jwt/) });
    // Public subjects for a client of no facility are its own business (OpenID Connect's rules).
    await expect(pass.oidc.clients.create({ name: '二つのホスト public', redirectUris: ['https://a.example/cb', 'https://b.example/cb'] })).resolves.toBeDefined();
    // A facility's client needs no sector of its own for two hosts: its facility's is its sector.
    // (A facility whose sector is a host keeps its clients on that host: test/oidc/client-subject-policy.test.ts.)
    const registered = await admin('POST', '/clients', { client_name: '他のホスト', facility_id: FACILITY, redirect_uris: [PORT_A, 'https://elsewhere.example/cb'] });
    expect(registered).toMatchObject({ status: 201, body: { subject_type: 'pairwise' } });
  });

  test('a public device-flow client of the facility completes the device grant with the facility sub', async () => {
    const created = await admin('POST', '/clients', {
      client_name: '予約 受付端末',
      facility_id: FACILITY,
      grant_types: [DEVICE_GRANT],
      token_endpoint_auth_method: 'none',
    });
    expect(created).toMatchObject({ status: 201, body: { subject_type: 'pairwise', token_endpoint_auth_method: 'none', grant_types: [DEVICE_GRANT] } });
    expect(created.body.client_secret).toBeUndefined();

    const config = await oidc.discovery(new URL(pass.issuer), String(created.body.client_id), undefined, oidc.None(), insecure);
    const device = await oidc.initiateDeviceAuthorization(config, { scope: 'openid' });
    await approveDevice(pass.issuer, device.verification_uri_complete!, user.email, PASSWORD);
    const tokens = await oidc.pollDeviceAuthorizationGrant(config, device);
    expect(tokens.claims()!.sub).toBe(facilitySub);
    // The userinfo endpoint agrees.
    expect(await oidc.fetchUserInfo(config, tokens.access_token, facilitySub!)).toMatchObject({ sub: facilitySub });
  }, 60_000);

  test('client_credentials: a scope the client may not have is invalid_scope (RFC 6749 §5.2), never a smaller token', async () => {
    const api = 'https://reservations.toyooka.example/api';
    await pass.oidc.resourceServers.create({ identifier: api, name: '予約 API', scopes: ['reservations:read'] });
    const machine = await pass.oidc.clients.create({ name: '予約 バッチ', grantTypes: ['client_credentials'] });
    const config = await oidc.discovery(new URL(pass.issuer), machine.clientId, undefined, oidc.ClientSecretBasic(machine.clientSecret!), insecure);

    const granted = await oidc.clientCredentialsGrant(config, { resource: api, scope: 'reservations:read' });
    expect(granted.scope).toBe('reservations:read');

    const refused = async (parameters: Record<string, string>) => {
      const error = await oidc.clientCredentialsGrant(config, parameters).then(
        () => undefined,
        (e: unknown) => e as { error?: string; error_description?: string },
      );
      return { error: error?.error, error_description: error?.error_description };
    };
    expect(await refused({ resource: api, scope: 'reservations:read reservations:write' })).toEqual({
      error: 'invalid_scope',
      error_description: expect.stringContaining('reservations:write'),
    });
    // A resource server's scope without its resource, and PASS's admin scope, with or without the PASS API.
    expect(await refused({ scope: 'reservations:read' })).toMatchObject({ error: 'invalid_scope' });
    expect(await refused({ scope: 'admin' })).toMatchObject({ error: 'invalid_scope', error_description: expect.stringContaining('admin') });
    expect(await refused({ resource: `${pass.issuer}/api`, scope: 'pass:api admin' })).toMatchObject({ error: 'invalid_scope', error_description: expect.stringContaining('admin') });
    expect((await oidc.clientCredentialsGrant(config, { resource: `${pass.issuer}/api`, scope: 'pass:api' })).scope).toBe('pass:api');

    // A client whose registration limits its scopes gets no more.
    const limited = await pass.oidc.clients.create({ name: '限定', grantTypes: ['client_credentials'], extra: { scope: 'pass:api' } });
    const limitedConfig = await oidc.discovery(new URL(pass.issuer), limited.clientId, undefined, oidc.ClientSecretBasic(limited.clientSecret!), insecure);
    await expect(oidc.clientCredentialsGrant(limitedConfig, { scope: 'kiosk' })).rejects.toMatchObject({ error: 'invalid_scope' });
  });

  test('scope=admin: an ordinary client never gets it, however it asks', async () => {
    const ordinary = await pass.oidc.clients.create({ name: '普通の連携', redirectUris: [PORT_A] });
    const config = await oidc.discovery(new URL(pass.issuer), ordinary.clientId, undefined, oidc.ClientSecretBasic(ordinary.clientSecret!), insecure);
    for (const extra of [{ resource: `${pass.issuer}/api` }, {}] as Array<Record<string, string>>) {
      const { tokens } = await codeFlow(config, PORT_A, 'openid pass:api admin', extra);
      expect(String(tokens.scope ?? '').split(' ')).not.toContain('admin');
      const introspected = await oidc.tokenIntrospection(config, tokens.access_token);
      expect(String(introspected.scope ?? '').split(' ')).not.toContain('admin');
      const answer = await fetch(`${pass.issuer}/api/admin/clients`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
      expect([401, 403]).toContain(answer.status);
    }
    // Nor can it register for it.
    const iat = await pass.oidc.initialAccessTokens.mint(pass.oidc.host.provider, { ttlSeconds: 600 });
    const registered = await fetch(`${pass.issuer}/reg`, {
      method: 'POST',
      headers: { authorization: `Bearer ${iat.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ client_name: 'admin please', redirect_uris: [PORT_A], scope: 'openid admin' }),
    });
    expect(registered.status).toBe(400);
    expect(await registered.json()).toMatchObject({ error: 'invalid_client_metadata' });
    // Discovery no longer lists it among the OpenID scopes.
    const metadata = (await (await fetch(`${pass.issuer}/.well-known/openid-configuration`)).json()) as { scopes_supported: string[] };
    expect(metadata.scopes_supported).not.toContain('admin');
  });

  test('admin API: application_type and an operator-supplied client secret, which is never sent back', async () => {
    const secret = 'operator-chosen-secret-0123456789-abcdefghij';
    const created = await admin('POST', '/clients', {
      client_name: '予約 アプリ',
      facility_id: FACILITY,
      application_type: 'native',
      redirect_uris: ['http://127.0.0.1/cb'],
      client_secret: secret,
    });
    expect(created).toMatchObject({ status: 201, body: { application_type: 'native', redirect_uris: ['http://127.0.0.1/cb'] } });
    expect(JSON.stringify(created.body)).not.toContain(secret);
    const clientId = String(created.body.client_id);
    expect(JSON.stringify((await admin('GET', `/clients/${clientId}`)).body)).not.toContain(secret);

    // The secret works; a native app's loopback redirect may use any port (RFC 8252 §7.3).
    const config = await oidc.discovery(new URL(pass.issuer), clientId, undefined, oidc.ClientSecretBasic(secret), insecure);
    expect((await codeFlow(config, 'http://127.0.0.1:53117/cb')).claims.sub).toBe(facilitySub);

    const short = await admin('POST', '/clients', { client_name: '短い', redirect_uris: [PORT_A], client_secret: 'short-secret' });
    expect(short).toMatchObject({ status: 400, body: { reason: 'invalid_client_secret' } });
    expect(JSON.stringify(short.body)).not.toContain('short-secret');
    const unused = await admin('POST', '/clients', { client_name: '公開', redirect_uris: [PORT_A], token_endpoint_auth_method: 'none', client_secret: secret });
    expect(unused).toMatchObject({ status: 400, body: { reason: 'client_secret_not_used' } });
    expect(JSON.stringify(unused.body)).not.toContain(secret);
    expect(await admin('POST', '/clients', { client_name: 'x', redirect_uris: [PORT_A], application_type: 'desktop' })).toMatchObject({ status: 400, body: { reason: 'invalid_request' } });
    // A native client's https redirect must not be a loopback address (oidc-provider's rule), and a web one registers as before.
    expect((await admin('POST', '/clients', { client_name: 'y', application_type: 'native', redirect_uris: ['https://127.0.0.1/cb'] })).status).toBe(400);
  });
});

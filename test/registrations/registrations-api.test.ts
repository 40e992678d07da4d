/**
 * Facility registrations and the claims engine through OpenID Connect: each facility receives
 * exactly what was consented — in ID tokens, userinfo, introspection and JWT access tokens — under
 * its own pairwise subject; withdrawal ends its access at once (tokens revoked, gallery updated,
 * back-channel logout); verified_claims requests get only requested and consented elements.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { storageModes } from '../helpers/services.ts';
import { authorize, exchangeCode } from '../helpers/browserless.ts';
import { addMember, api, countRows, ICHIRO, PASSWORD, proofedResident, RP_REDIRECT, SORA, startFamilyEnv, stopEnv, TARO, type FamilyEnv } from '../households/family-helpers.ts';
import { authParams, walkFacility } from '../oidc/facility-helpers.ts';

function jwtPayload(jwt: string): Record<string, any> {
  return JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, any>;
}

/** Claims every token or response may carry whatever the consent: protocol and authentication. */
const PROTOCOL = new Set(['iss', 'sub', 'aud', 'exp', 'iat', 'nbf', 'jti', 'nonce', 'at_hash', 'c_hash', 's_hash', 'auth_time', 'acr', 'amr', 'azp', 'sid', 'scope', 'client_id', 'active', 'token_type', 'cnf', 'typ']);
const personal = (body: Record<string, unknown>) => Object.keys(body).filter((k) => !PROTOCOL.has(k)).sort();

describe.each(storageModes())('registrations and released claims on %s', (mode) => {
  let env: FamilyEnv;
  let taro: { accountId: string; token: string };
  let childId: string;
  let selfId: string;
  let librarySecret: string;
  const logoutTokens: string[] = [];
  let receiver: http.Server;

  async function flow(clientId: string, scope: string, extra: { claims?: Record<string, unknown>; resource?: string; secret?: string } = {}) {
    const { issuer } = env.pass;
    const code = await authorize({ issuer, clientId, redirectUri: RP_REDIRECT, login: 'taro@example.jp', password: PASSWORD, scope, ...(extra.claims ? { claims: extra.claims } : {}), ...(extra.resource ? { resource: extra.resource } : {}) });
    if (!extra.secret) return exchangeCode(issuer, clientId, RP_REDIRECT, code.code, code.verifier);
    const response = await fetch(new URL('/token', issuer), {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${clientId}:${extra.secret}`).toString('base64')}` },
      body: new URLSearchParams({ grant_type: 'authorization_code', redirect_uri: RP_REDIRECT, code: code.code, code_verifier: code.verifier, ...(extra.resource ? { resource: extra.resource } : {}) }),
    });
    const body = (await response.json()) as Record<string, unknown>;
    if (!response.ok) throw new Error(JSON.stringify(body));
    return body;
  }

  const userinfo = async (token: unknown) => fetch(new URL('/me', env.pass.issuer), { headers: { authorization: `Bearer ${String(token)}` } });
  const introspect = async (token: unknown) =>
    (await (
      await fetch(new URL('/token/introspection', env.pass.issuer), {
        method: 'POST',
        headers: { authorization: `Basic ${Buffer.from(`library-rp:${librarySecret}`).toString('base64')}` },
        body: new URLSearchParams({ token: String(token) }),
      })
    ).json()) as Record<string, any>;

  beforeAll(async () => {
    receiver = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        logoutTokens.push(new URLSearchParams(body).get('logout_token') ?? '');
        res.statusCode = 200;
        res.end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', () => r()));
    env = await startFamilyEnv(mode);
    const { clients } = env.pass.oidc;
    const library = await clients.create({
      clientId: 'library-rp',
      name: '加賀市立図書館',
      facilityId: 'kaga-library',
      redirectUris: [RP_REDIRECT],
      backchannelLogoutUri: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/logout`,
    });
    librarySecret = library.clientSecret!;
    await clients.create({ clientId: 'park-rp', name: 'かがにこにこパーク', facilityId: 'kaga-niconico-park', redirectUris: [RP_REDIRECT], tokenEndpointAuthMethod: 'none' });
    await clients.create({ clientId: 'booking-rp', name: '公共施設予約', facilityId: 'toyooka-booking', redirectUris: [RP_REDIRECT], tokenEndpointAuthMethod: 'none' });
    await clients.create({ clientId: 'shelter-rp', name: '避難所受付', facilityId: 'kaga-kinjo-shelter', redirectUris: [RP_REDIRECT], tokenEndpointAuthMethod: 'none' });
    await env.pass.oidc.resourceServers.create({ identifier: 'https://books.kaga.example/api', name: '図書館 API', scopes: ['books'], tokenFormat: 'jwt', facilityId: 'kaga-library' });
    taro = await proofedResident(env, 'taro@example.jp', TARO, 'taro');
    await env.text.issue(SORA, { id: 'sora-text' });
    await env.cards.issue(ICHIRO, { id: 'ichiro' });
    childId = (await addMember(env, taro.token, 'child', { text: 'sora-text' })).body.person_id as string;
    await addMember(env, taro.token, 'parent', { signature: 'ichiro' });
    selfId = (await api(env, taro.token, 'GET', '/api/households/me')).body.members[0].person_id as string;
  }, 120_000);

  afterAll(async () => {
    await stopEnv(env);
    await new Promise((r) => receiver.close(r));
  });

  test('the catalog lists municipalities, facilities and their claim policies', async () => {
    const catalog = await api(env, taro.token, 'GET', '/api/facilities');
    const kaga = catalog.body.municipalities.find((m: { code: string }) => m.code === '172065');
    const park = kaga.facilities.find((f: { id: string }) => f.id === 'kaga-niconico-park');
    expect(park).toMatchObject({ name: { ja: 'かがにこにこパーク' }, policy: { required: ['name', 'age', 'resident_of', 'guardian'], purpose: { ja: expect.any(String), en: expect.any(String) }, retention_days: 365 } });
  });

  test('review shows exactly which facts, with their values, before consent', async () => {
    const review = await api(env, taro.token, 'POST', '/api/facilities/kaga-niconico-park/review', { person_ids: [childId], claims: ['name', 'age', 'resident_of', 'guardian'] });
    expect(review.status).toBe(200);
    expect(review.body.persons[0].values).toEqual({
      name: '加賀　そら',
      age: expect.any(Number),
      resident_of: '172065',
      guardian: { name: '加賀　太郎', email: 'taro@example.jp' },
    });
    expect((await api(env, taro.token, 'POST', '/api/facilities/kaga-niconico-park/review', { person_ids: [childId], claims: ['name'] })).body.reason).toBe('missing_required_claims');
  });

  test('registration follows the policy; a child for the park, the representative for the library', async () => {
    const before = await countRows(env, 'registrations');
    expect((await api(env, taro.token, 'POST', '/api/registrations', { facility_id: 'kaga-library', person_id: selfId, claims: ['name'] })).body.reason).toBe('missing_required_claims');
    expect((await api(env, taro.token, 'POST', '/api/registrations', { facility_id: 'kaga-library', person_id: selfId, claims: ['name', 'resident_of', 'birthdate'] })).body.reason).toBe('claim_not_in_policy');
    expect(await countRows(env, 'registrations')).toBe(before);

    const child = await api(env, taro.token, 'POST', '/api/registrations', { facility_id: 'kaga-niconico-park', person_id: childId, claims: ['name', 'age', 'resident_of', 'guardian'] });
    expect(child).toMatchObject({ status: 201, body: { status: 'active', status_label: { ja: '利用中' } } });
    expect(await env.pass.platform.db('face_gallery_members').where({ gallery_id: 'facility:kaga-niconico-park', person_id: childId }).first()).toBeDefined();
    const library = await api(env, taro.token, 'POST', '/api/registrations', { facility_id: 'kaga-library', person_id: selfId, claims: ['name', 'resident_of', 'email'] });
    expect(library.status).toBe(201);
    expect((await api(env, taro.token, 'POST', '/api/registrations', { facility_id: 'kaga-library', person_id: selfId, claims: ['name', 'resident_of'] })).body.reason).toBe('already_registered');
    const booking = await api(env, taro.token, 'POST', '/api/registrations', { facility_id: 'toyooka-booking', person_id: selfId, claims: ['name', 'email', 'verified_claims'] });
    expect(booking.status).toBe(201);
  });

  test('two facilities receive different pairwise subjects for the same person', async () => {
    const library = jwtPayload(String((await flow('library-rp', 'openid', { secret: librarySecret })).id_token));
    const park = jwtPayload(String((await flow('park-rp', 'openid')).id_token));
    expect(library.sub).not.toBe(park.sub);
    expect(library.sub).not.toBe(taro.accountId);
    expect(park.sub).not.toBe(taro.accountId);
    // Stable per facility.
    expect(jwtPayload(String((await flow('park-rp', 'openid')).id_token)).sub).toBe(park.sub);
    // Consenting on the park's login screen registered the representative there (the required facts).
    expect(await env.pass.platform.db('registrations').where({ person_id: selfId, facility_id: 'kaga-niconico-park', status: 'active' }).first('claims')).toEqual({ claims: ['name', 'age', 'resident_of', 'guardian'] });
  });

  test('the library receives only its consented claims: ID token, userinfo, introspection, JWT access token', async () => {
    // Scope claims go to userinfo (the ID token carries what the claims parameter names for it).
    const asked = { claims: { id_token: { name: null, email: null, resident_of: null, birthdate: null, address: null, age_over_18: null }, userinfo: { phone_number: null, gender: null } } };
    const tokens = await flow('library-rp', 'openid profile email phone address resident', { ...asked, secret: librarySecret });
    const consented = ['email', 'email_verified', 'family_name', 'given_name', 'name', 'resident_of'];
    const idToken = jwtPayload(String(tokens.id_token));
    expect(personal(idToken)).toEqual(['email', 'name', 'resident_of']);
    expect(idToken.resident_of).toBe('172065');
    const info = (await (await userinfo(tokens.access_token)).json()) as Record<string, any>;
    expect(personal(info)).toEqual(consented);
    const introspection = await introspect(tokens.access_token);
    expect(introspection.active).toBe(true);
    expect(personal(introspection)).toEqual(['resident_of']);

    const jwt = await flow('library-rp', 'openid resident books', { resource: 'https://books.kaga.example/api', secret: librarySecret });
    const at = jwtPayload(String(jwt.access_token));
    expect(at.aud).toBe('https://books.kaga.example/api');
    expect(at.sub).toBe(idToken.sub);
    expect(personal(at)).toEqual(['resident_of']);

    // Every release is recorded: which claims, to whom, when, for whom.
    const releases = await api(env, taro.token, 'GET', '/api/claims/releases');
    const library = releases.body.releases.filter((r: { client_id: string }) => r.client_id === 'library-rp');
    expect(library.map((r: { use: string }) => r.use)).toEqual(expect.arrayContaining(['id_token', 'userinfo', 'access_token']));
    expect(library.every((r: { person_id: string; facility_id: string; claims: string[] }) => r.person_id === selfId && r.facility_id === 'kaga-library' && r.claims.every((c) => consented.includes(c)))).toBe(true);
  });

  test('consent at login is the registration: declining it leaves the facility with no code, no registration, nothing released', async () => {
    const url = new URL('/auth', env.pass.issuer);
    const { params } = await authParams(RP_REDIRECT, 'openid profile email resident');
    url.search = new URLSearchParams({ ...params, client_id: 'shelter-rp', response_type: 'code' }).toString();
    const walked = await walkFacility(url, RP_REDIRECT, { email: 'taro@example.jp', password: PASSWORD, consent: () => 'deny' });
    expect(walked.pages.map((p) => p.kind)).toEqual(['login', 'verify', 'consent']);
    expect(walked.callback.searchParams.get('error')).toBe('access_denied');
    expect(walked.callback.searchParams.get('code')).toBeNull();
    expect(await env.pass.platform.db('registrations').where({ facility_id: 'kaga-kinjo-shelter' }).first()).toBeUndefined();
    expect(await env.pass.platform.db('claim_releases').where({ client_id: 'shelter-rp' }).first()).toBeUndefined();
  });

  test('verified_claims: only requested and consented elements, evidence only when asked', async () => {
    const request = { verification: { trust_framework: null }, claims: { name: null, birthdate: null, address: null } };
    const plain = await flow('booking-rp', 'openid', { claims: { userinfo: { verified_claims: request } } });
    const info = (await (await userinfo(plain.access_token)).json()) as Record<string, any>;
    expect(info.verified_claims).toEqual({ verification: { trust_framework: `${env.pass.issuer}/ida/trust_framework/jpki_sign` }, claims: { name: '加賀　太郎' } });
    expect(info.name).toBeUndefined();

    const withEvidence = { verification: { trust_framework: null, evidence: [{ type: { value: 'electronic_signature' }, issuer: null }] }, claims: { name: null } };
    const asked = await flow('booking-rp', 'openid', { claims: { id_token: { verified_claims: withEvidence } } });
    const verified = jwtPayload(String(asked.id_token)).verified_claims;
    expect(verified.verification.evidence).toEqual([expect.objectContaining({ type: 'electronic_signature', issuer: expect.any(String) })]);
    expect(verified.verification.evidence[0].serial_number).toBeUndefined();
    expect(verified.claims).toEqual({ name: '加賀　太郎' });
  });

  test('malformed claims requests get invalid_request', async () => {
    const bad = [
      { userinfo: { verified_claims: { claims: { name: null } } } },
      { userinfo: { verified_claims: { verification: { trust_framework: null }, claims: {} } } },
      { id_token: { verified_claims: { verification: { evidence: [{ type: null }] }, claims: { name: null } } } },
      { id_token: { name: 'yes' } },
    ];
    for (const claims of bad) await expect(flow('booking-rp', 'openid', { claims })).rejects.toThrow(/invalid_request/);
  });

  test('withdrawal takes effect at once: tokens revoked, gallery updated, back-channel logout sent', async () => {
    const tokens = await flow('library-rp', 'openid offline_access email resident', { secret: librarySecret });
    expect((await userinfo(tokens.access_token)).status).toBe(200);
    const registrations = await api(env, taro.token, 'GET', '/api/registrations');
    const library = registrations.body.registrations.find((r: { facility_id: string }) => r.facility_id === 'kaga-library');
    const withdrawn = await api(env, taro.token, 'POST', `/api/registrations/${library.id}/withdraw`);
    expect(withdrawn).toMatchObject({ status: 200, body: { status: 'withdrawn', relying_parties_notified: { 'library-rp': 'sent' } } });
    expect(withdrawn.body.grants_revoked).toBeGreaterThan(0);
    expect(withdrawn.body.history.map((h: { event: string }) => h.event)).toEqual(['registered', 'withdrawn']);
    expect((await userinfo(tokens.access_token)).status).toBe(401);
    expect((await introspect(tokens.access_token)).active).toBe(false);
    const refreshed = await fetch(new URL('/token', env.pass.issuer), {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`library-rp:${librarySecret}`).toString('base64')}` },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: String(tokens.refresh_token) }),
    });
    expect(refreshed.status).toBe(400);
    const logout = jwtPayload(logoutTokens.at(-1)!);
    expect(logout.events).toHaveProperty(['http://schemas.openid.net/event/backchannel-logout']);
    expect(logout.sub).toBe(jwtPayload(String(tokens.id_token)).sub);
    expect((await api(env, taro.token, 'POST', `/api/registrations/${library.id}/withdraw`)).body.reason).toBe('already_withdrawn');

    // The child's registration (the representative's own came with the park's consent at login).
    const park = registrations.body.registrations.find((r: { facility_id: string; person_id: string }) => r.facility_id === 'kaga-niconico-park' && r.person_id === childId);
    expect((await api(env, taro.token, 'POST', `/api/registrations/${park.id}/withdraw`)).status).toBe(200);
    expect(await env.pass.platform.db('face_gallery_members').where({ gallery_id: 'facility:kaga-niconico-park', person_id: childId }).first()).toBeUndefined();
    const audit = await api(env, taro.token, 'GET', '/api/households/audit');
    expect(audit.body.entries.filter((e: { action: string }) => e.action === 'registration.withdrawn')).toHaveLength(2);
  });
});

/**
 * Consent at login through the facility registration (issues #6, #7), with openid-client as the
 * facility's relying party: the first login shows the facility's claim policy (purpose, retention,
 * each fact with its value) and consenting registers the resident at the facility; later logins —
 * in new browser sessions too — skip the screen unless new claims are asked; prompt=consent asks
 * again; withdrawing in the PASS app makes the next login ask again.
 */
import * as oidc from 'openid-client';
import { storageModes } from '../helpers/services.ts';
import { CookieJar } from '../helpers/browserless.ts';
import { api, proofedResident, RP_REDIRECT, startFamilyEnv, stopEnv, TARO, type FamilyEnv } from '../households/family-helpers.ts';
import { newAccount } from '../jpki/proofing-helpers.ts';
import { putClientUnits } from '../../src/claims/client-claim-policies.ts';
import { authParams, jwtPayload, personal, offeredClaims, walkFacility } from './facility-helpers.ts';

const mode = storageModes().at(-1)!;
const insecure = { execute: [oidc.allowInsecureRequests] };

describe(`consent at login is the facility registration (${mode})`, () => {
  let env: FamilyEnv;
  let config: oidc.Configuration;
  let taro: { accountId: string; token: string };

  beforeAll(async () => {
    env = await startFamilyEnv(mode);
    const library = await env.pass.oidc.clients.create({ clientId: 'library-rp', name: '加賀市立図書館 蔵書検索', facilityId: 'kaga-library', redirectUris: [RP_REDIRECT] });
    config = await oidc.discovery(new URL(env.pass.issuer), 'library-rp', undefined, oidc.ClientSecretBasic(library.clientSecret!), insecure);
    taro = await proofedResident(env, 'taro@example.jp', TARO, 'taro');
  }, 60_000);

  afterAll(async () => stopEnv(env));

  const registrationsOf = async (facilityId = 'kaga-library') => {
    const person = (await env.pass.platform.db('persons').where({ account_id: taro.accountId, relation: 'self' }).first('id')) as { id: string };
    return (await env.pass.platform.db('registrations').where({ person_id: person.id, facility_id: facilityId }).orderBy('created_at')) as Array<{ id: string; status: string; claims: string[] }>;
  };

  async function login(scope: string, options: { jar?: CookieJar; claims?: object; prompt?: string; consent?: Parameters<typeof walkFacility>[2]['consent']; email?: string } = {}) {
    const { params, checks } = await authParams(RP_REDIRECT, scope, {
      ...(options.claims ? { claims: JSON.stringify(options.claims) } : {}),
      ...(options.prompt ? { prompt: options.prompt } : {}),
    });
    const walk = await walkFacility(oidc.buildAuthorizationUrl(config, params), RP_REDIRECT, {
      email: options.email ?? 'taro@example.jp',
      ...(options.jar ? { jar: options.jar } : {}),
      ...(options.consent ? { consent: options.consent } : {}),
    });
    if (walk.callback.searchParams.get('error')) return { walk, error: walk.callback.searchParams.get('error')! };
    const tokens = await oidc.authorizationCodeGrant(config, walk.callback, checks);
    return { walk, tokens };
  }

  test('the first login shows the facility, its purpose and the values it will receive; consenting registers the resident', async () => {
    const { walk, tokens } = await login('openid profile email', { claims: { id_token: { resident_of: null } } });
    expect(walk.pages.map((p) => p.kind)).toEqual(['login', 'verify', 'consent']);
    const screen = walk.pages[2]!.html;
    expect(screen).toContain('加賀市立図書館');
    expect(screen).toContain('利用者カードの発行と貸出・予約の連絡のため。');
    expect(screen).toContain('1095日');
    // Each fact with the value the library would receive: required ones fixed, the optional e-mail offered unticked (the walk ticks it).
    expect(screen).toMatch(/data-testid="claim-name">加賀　太郎</);
    expect(screen).toMatch(/data-testid="claim-resident_of">172065</);
    expect(screen).toMatch(/data-testid="claim-email">taro@example.jp</);
    expect(offeredClaims(screen)).toEqual(['email']);
    expect(screen).not.toMatch(/name="claim" value="[a-z_0-9]+" checked/);
    // profile's birthdate and gender are outside the library's policy: never offered.
    expect(screen).not.toContain('data-testid="claim-birthdate"');
    expect(screen).not.toContain('data-testid="claim-gender"');

    const registrations = await registrationsOf();
    expect(registrations).toHaveLength(1);
    expect(registrations[0]).toMatchObject({ status: 'active', claims: ['name', 'resident_of', 'email'] });
    const idToken = tokens!.claims()!;
    expect(idToken.resident_of).toBe('172065');
    const info = await oidc.fetchUserInfo(config, tokens!.access_token, idToken.sub);
    expect(personal(info)).toEqual(['email', 'email_verified', 'family_name', 'given_name', 'name']);
    const audit = await api(env, taro.token, 'GET', '/api/households/audit');
    expect(audit.body.entries.map((e: { action: string }) => e.action)).toContain('registration.created');
  });

  test('a later login in a new browser session skips the screen: the registration is the consent', async () => {
    const { walk, tokens } = await login('openid profile email', { claims: { id_token: { resident_of: null } } });
    expect(walk.pages.map((p) => p.kind)).toEqual(['login', 'verify']);
    expect(tokens!.claims()!.resident_of).toBe('172065');
    expect(personal(await oidc.fetchUserInfo(config, tokens!.access_token, tokens!.claims()!.sub))).toEqual(['email', 'email_verified', 'family_name', 'given_name', 'name']);
    expect(await registrationsOf()).toHaveLength(1);
  });

  test('a claim not yet consented brings the screen back; an unticked optional one is not given', async () => {
    const jar = new CookieJar();
    // The address scope: the address is optional at the library and not consented yet.
    const declined = await login('openid email address', { jar, consent: () => ({ claims: [] }) });
    expect(declined.walk.pages.map((p) => p.kind)).toEqual(['login', 'verify', 'consent']);
    const screen = declined.walk.pages[2]!.html;
    expect(offeredClaims(screen)).toEqual(['address']);
    expect(screen).toMatch(/data-testid="claim-address">石川県加賀市作見町ル２５番地１/);
    expect(screen).toMatch(/data-testid="claim-email">taro@example.jp/);
    expect(screen).toContain('同意済み');
    expect(personal(await oidc.fetchUserInfo(config, declined.tokens!.access_token, declined.tokens!.claims()!.sub))).toEqual(['email', 'email_verified']);
    expect((await registrationsOf())[0]!.claims).toEqual(['name', 'resident_of', 'email']);

    // Asked again in a new session; this time the resident keeps it ticked: the registration grows.
    const given = await login('openid email address');
    expect(given.walk.pages.map((p) => p.kind)).toEqual(['login', 'verify', 'consent']);
    const info = await oidc.fetchUserInfo(config, given.tokens!.access_token, given.tokens!.claims()!.sub);
    expect(personal(info)).toEqual(['address', 'email', 'email_verified']);
    const [registration] = await registrationsOf();
    expect(registration!.claims).toEqual(['name', 'resident_of', 'email', 'address']);
    const history = await api(env, taro.token, 'GET', '/api/registrations');
    const library = history.body.registrations.find((r: { facility_id: string }) => r.facility_id === 'kaga-library');
    expect(library.history.map((h: { event: string }) => h.event)).toEqual(['registered', 'extended']);
    expect((await login('openid email address')).walk.pages.map((p) => p.kind)).toEqual(['login', 'verify']);
  });

  test('prompt=consent shows the screen although everything is consented; allowing changes nothing', async () => {
    const before = await registrationsOf();
    const { walk, tokens } = await login('openid email', { prompt: 'consent' });
    expect(walk.pages.map((p) => p.kind)).toEqual(['login', 'verify', 'consent']);
    expect(tokens!.access_token).toEqual(expect.any(String));
    expect(await registrationsOf()).toEqual(before);
  });

  test("a system the facility narrowed in PASS Manager receives only its own claims, whatever it asks for", async () => {
    const catalog = await env.pass.oidc.clients.create({ clientId: 'library-catalog', name: '蔵書検索端末', facilityId: 'kaga-library', redirectUris: [RP_REDIRECT] });
    await putClientUnits(env.pass.platform.db, 'library-catalog', ['name'], taro.accountId);
    const narrowed = await oidc.discovery(new URL(env.pass.issuer), 'library-catalog', undefined, oidc.ClientSecretBasic(catalog.clientSecret!), insecure);
    const { params, checks } = await authParams(RP_REDIRECT, 'openid profile email address', { claims: JSON.stringify({ id_token: { resident_of: { essential: true } }, userinfo: { email: null } }) });
    const walk = await walkFacility(oidc.buildAuthorizationUrl(narrowed, params), RP_REDIRECT, { email: 'taro@example.jp' });
    const tokens = await oidc.authorizationCodeGrant(narrowed, walk.callback, checks);
    const idToken = tokens.claims()!;
    for (const name of ['resident_of', 'email', 'address']) expect(idToken[name]).toBeUndefined();
    const info = await oidc.fetchUserInfo(narrowed, tokens.access_token, idToken.sub);
    expect(personal(info)).toEqual(['family_name', 'given_name', 'name']);
  });

  test('declining on the screen: access_denied, no code, no registration change', async () => {
    const before = await registrationsOf();
    const { error } = await login('openid email', { prompt: 'consent', consent: () => 'deny' });
    expect(error).toBe('access_denied');
    expect(await registrationsOf()).toEqual(before);
  });

  test('withdrawing in the PASS app makes the next login ask again, in the same browser session too', async () => {
    const jar = new CookieJar();
    expect((await login('openid email', { jar })).walk.pages.map((p) => p.kind)).toEqual(['login', 'verify']);
    const [registration] = await registrationsOf();
    const withdrawn = await api(env, taro.token, 'POST', `/api/registrations/${registration!.id}/withdraw`);
    expect(withdrawn.status).toBe(200);

    const again = await login('openid email', { jar });
    expect(again.walk.pages.map((p) => p.kind)).toEqual(['consent']);
    const rows = await registrationsOf();
    expect(rows.map((r) => r.status)).toEqual(['withdrawn', 'active']);
    expect(rows[1]!.claims).toEqual(['name', 'resident_of', 'email']);
    expect((await login('openid email')).walk.pages.map((p) => p.kind)).toEqual(['login', 'verify']);
  });

  test('a resident not yet proofed is told the facility receives nothing; the login goes on, nothing is registered', async () => {
    await newAccount(env, 'mikaku@example.jp');
    const { walk, tokens } = await login('openid profile email', { email: 'mikaku@example.jp' });
    expect(walk.pages.map((p) => p.kind)).toEqual(['login', 'verify', 'consent']);
    expect(walk.pages[2]!.html).toContain('data-testid="unproofed"');
    expect(walk.pages[2]!.html).not.toContain('name="claim"');
    expect(personal(tokens!.claims()!)).toEqual([]);
    expect(personal(await oidc.fetchUserInfo(config, tokens!.access_token, tokens!.claims()!.sub))).toEqual([]);
    const account = (await env.pass.platform.db('accounts').where({ email: 'mikaku@example.jp' }).first('id')) as { id: string };
    expect(await env.pass.platform.db('registrations as r').join('persons as p', 'p.id', 'r.person_id').where('p.account_id', account.id).first()).toBeUndefined();
  });
});

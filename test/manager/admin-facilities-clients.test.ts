/**
 * PASS Manager management API, facilities and relying parties: a facility admin changes their
 * facility's claim policy within the claims catalog, registers relying parties that receive no
 * more than that policy allows (oidc-provider then refuses the scopes beyond it), rotates a secret
 * (the old one stops working at once) and registers public keys; staff only look; the admin of
 * another facility gets a 403 and no data from every endpoint; every change is audited; bad input
 * is a clear 400 in Japanese and English and changes nothing.
 */
import { createHash, randomBytes } from 'node:crypto';
import { exportJWK, generateKeyPair } from 'jose';
import { createStorage, startPass, type TestStorage } from '../helpers/pass.ts';
import { api, callApi, managerToken, NOT_STAFF, STAFF, staffMember, staffWorld, storageEnds, type Pass } from './helpers.ts';

// SQL on PGlite and on PostgreSQL (+ Redis, where client changes reach every node through it).
const modes = storageEnds();

const ADMINS = { niconico: 'admin@niconico.example.jp', sakai: 'admin@sakai-kids.example.jp' };
const NICONICO = 'kaga-niconico-park';
const SAKAI = 'sakai-kids-park';

describe.each(modes)('management of facilities and relying parties on %s', (mode) => {
  let storage: TestStorage;
  let pass: Pass;
  let tokens: Record<'niconicoAdmin' | 'sakaiAdmin' | 'niconicoStaff' | 'kagaAdmin' | 'notStaff', string>;

  beforeAll(async () => {
    storage = await createStorage(mode);
    pass = await startPass(storage.env);
    await staffWorld(pass);
    for (const [key, email] of Object.entries(ADMINS)) {
      await staffMember(pass, email, 'facility_admin', { facilityId: key === 'niconico' ? NICONICO : SAKAI });
    }
    tokens = {
      niconicoAdmin: await managerToken(pass, ADMINS.niconico),
      sakaiAdmin: await managerToken(pass, ADMINS.sakai),
      niconicoStaff: await managerToken(pass, STAFF.niconico.email),
      kagaAdmin: await managerToken(pass, STAFF.kagaAdmin.email),
      notStaff: await managerToken(pass, NOT_STAFF),
    };
  }, 90_000);

  afterAll(async () => {
    await pass?.close();
    await storage?.cleanup();
  });

  const call = (who: keyof typeof tokens, path: string, json?: unknown, method?: string) => callApi(pass, tokens[who], path, json, method);
  const audits = async (action: string) => (await pass.platform.db('audit_log').where({ action }).orderBy('id')) as Array<Record<string, any>>;
  const policy = (overrides: Record<string, unknown> = {}) => ({
    required: ['name', 'age', 'resident_of', 'guardian'],
    optional: ['gender'],
    purposeJa: '入館の受付と保護者への連絡のため。',
    purposeEn: 'To admit visitors and contact a guardian.',
    retentionDays: 180,
    ...overrides,
  });

  test('everyone sees their own facilities; another facility is a 403 with nothing of it', async () => {
    const mine = await call('niconicoAdmin', '/api/manager/admin/facilities');
    expect(mine.status).toBe(200);
    expect(mine.headers.get('cache-control')).toBe('no-store');
    expect(mine.body.facilities).toEqual([expect.objectContaining({ id: NICONICO, administer: true, policy: expect.objectContaining({ required: ['name', 'age', 'resident_of', 'guardian'] }) })]);
    expect(mine.body.catalog.map((c: { unit: string }) => c.unit)).toEqual(expect.arrayContaining(['name', 'age_over_18', 'verified_claims']));
    const city = await call('kagaAdmin', '/api/manager/admin/facilities');
    expect(city.body.facilities.map((f: { id: string }) => f.id).sort()).toEqual(['kaga-kinjo-shelter', 'kaga-library', 'kaga-medical-center', NICONICO]);
    expect(city.text).not.toContain(SAKAI);
    const staff = await call('niconicoStaff', `/api/manager/admin/facilities/${NICONICO}`);
    expect(staff.body.facility).toMatchObject({ id: NICONICO, administer: false });

    const other = await call('niconicoAdmin', `/api/manager/admin/facilities/${SAKAI}`);
    expect(other.status).toBe(403);
    expect(other.body).toEqual({
      error: 'forbidden',
      reason: 'facility_not_permitted',
      error_description: expect.any(String),
      message: { ja: expect.stringContaining('権限がありません'), en: expect.any(String) },
      request_id: expect.any(String),
    });
    expect(other.text).not.toContain('さかい');
  });

  test('a facility admin changes the policy within the catalog; staff and other admins cannot; sharing is for the city', async () => {
    const before = await audits('manager.claim_policy_changed');
    const bad = await call('niconicoAdmin', `/api/manager/admin/facilities/${NICONICO}/claim-policy`, policy({ optional: ['gender', 'shoe_size'] }));
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ reason: 'claims_not_in_catalog', claims: ['shoe_size'], message: { ja: expect.stringContaining('提供できる項目の一覧'), en: expect.stringContaining('catalog') } });
    const twice = await call('niconicoAdmin', `/api/manager/admin/facilities/${NICONICO}/claim-policy`, policy({ optional: ['name'] }));
    expect(twice.body).toMatchObject({ reason: 'claim_twice', claims: ['name'] });
    const malformed = await call('niconicoAdmin', `/api/manager/admin/facilities/${NICONICO}/claim-policy`, { ...policy(), retentionDays: 0, extra: 1 });
    expect(malformed).toMatchObject({ status: 400, body: { reason: 'invalid_request', fields: expect.arrayContaining(['retentionDays']), message: { ja: '入力内容が正しくありません。' } } });
    expect((await call('niconicoStaff', `/api/manager/admin/facilities/${NICONICO}/claim-policy`, policy())).body).toMatchObject({ reason: 'admin_required' });
    const foreign = await call('sakaiAdmin', `/api/manager/admin/facilities/${NICONICO}/claim-policy`, policy());
    expect(foreign).toMatchObject({ status: 403, body: { reason: 'facility_not_permitted' } });
    const sharing = await call('niconicoAdmin', `/api/manager/admin/facilities/${NICONICO}/claim-policy`, policy({ subjectType: 'public' }));
    expect(sharing).toMatchObject({ status: 403, body: { reason: 'municipal_admin_required' } });
    expect((await pass.platform.facilities.policies.find(NICONICO))!.retentionDays).toBe(365);
    expect(await audits('manager.claim_policy_changed')).toHaveLength(before.length);

    const saved = await call('niconicoAdmin', `/api/manager/admin/facilities/${NICONICO}/claim-policy`, policy({ optional: ['gender', 'age_over_12'] }));
    expect(saved.status).toBe(200);
    expect(saved.body.policy).toMatchObject({ optional: ['gender', 'age_over_12'], retentionDays: 180, subjectType: 'pairwise', sector: `facility:${NICONICO}` });
    expect((await pass.platform.facilities.policies.find(NICONICO))!.optional).toEqual(['gender', 'age_over_12']);
    const city = await call('kagaAdmin', `/api/manager/admin/facilities/${NICONICO}/claim-policy`, policy({ optional: ['gender', 'age_over_12'], sector: 'kaga-kids' }));
    expect(city.body.policy).toMatchObject({ sector: 'kaga-kids' });
    const entries = await audits('manager.claim_policy_changed');
    expect(entries).toHaveLength(before.length + 2);
    expect(entries.at(-1)).toMatchObject({ facility_id: NICONICO });
  });

  test('relying parties: registered within the policy, scopes enforced, secret shown once and rotated, public keys only', async () => {
    const path = `/api/manager/admin/facilities/${NICONICO}/clients`;
    const base = { name: 'にこにこパーク 受付システム', redirectUris: ['https://reception.niconico.example.jp/cb'] };
    const count = async () => Number(((await pass.platform.db('oidc_clients').where({ facility_id: NICONICO }).count('* as n')) as Array<{ n: unknown }>)[0]!.n);
    const clientsBefore = await count();
    const beyond = await call('niconicoAdmin', path, { ...base, claims: ['name', 'address'] });
    expect(beyond).toMatchObject({ status: 400, body: { reason: 'claims_not_allowed', claims: ['address'], message: { ja: expect.stringContaining('提供情報ポリシー') } } });
    expect((await call('niconicoStaff', path, { ...base, claims: ['name'] })).body).toMatchObject({ reason: 'admin_required' });
    expect((await call('sakaiAdmin', path, { ...base, claims: ['name'] })).status).toBe(403);
    expect(await count()).toBe(clientsBefore);

    const made = await call('niconicoAdmin', path, { ...base, claims: ['name', 'age', 'guardian'] });
    expect(made.status).toBe(201);
    const { client, clientSecret } = made.body;
    expect(client).toMatchObject({ facilityId: NICONICO, claims: ['name', 'age', 'guardian'], authMethod: 'client_secret_basic', hasSecret: true });
    expect(client.scope.split(' ').sort()).toEqual(['offline_access', 'openid', 'profile', 'resident']);
    expect(clientSecret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const listed = await call('niconicoStaff', path);
    expect(listed.body.clients.map((c: { clientId: string }) => c.clientId)).toContain(client.clientId);
    expect(listed.text).not.toContain(clientSecret);
    expect((await call('niconicoAdmin', `/api/manager/admin/clients/${client.clientId}`)).text).not.toContain(clientSecret);

    // oidc-provider refuses a scope beyond the client's claims (address), and accepts the others.
    const authorize = async (scope: string) => {
      const challenge = createHash('sha256').update(randomBytes(32).toString('base64url')).digest('base64url');
      const url = new URL('/auth', pass.issuer);
      url.search = new URLSearchParams({ client_id: client.clientId, redirect_uri: base.redirectUris[0]!, response_type: 'code', scope, code_challenge: challenge, code_challenge_method: 'S256', state: 's' }).toString();
      return fetch(url, { redirect: 'manual' });
    };
    expect((await authorize('openid address')).headers.get('location')).toContain('error=invalid_scope');
    expect((await authorize('openid profile resident')).headers.get('location')).toMatch(/\/interaction\//);

    // The secret authenticates the client until it is rotated; the old one stops at once.
    const introspect = (secret: string) =>
      fetch(new URL('/token/introspection', pass.issuer), {
        method: 'POST',
        headers: { authorization: `Basic ${Buffer.from(`${client.clientId}:${secret}`).toString('base64')}` },
        body: new URLSearchParams({ token: 'nothing-here' }),
      });
    expect((await introspect(clientSecret)).status).toBe(200);
    expect((await call('sakaiAdmin', `/api/manager/admin/clients/${client.clientId}/secret`, {})).status).toBe(403);
    expect((await call('niconicoStaff', `/api/manager/admin/clients/${client.clientId}/secret`, {})).body).toMatchObject({ reason: 'admin_required' });
    const rotated = await call('niconicoAdmin', `/api/manager/admin/clients/${client.clientId}/secret`, {});
    expect(rotated.status).toBe(200);
    expect(rotated.body.clientSecret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(rotated.body.clientSecret).not.toBe(clientSecret);
    expect((await introspect(clientSecret)).status).toBe(401);
    expect((await introspect(rotated.body.clientSecret)).status).toBe(200);

    // Claims: within the policy only; the scope follows.
    expect((await call('niconicoAdmin', `/api/manager/admin/clients/${client.clientId}/claims`, { claims: ['name', 'email'] })).body).toMatchObject({ reason: 'claims_not_allowed', claims: ['email'] });
    const narrowed = await call('niconicoAdmin', `/api/manager/admin/clients/${client.clientId}/claims`, { claims: ['name', 'gender'] });
    expect(narrowed.body.client.scope.split(' ').sort()).toEqual(['offline_access', 'openid', 'profile']);
    expect((await authorize('openid profile resident')).headers.get('location')).toContain('error=invalid_scope');

    // The facility's policy cannot drop what a relying party still receives.
    const shrink = await call('niconicoAdmin', `/api/manager/admin/facilities/${NICONICO}/claim-policy`, policy({ optional: [] }));
    expect(shrink).toMatchObject({ status: 409, body: { reason: 'policy_in_use', clients: [client.clientId], claims: ['gender'] } });

    // Keys: public ones only.
    const { publicKey, privateKey } = await generateKeyPair('ES256', { extractable: true });
    const privateJwk = { ...(await exportJWK(privateKey)), kid: 'leaked' };
    const refused = await call('niconicoAdmin', `/api/manager/admin/clients/${client.clientId}/keys`, { jwks: { keys: [privateJwk] } });
    expect(refused).toMatchObject({ status: 400, body: { reason: 'private_key_in_jwks', message: { ja: expect.stringContaining('秘密鍵') } } });
    expect((await call('niconicoAdmin', `/api/manager/admin/clients/${client.clientId}/keys`, {})).body).toMatchObject({ reason: 'keys_required' });
    const keyed = await call('niconicoAdmin', `/api/manager/admin/clients/${client.clientId}/keys`, { jwks: { keys: [{ ...(await exportJWK(publicKey)), kid: 'reception-2026', alg: 'ES256', use: 'sig' }] } });
    expect(keyed.status).toBe(200);
    expect(keyed.body.client.keys).toEqual([{ kid: 'reception-2026', kty: 'EC', alg: 'ES256', use: 'sig' }]);
    const stored = (await pass.oidc.clients.find(client.clientId))!.metadata as Record<string, any>;
    expect(stored.jwks.keys[0]).not.toHaveProperty('d');
    expect((await call('sakaiAdmin', `/api/manager/admin/clients/${client.clientId}`)).status).toBe(403);
    expect((await call('sakaiAdmin', `/api/manager/admin/clients/${client.clientId}`)).text).not.toContain('reception');

    const actions = ((await pass.platform.db('audit_log').where('action', 'like', 'manager.client_%').select('action', 'details')) as Array<{ action: string; details: unknown }>).map((a) => a.action);
    expect(actions).toEqual(expect.arrayContaining(['manager.client_registered', 'manager.client_secret_rotated', 'manager.client_claims_changed', 'manager.client_keys_changed']));
    // No secret is ever written to the audit log.
    expect(JSON.stringify(await pass.platform.db('audit_log').select('details'))).not.toContain(rotated.body.clientSecret);
  });

  test('PASS\'s own clients are nobody\'s here; no token, the wrong scope or no staff role get nothing', async () => {
    expect((await call('kagaAdmin', '/api/manager/admin/clients/pass-kiosk')).body).toMatchObject({ reason: 'facility_not_permitted' });
    expect((await call('kagaAdmin', '/api/manager/admin/clients/no-such-client')).status).toBe(404);
    expect((await fetch(new URL('/api/manager/admin/facilities', pass.issuer))).status).toBe(401);
    const notStaff = await call('notStaff', '/api/manager/admin/facilities');
    expect(notStaff).toMatchObject({ status: 403, body: { reason: 'not_staff' } });
    const wrongScope = await managerToken(pass, ADMINS.niconico, 'openid');
    expect((await api(pass, wrongScope, '/api/manager/admin/facilities')).status).toBe(403);
    expect((await call('niconicoAdmin', '/api/manager/admin/facilities/NOT%20AN%20ID')).body).toMatchObject({ reason: 'invalid_request' });
  });
});

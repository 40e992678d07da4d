/**
 * PASS Manager management API, kiosks and staff: staff of a facility connect a kiosk by the code
 * on its screen (the kiosk then gets its DPoP-bound tokens and binds itself to the facility), a
 * code is used once, a cancelled one refuses the kiosk, and only kiosk codes are accepted; an
 * admin revokes a kiosk and it stops at once. A facility admin assigns and removes staff of their
 * own facility only; nobody removes the last municipal admin, not even two admins removing each
 * other at the same moment. Another facility is a 403 with no data everywhere.
 */
import { createStorage, startPass, type TestStorage } from '../helpers/pass.ts';
import { api, callApi, managerToken, STAFF, staffMember, staffWorld, storageEnds, strongAccount, type Pass } from './helpers.ts';
import { runtime, TestKiosk } from '../kiosk/helpers.ts';

const modes = storageEnds();

const NICONICO = 'kaga-niconico-park';
const SAKAI = 'sakai-kids-park';
const ADMIN = 'admin@niconico.example.jp';
const SECOND_CITY_ADMIN = 'second@city.kaga.example.jp';
const NEWCOMER = 'newcomer@example.jp';

describe.each(modes)('management of kiosks and staff on %s', (mode) => {
  let storage: TestStorage;
  let pass: Pass;
  let ids: Record<string, string>;
  let tokens: Record<'niconicoAdmin' | 'niconicoStaff' | 'sakaiStaff' | 'kagaAdmin', string>;

  beforeAll(async () => {
    storage = await createStorage(mode);
    pass = await startPass(storage.env);
    ids = await staffWorld(pass);
    ids.niconicoAdmin = await staffMember(pass, ADMIN, 'facility_admin', { facilityId: NICONICO });
    ids.newcomer = await strongAccount(pass, NEWCOMER);
    ids.second = await strongAccount(pass, SECOND_CITY_ADMIN);
    tokens = {
      niconicoAdmin: await managerToken(pass, ADMIN),
      niconicoStaff: await managerToken(pass, STAFF.niconico.email),
      sakaiStaff: await managerToken(pass, STAFF.sakai.email),
      kagaAdmin: await managerToken(pass, STAFF.kagaAdmin.email),
    };
  }, 90_000);

  afterAll(async () => {
    await pass?.close();
    await storage?.cleanup();
  });

  const call = (who: keyof typeof tokens, path: string, json?: unknown, method?: string) => callApi(pass, tokens[who], path, json, method);
  const deviceToken = (kiosk: TestKiosk, code: string) => kiosk.token({ grant_type: 'urn:ietf:params:oauth:grant-type:device_code', device_code: code });

  test('staff connect a kiosk by its code; the kiosk activates for their facility; a code works once', async () => {
    const kiosk = await new TestKiosk(pass.issuer).init();
    const auth = await kiosk.deviceAuthorization();
    expect((await deviceToken(kiosk, auth.device_code)).body.error).toBe('authorization_pending');
    const typed = String(auth.user_code).toLowerCase().replace('-', ' ');

    // Staff of another facility cannot approve for this one, and learn nothing of the device.
    const foreign = await call('sakaiStaff', `/api/manager/admin/facilities/${NICONICO}/kiosks/preview`, { userCode: typed });
    expect(foreign).toMatchObject({ status: 403, body: { reason: 'facility_not_permitted' } });
    expect(foreign.text).not.toContain('PASS Face');

    const preview = await call('niconicoStaff', `/api/manager/admin/facilities/${NICONICO}/kiosks/preview`, { userCode: typed });
    expect(preview.status).toBe(200);
    expect(preview.body.device).toEqual({ userCode: auth.user_code, clientName: 'PASS Face キオスク', expiresAt: expect.any(String) });
    const approved = await call('niconicoStaff', `/api/manager/admin/facilities/${NICONICO}/kiosks/approve`, { userCode: typed });
    expect(approved).toMatchObject({ status: 200, body: { approved: { userCode: auth.user_code } } });
    const again = await call('niconicoStaff', `/api/manager/admin/facilities/${NICONICO}/kiosks/approve`, { userCode: typed });
    expect(again).toMatchObject({ status: 409, body: { reason: 'device_code_used', message: { ja: 'このコードはすでに使われています。' } } });

    const tokensAnswer = await deviceToken(kiosk, auth.device_code);
    expect(tokensAnswer.status).toBe(200);
    expect(tokensAnswer.body.scope).toBe('kiosk');
    expect(tokensAnswer.body.token_type).toBe('DPoP');
    expect(tokensAnswer.body.refresh_token).toEqual(expect.any(String));
    const activated = await kiosk.call('POST', '/api/kiosk/activation', { json: {} });
    expect(activated).toMatchObject({ status: 201, body: { facility: { id: NICONICO } } });
    kiosk.id = activated.body.kiosk.id;
    expect((await kiosk.call('GET', '/api/kiosk/me')).status).toBe(200);

    const listed = await call('niconicoStaff', `/api/manager/admin/facilities/${NICONICO}/kiosks`);
    expect(listed.body.kiosks).toEqual([expect.objectContaining({ id: kiosk.id, facilityId: NICONICO, lastContactAt: expect.any(String), revokedAt: null })]);
    const otherList = await call('sakaiStaff', `/api/manager/admin/facilities/${NICONICO}/kiosks`);
    expect(otherList.status).toBe(403);
    expect(otherList.text).not.toContain(kiosk.id);

    expect((await pass.platform.db('audit_log').where({ action: 'manager.kiosk_approved', facility_id: NICONICO })).length).toBe(1);

    // Revocation: not by staff, not by another facility, yes by the facility admin — and at once.
    expect((await call('niconicoStaff', `/api/manager/admin/kiosks/${kiosk.id}/revoke`, {})).body).toMatchObject({ reason: 'admin_required' });
    const foreignRevoke = await call('sakaiStaff', `/api/manager/admin/kiosks/${kiosk.id}/revoke`, {});
    expect(foreignRevoke).toMatchObject({ status: 403, body: { reason: 'facility_not_permitted' } });
    const revoked = await call('niconicoAdmin', `/api/manager/admin/kiosks/${kiosk.id}/revoke`, {});
    expect(revoked.body.kiosk).toMatchObject({ id: kiosk.id, revokedAt: expect.any(String) });
    expect((await kiosk.call('GET', '/api/kiosk/me')).status).toBe(401);
    expect((await kiosk.token({ grant_type: 'refresh_token', refresh_token: kiosk.refreshToken! })).status).toBe(400);
  });

  test('wrong, cancelled and non-kiosk codes', async () => {
    const wrong = await call('niconicoStaff', `/api/manager/admin/facilities/${NICONICO}/kiosks/preview`, { userCode: 'BCDF-GHJK' });
    expect(wrong).toMatchObject({ status: 404, body: { reason: 'device_code_invalid', message: { ja: expect.stringContaining('有効期限'), en: expect.stringContaining('expired') } } });
    expect((await call('niconicoStaff', `/api/manager/admin/facilities/${NICONICO}/kiosks/preview`, { userCode: 'x' })).body.reason).toBe('device_code_invalid');
    expect((await call('niconicoStaff', `/api/manager/admin/facilities/${NICONICO}/kiosks/preview`, {})).body).toMatchObject({ reason: 'invalid_request', fields: ['userCode'] });

    const kiosk = await new TestKiosk(pass.issuer).init();
    const auth = await kiosk.deviceAuthorization();
    const denied = await call('niconicoStaff', `/api/manager/admin/facilities/${NICONICO}/kiosks/deny`, { userCode: auth.user_code });
    expect(denied.status).toBe(204);
    expect((await deviceToken(kiosk, auth.device_code)).body.error).toBe('access_denied');

    // A device code of some other device client is not a kiosk's: staff cannot hand it their account.
    await pass.oidc.clients.create({ clientId: 'tv-app', name: 'テレビ', grantTypes: ['urn:ietf:params:oauth:grant-type:device_code'], tokenEndpointAuthMethod: 'none' });
    const tv = (await (await fetch(`${pass.issuer}/device/auth`, { method: 'POST', body: new URLSearchParams({ client_id: 'tv-app', scope: 'openid' }) })).json()) as Record<string, string>;
    const notKiosk = await call('kagaAdmin', `/api/manager/admin/facilities/${NICONICO}/kiosks/approve`, { userCode: tv.user_code });
    expect(notKiosk).toMatchObject({ status: 400, body: { reason: 'not_a_kiosk_code' } });
  });

  test('a facility admin assigns and removes staff of their own facility only; reads are audited', async () => {
    const path = `/api/manager/admin/facilities/${NICONICO}/staff`;
    const readsBefore = (await pass.platform.db('audit_log').where({ action: 'manager.staff_read' })).length;
    const list = await call('niconicoStaff', path);
    expect(list.status).toBe(200);
    expect(list.body.staff.map((m: { email: string; role: string }) => [m.email, m.role])).toEqual(
      expect.arrayContaining([
        [STAFF.niconico.email, 'facility_staff'],
        [ADMIN, 'facility_admin'],
      ]),
    );
    expect((await pass.platform.db('audit_log').where({ action: 'manager.staff_read' })).length).toBe(readsBefore + 1);
    const foreign = await call('sakaiStaff', path);
    expect(foreign.status).toBe(403);
    expect(foreign.text).not.toContain('@niconico');

    expect((await call('niconicoStaff', path, { email: NEWCOMER, role: 'facility_staff' })).body).toMatchObject({ reason: 'admin_required' });
    expect((await call('niconicoAdmin', `/api/manager/admin/facilities/${SAKAI}/staff`, { email: NEWCOMER, role: 'facility_staff' })).status).toBe(403);
    expect((await call('niconicoAdmin', path, { email: NEWCOMER, role: 'municipal_admin' })).body).toMatchObject({ reason: 'invalid_request', fields: ['role'] });
    expect((await call('niconicoAdmin', '/api/manager/admin/municipalities/172065/admins', { email: NEWCOMER })).body).toMatchObject({ reason: 'municipal_admin_required' });
    expect((await call('niconicoAdmin', path, { email: 'nobody@example.jp', role: 'facility_staff' })).body).toMatchObject({ reason: 'account_not_found' });
    expect(await runtime(pass).staff.assignments(ids.newcomer!)).toEqual([]);

    const assigned = await call('niconicoAdmin', path, { email: NEWCOMER.toUpperCase(), role: 'facility_staff' });
    expect(assigned).toMatchObject({ status: 201, body: { member: { accountId: ids.newcomer, email: NEWCOMER, role: 'facility_staff', facilityId: NICONICO } } });
    const promoted = await call('niconicoAdmin', path, { email: NEWCOMER, role: 'facility_admin' });
    expect(promoted.body.member.role).toBe('facility_admin');
    expect((await call('niconicoAdmin', `/api/manager/admin/facilities/${SAKAI}/staff/${ids.sakai}`, undefined, 'DELETE')).status).toBe(403);
    expect((await call('niconicoAdmin', `${path}/${ids.newcomer}`, undefined, 'DELETE')).status).toBe(204);
    expect((await call('niconicoAdmin', `${path}/${ids.newcomer}`, undefined, 'DELETE')).body).toMatchObject({ reason: 'assignment_not_found' });
    expect(await runtime(pass).staff.assignments(ids.newcomer!)).toEqual([]);
    const changes = (await pass.platform.db('audit_log').whereIn('action', ['manager.staff_assigned', 'manager.staff_removed']).orderBy('id')) as Array<{ action: string }>;
    expect(changes.map((c) => c.action)).toEqual(['manager.staff_assigned', 'manager.staff_assigned', 'manager.staff_removed']);
  });

  test('nobody removes the last municipal admin, even two admins removing each other at once', async () => {
    const admins = '/api/manager/admin/municipalities/172065/admins';
    const self = await call('kagaAdmin', `${admins}/${ids.kagaAdmin}`, undefined, 'DELETE');
    expect(self).toMatchObject({ status: 409, body: { reason: 'last_municipal_admin', message: { ja: expect.stringContaining('最後の市区町村管理者') } } });
    expect((await call('kagaAdmin', admins, { email: SECOND_CITY_ADMIN })).status).toBe(201);
    const second = await managerToken(pass, SECOND_CITY_ADMIN);
    expect((await call('kagaAdmin', admins)).body.admins.map((a: { email: string }) => a.email).sort()).toEqual([STAFF.kagaAdmin.email, SECOND_CITY_ADMIN].sort());

    const [a, b] = await Promise.all([
      call('kagaAdmin', `${admins}/${ids.second}`, undefined, 'DELETE'),
      api(pass, second, `${admins}/${ids.kagaAdmin}`, { method: 'DELETE' }),
    ]);
    const statuses = [a.status, b.status].sort();
    // One of them went first; the other found itself removed (403) or the last one (409).
    expect(statuses[0]).toBe(204);
    expect([403, 409]).toContain(statuses[1]);
    const left = (await pass.platform.db('staff_assignments').where({ role: 'municipal_admin', municipality_code: '172065' })) as unknown[];
    expect(left).toHaveLength(1);
  });
});

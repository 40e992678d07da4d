// Kiosk provisioning: the device authorization grant approved by staff of the facility, DPoP-bound
// tokens, activation, refresh, and revocation by an admin.
import { createStorage, startPass, type TestStorage } from '../helpers/pass.ts';
import { storageModes } from '../helpers/services.ts';
import { PASSWORD, apiToken, approveDevice, provisionKiosk, runtime, staffAccount, TestKiosk, withFacilities, type Pass } from './helpers.ts';

const mode = storageModes().at(-1)!;

describe(`kiosk provisioning (${mode})`, () => {
  let storage: TestStorage;
  let pass: Pass;

  beforeAll(async () => {
    storage = await createStorage(mode);
    pass = await startPass(storage.env);
    await withFacilities(pass);
    await staffAccount(pass, 'staff@niconico.example.jp', 'facility_staff', { facilityId: 'kaga-niconico-park' });
    await staffAccount(pass, 'admin@kaga.example.jp', 'municipal_admin', { municipalityCode: '172065' });
  }, 60_000);

  afterAll(async () => {
    await pass?.close();
    await storage?.cleanup();
  });

  test('staff approval binds the kiosk to their facility; tokens are DPoP-bound', async () => {
    const kiosk = await provisionKiosk(pass, 'staff@niconico.example.jp');
    const me = await kiosk.call('GET', '/api/kiosk/me');
    expect(me.status).toBe(200);
    expect(me.body.facility).toMatchObject({ id: 'kaga-niconico-park', nameJa: 'かがにこにこパーク' });
    const row = await pass.platform.db('kiosks').where({ id: kiosk.id }).first();
    expect(row).toMatchObject({ facility_id: 'kaga-niconico-park', revoked_at: null });
    expect(row.last_contact_at).toBeTruthy();

    // Bearer use, a missing or foreign proof, and a replayed proof are refused.
    expect((await kiosk.call('GET', '/api/kiosk/me', { scheme: 'Bearer' })).status).toBe(401);
    const other = await new TestKiosk(pass.issuer).init();
    const foreign = await kiosk.call('GET', '/api/kiosk/me', { proof: await other.proof('GET', `${pass.issuer}/api/kiosk/me`, kiosk.accessToken) });
    expect(foreign).toMatchObject({ status: 401, body: { reason: 'invalid_dpop_proof' } });
    const proof = await kiosk.proof('GET', `${pass.issuer}/api/kiosk/me`, kiosk.accessToken);
    expect((await kiosk.call('GET', '/api/kiosk/me', { proof })).status).toBe(200);
    expect((await kiosk.call('GET', '/api/kiosk/me', { proof })).body.reason).toBe('invalid_dpop_proof');
    const wrongUrl = await kiosk.proof('GET', `${pass.issuer}/api/kiosk/checkins`, kiosk.accessToken);
    expect((await kiosk.call('GET', '/api/kiosk/me', { proof: wrongUrl })).status).toBe(401);

    // The refresh token works only with the kiosk's key.
    expect(kiosk.refreshToken).toBeTruthy();
    const refreshed = await kiosk.token({ grant_type: 'refresh_token', refresh_token: kiosk.refreshToken! });
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.token_type).toBe('DPoP');
    expect((await kiosk.call('GET', '/api/kiosk/me')).status).toBe(200);
  });

  test('an approver who is not staff gets no kiosk; a municipal admin chooses the facility', async () => {
    await pass.platform.accounts.create({ email: 'someone@example.jp', password: PASSWORD, verified: true });
    const stranger = await new TestKiosk(pass.issuer).init();
    const auth = await stranger.deviceAuthorization();
    await approveDevice(pass.issuer, auth.verification_uri_complete, 'someone@example.jp');
    await stranger.token({ grant_type: 'urn:ietf:params:oauth:grant-type:device_code', device_code: auth.device_code });
    const refused = await stranger.call('POST', '/api/kiosk/activation', { json: {} });
    expect(refused).toMatchObject({ status: 403, body: { reason: 'not_facility_staff', message: { ja: expect.stringContaining('職員') } } });
    expect((await stranger.call('GET', '/api/kiosk/me')).body.reason).toBe('kiosk_not_activated');

    const admin = await new TestKiosk(pass.issuer).init();
    const adminAuth = await admin.deviceAuthorization();
    await approveDevice(pass.issuer, adminAuth.verification_uri_complete, 'admin@kaga.example.jp');
    await admin.token({ grant_type: 'urn:ietf:params:oauth:grant-type:device_code', device_code: adminAuth.device_code });
    const choose = await admin.call('POST', '/api/kiosk/activation', { json: {} });
    expect(choose.status).toBe(409);
    expect(choose.body.details.facilities.map((f: { id: string }) => f.id)).toContain('kaga-kinjo-shelter');
    expect((await admin.call('POST', '/api/kiosk/activation', { json: { facilityId: 'sakai-kids-park' } })).status).toBe(403);
    const chosen = await admin.call('POST', '/api/kiosk/activation', { json: { facilityId: 'kaga-kinjo-shelter' } });
    expect(chosen).toMatchObject({ status: 201, body: { facility: { id: 'kaga-kinjo-shelter', kind: 'shelter' } } });
  });

  test('an admin revokes a kiosk: it stops at once and its tokens are gone', async () => {
    const kiosk = await provisionKiosk(pass, 'staff@niconico.example.jp');
    const adminToken = await apiToken(pass, 'admin@kaga.example.jp');
    const staffToken = await apiToken(pass, 'staff@niconico.example.jp');
    const admin = (method: string, path: string, token: string) => fetch(`${pass.issuer}${path}`, { method, headers: { authorization: `Bearer ${token}` } });
    const listed = (await (await admin('GET', '/api/kiosk/admin/facilities/kaga-niconico-park/kiosks', staffToken)).json()) as { kiosks: Array<{ id: string }> };
    expect(listed.kiosks.map((k) => k.id)).toContain(kiosk.id);
    expect((await admin('POST', `/api/kiosk/admin/kiosks/${kiosk.id}/revoke`, staffToken)).status).toBe(403);
    expect((await admin('POST', `/api/kiosk/admin/kiosks/${kiosk.id}/revoke`, adminToken)).status).toBe(200);
    const after = await kiosk.call('GET', '/api/kiosk/me');
    expect(after.status).toBe(401);
    expect(['kiosk_revoked', 'invalid_token']).toContain(after.body.reason);
    expect((await kiosk.token({ grant_type: 'refresh_token', refresh_token: kiosk.refreshToken! })).status).toBe(400);
    expect((await runtime(pass).kiosks.find(kiosk.id))?.revokedAt).toBeInstanceOf(Date);
  });
});

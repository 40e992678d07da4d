// Shelters: check-in and check-out, current occupancy, and emergency mode — the gallery widens to
// the municipality's residents who consented to emergency use, and they are admitted without a
// shelter registration. Also: the kiosk's check-in ids are its own.
import { randomUUID } from 'node:crypto';
import { createStorage, startPass, type TestStorage } from '../helpers/pass.ts';
import { storageModes } from '../helpers/services.ts';
import { apiToken, provisionKiosk, runtime, staffAccount, withFacilities, type Pass, type TestKiosk } from '../kiosk/helpers.ts';
import { plainResident, register } from '../kiosk/fixtures.ts';
import { municipalityGallery } from '../../src/checkins/registration-lookup.ts';

const mode = storageModes()[0]!;

describe(`shelter check-in (${mode})`, () => {
  let storage: TestStorage;
  let pass: Pass;
  let kiosk: TestKiosk;
  let adminToken: string;

  beforeAll(async () => {
    storage = await createStorage(mode);
    pass = await startPass(storage.env);
    await withFacilities(pass);
    await staffAccount(pass, 'admin@kaga.example.jp', 'municipal_admin', { municipalityCode: '172065' });
    kiosk = await provisionKiosk(pass, 'admin@kaga.example.jp', 'kaga-kinjo-shelter');
    adminToken = await apiToken(pass, 'admin@kaga.example.jp');
  }, 60_000);

  afterAll(async () => {
    await pass?.close();
    await storage?.cleanup();
  });

  async function qrFor(email: string): Promise<string> {
    const response = await fetch(`${pass.issuer}/api/checkins/qr-token`, { method: 'POST', headers: { authorization: `Bearer ${await apiToken(pass, email)}` } });
    return ((await response.json()) as { token: string }).token;
  }

  const checkin = async (email: string, direction: 'in' | 'out') =>
    (await kiosk.call('POST', '/api/kiosk/checkins/qr', { json: { id: randomUUID(), token: await qrFor(email), direction } })).body;
  const occupancy = async () => (await kiosk.call('GET', '/api/kiosk/me')).body.occupancy as number;

  test('in and out change the occupancy; emergency mode admits consenting residents', async () => {
    const a = await plainResident(pass, 'evacuee.a@example.jp');
    const b = await plainResident(pass, 'evacuee.b@example.jp');
    await register(pass, a.personId, 'kaga-kinjo-shelter', ['name']);
    expect(await occupancy()).toBe(0);
    expect(await checkin('evacuee.a@example.jp', 'in')).toMatchObject({ result: 'accepted', direction: 'in' });
    expect(await occupancy()).toBe(1);
    // b is not registered at the shelter: refused while there is no emergency.
    expect(await checkin('evacuee.b@example.jp', 'in')).toMatchObject({ result: 'rejected', reason: 'not_registered' });

    const admin = (method: string) => fetch(`${pass.issuer}/api/kiosk/admin/municipalities/172065/emergency`, { method, headers: { authorization: `Bearer ${adminToken}` } });
    expect((await admin('PUT')).status).toBe(200);
    expect((await kiosk.call('GET', '/api/kiosk/me')).body.emergency).toBe(true);
    expect(await runtime(pass).checkins.galleryFor({ id: 'kaga-kinjo-shelter', municipalityCode: '172065', kind: 'shelter' })).toBe('municipality:172065');
    // b consented to emergency use (the municipality's gallery): admitted now, with name and age only.
    await pass.platform.db('face_gallery_members').insert({ gallery_id: municipalityGallery('172065'), person_id: b.personId });
    expect(await checkin('evacuee.b@example.jp', 'in')).toMatchObject({ result: 'accepted' });
    expect(await occupancy()).toBe(2);
    expect(await checkin('evacuee.a@example.jp', 'out')).toMatchObject({ result: 'accepted', direction: 'out', message: { ja: 'チェックアウトしました。' } });
    expect(await occupancy()).toBe(1);
    const staffView = await fetch(`${pass.issuer}/api/kiosk/admin/facilities/kaga-kinjo-shelter/occupancy`, { headers: { authorization: `Bearer ${adminToken}` } });
    expect(await staffView.json()).toEqual({ facilityId: 'kaga-kinjo-shelter', occupancy: 1 });
    expect((await admin('DELETE')).status).toBe(200);
    expect((await kiosk.call('GET', '/api/kiosk/me')).body.emergency).toBe(false);
  });

  test("a check-in id belongs to its kiosk; bad input is refused and records nothing", async () => {
    const other = await provisionKiosk(pass, 'admin@kaga.example.jp', 'kaga-kinjo-shelter');
    const id = randomUUID();
    const token = await qrFor('evacuee.a@example.jp');
    expect((await kiosk.call('POST', '/api/kiosk/checkins/qr', { json: { id, token } })).status).toBe(201);
    const stolen = await other.call('POST', '/api/kiosk/checkins/qr', { json: { id, token } });
    expect(stolen).toMatchObject({ status: 409, body: { reason: 'checkin_id_conflict' } });
    const bad = await kiosk.call('POST', '/api/kiosk/checkins/qr', { json: { id: 'not-a-uuid', token } });
    expect(bad).toMatchObject({ status: 400, body: { reason: 'invalid_request', message: { ja: expect.any(String), en: expect.any(String) } } });
    const failures = await fetch(`${pass.issuer}/api/kiosk/admin/facilities/kaga-kinjo-shelter/checkins?result=rejected`, { headers: { authorization: `Bearer ${adminToken}` } });
    const list = ((await failures.json()) as { checkins: Array<{ reason: string }> }).checkins;
    expect(list.map((c) => c.reason)).toContain('not_registered');
  });
});

/**
 * The Manager API behind the staff screens of issue 18: today's figures for the home screen
 * (check-ins by method and result, open alerts, each kiosk's state) over the caller's facilities
 * only; a kiosk renamed by an admin of its facility (validated, audited); a kiosk that says it
 * closes is shown closed at once and online again at its next request; a kiosk silent for too
 * long is offline (the clock is injected, nothing waits); the history marks the rows whose
 * guardian can be looked up (a registered minor), not an adult's. Bad input is a reason with
 * Japanese and English text; another facility's staff are refused.
 */
import { randomUUID } from 'node:crypto';
import { AlertService } from '../../src/manager/alerts/alert-service.ts';
import { KioskApprovals } from '../../src/manager/admin/kiosk-approvals.ts';
import { OverviewService } from '../../src/manager/overview/overview-service.ts';
import { StaffScope } from '../../src/manager/staff-scope.ts';
import { StaffService } from '../../src/staff/staff-service.ts';
import { KIOSK_OFFLINE_AFTER_SECONDS, kioskState } from '../../src/kiosk/kiosk-health.ts';
import { passApiResource } from '../../src/oidc/provider-config.ts';
import { stopEnv } from '../households/family-helpers.ts';
import { provisionKiosk, runtime, type TestKiosk } from '../kiosk/helpers.ts';
import { csrfOf, request } from '../helpers/browserless.ts';
import { callApi, managerSession, managerToken, STAFF, staffMember, storageEnds } from './helpers.ts';
import { auditActions, checkIn, managerWorld, register, type ManagerWorld } from './fixtures.ts';

const modes = storageEnds();
const PARK = 'kaga-niconico-park';
const ADMIN = 'admin@niconico.example.jp';

test('a kiosk is online while heard from, offline after a silence, closed when it said so, and revoked above all', () => {
  const now = Date.parse('2026-04-01T10:00:00Z');
  const at = (secondsAgo: number) => new Date(now - secondsAgo * 1000);
  expect(kioskState({ lastContactAt: at(5), closedAt: undefined, revokedAt: undefined }, now)).toBe('online');
  expect(kioskState({ lastContactAt: at(KIOSK_OFFLINE_AFTER_SECONDS - 1), closedAt: undefined, revokedAt: undefined }, now)).toBe('online');
  expect(kioskState({ lastContactAt: at(KIOSK_OFFLINE_AFTER_SECONDS), closedAt: undefined, revokedAt: undefined }, now)).toBe('offline');
  expect(kioskState({ lastContactAt: undefined, closedAt: undefined, revokedAt: undefined }, now)).toBe('offline');
  expect(kioskState({ lastContactAt: at(1), closedAt: at(0), revokedAt: undefined }, now)).toBe('closed');
  expect(kioskState({ lastContactAt: at(1), closedAt: at(0), revokedAt: at(0) }, now)).toBe('revoked');
});

describe.each(modes)('the staff screens API on %s', (mode) => {
  let world: ManagerWorld;
  let kiosk: TestKiosk;
  let tokens: Record<'admin' | 'niconico' | 'sakai' | 'kagaAdmin', string>;

  beforeAll(async () => {
    world = await managerWorld(mode);
    const { env, taro, soraId } = world;
    await staffMember(env.pass, ADMIN, 'facility_admin', { facilityId: PARK });
    await register(env, taro.token, PARK, soraId, ['name', 'age', 'resident_of', 'guardian']);
    await register(env, taro.token, PARK, taro.personId, ['name', 'age', 'resident_of', 'guardian']);
    await checkIn(env, PARK, soraId);
    await checkIn(env, PARK, taro.personId);
    // Yesterday's check-in is not today's figure.
    await checkIn(env, PARK, taro.personId, { occurredAt: new Date(Date.now() - 86400_000 * 1.5) });
    kiosk = await provisionKiosk(env.pass, STAFF.niconico.email, PARK);
    tokens = {
      admin: await managerToken(env.pass, ADMIN),
      niconico: await managerToken(env.pass, STAFF.niconico.email),
      sakai: await managerToken(env.pass, STAFF.sakai.email),
      kagaAdmin: await managerToken(env.pass, STAFF.kagaAdmin.email),
    };
  }, 180_000);

  afterAll(async () => {
    await stopEnv(world?.env);
  });

  const call = (who: keyof typeof tokens, path: string, json?: unknown) => callApi(world.env.pass, tokens[who], path, json);
  const kioskRow = async () => (await runtime(world.env.pass).kiosks.find(kiosk.id))!;
  async function until(check: () => Promise<boolean>, what: string): Promise<void> {
    for (let i = 0; i < 50; i += 1) {
      if (await check()) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`timed out waiting for ${what}`);
  }

  test("today's figures: check-ins by method and result, open alerts and kiosks, over the caller's facilities only", async () => {
    // A refused check-in through the real kiosk API: a figure and an open alert.
    const refused = await kiosk.call('POST', '/api/kiosk/checkins/qr', { json: { id: randomUUID(), token: 'not-a-pass-qr-code' } });
    expect(refused.body).toMatchObject({ result: 'rejected' });

    const mine = await call('niconico', '/api/manager/overview');
    expect(mine.status).toBe(200);
    expect(mine.body.day).toBe(new Date(Date.now() + 9 * 3600_000).toISOString().slice(0, 10));
    expect(mine.body.facilities).toEqual([PARK]);
    expect(mine.body.checkins).toEqual({
      accepted: 2,
      rejected: 1,
      byMethod: [
        { method: 'face', accepted: 0, rejected: 0 },
        { method: 'qr', accepted: 0, rejected: 1 },
        { method: 'card', accepted: 0, rejected: 0 },
        { method: 'device-code', accepted: 2, rejected: 0 },
        { method: 'credential', accepted: 0, rejected: 0 },
      ],
    });
    expect(mine.body.alerts).toEqual({ open: 1, more: false });
    expect(mine.body.kiosks).toEqual([{ id: kiosk.id, name: 'PASS Face', facilityId: PARK, state: 'online', lastSeenAt: expect.any(String) }]);
    expect(mine.text).not.toContain('加賀');

    // Another city's staff see none of it; asking for this facility is refused with words for both languages.
    const other = await call('sakai', '/api/manager/overview');
    expect(other.body.checkins).toMatchObject({ accepted: 0, rejected: 0 });
    expect(other.body.kiosks).toEqual([]);
    const foreign = await call('sakai', `/api/manager/overview?facility=${PARK}`);
    expect(foreign).toMatchObject({ status: 403, body: { reason: 'facility_not_permitted', message: { ja: expect.any(String), en: expect.any(String) } } });
    expect(foreign.text).not.toContain(kiosk.id);
    const bad = await call('niconico', '/api/manager/overview?facility=NOT%20ONE');
    expect(bad).toMatchObject({ status: 400, body: { reason: 'invalid_request', message: { ja: expect.any(String), en: expect.any(String) } } });
    expect((await call('niconico', '/api/manager/overview?when=yesterday')).status).toBe(400);

    // The city's admin sees every Kaga facility: the park's figures are among them.
    const city = await call('kagaAdmin', '/api/manager/overview');
    expect(city.body.facilities).toContain(PARK);
    expect(city.body.checkins).toMatchObject({ accepted: 2, rejected: 1 });
  });

  test('an admin renames a kiosk; bad names, staff and other facilities are refused; the change is audited', async () => {
    const path = `/api/manager/admin/kiosks/${kiosk.id}/name`;
    const renamed = await call('admin', path, { name: '  入口タブレット ' });
    expect(renamed).toMatchObject({ status: 200, body: { kiosk: { id: kiosk.id, name: '入口タブレット', state: 'online' } } });
    expect((await kiosk.call('GET', '/api/kiosk/me')).body.kiosk.name).toBe('入口タブレット');
    const [entry] = await auditActions(world.env, 'manager.kiosk_renamed');
    expect(entry).toMatchObject({ facility_id: PARK, details: { kioskId: kiosk.id, from: 'PASS Face', to: '入口タブレット' } });

    for (const body of [{ name: '' }, { name: '   ' }, { name: 'あ'.repeat(41) }, { name: '入口\n2' }, { name: 42 }, {}, { name: 'ok', extra: 1 }]) {
      const refused = await call('admin', path, body);
      expect(refused).toMatchObject({ status: 400, body: { reason: 'kiosk_name_invalid', message: { ja: expect.stringContaining('40文字'), en: expect.stringContaining('40 characters') } } });
    }
    expect((await call('admin', path, { name: 'あ'.repeat(40) })).status).toBe(200);
    expect((await call('niconico', path, { name: '受付' })).body).toMatchObject({ reason: 'admin_required', message: { ja: expect.any(String), en: expect.any(String) } });
    expect(await call('sakai', path, { name: '受付' })).toMatchObject({ status: 403, body: { reason: 'facility_not_permitted' } });
    expect(await call('admin', '/api/manager/admin/kiosks/kiosk-nothere/name', { name: '受付' })).toMatchObject({ status: 404, body: { reason: 'kiosk_not_found' } });
    expect(await call('admin', '/api/manager/admin/kiosks/not-a-kiosk/name', { name: '受付' })).toMatchObject({ status: 400, body: { reason: 'invalid_request' } });
    expect((await kioskRow()).name).toBe('あ'.repeat(40));
    expect(await auditActions(world.env, 'manager.kiosk_renamed')).toHaveLength(2);
    // The city's admin administers the park too.
    expect((await call('kagaAdmin', path, { name: '入口タブレット' })).status).toBe(200);
  });

  test("the console's rename and revoke pages are an admin's; their forms need the session's CSRF token and nothing happens before", async () => {
    const pass = world.env.pass;
    const page = (id: string) => `${pass.issuer}/manager/kiosks/${id}/revoke?facility=${PARK}`;
    const staff = await managerSession(pass.issuer, STAFF.niconico.email);
    expect((await request(staff.jar, page(kiosk.id))).status).toBe(403);
    const admin = await managerSession(pass.issuer, ADMIN);
    const confirm = await request(admin.jar, page(kiosk.id));
    expect(confirm.status).toBe(200);
    const html = await confirm.text();
    expect(html).toContain('を停止しますか？');
    expect((await kioskRow()).revokedAt).toBeUndefined();
    expect((await request(admin.jar, page('kiosk-nothere'))).status).toBe(404);
    expect((await request(admin.jar, `${pass.issuer}/manager/kiosks/${kiosk.id}/revoke?facility=sakai-kids-park`)).status).toBe(404);
    const forged = await request(admin.jar, `${pass.issuer}/manager/kiosks/${kiosk.id}/rename`, { method: 'POST', body: new URLSearchParams({ facility: PARK, name: '偽物' }) });
    expect(forged.status).toBe(403);
    const renamed = await request(admin.jar, `${pass.issuer}/manager/kiosks/${kiosk.id}/rename`, { method: 'POST', body: new URLSearchParams({ csrf: csrfOf(html), facility: PARK, name: '入口タブレット' }) });
    expect(renamed.status).toBe(303);
    expect((await kioskRow()).name).toBe('入口タブレット');
  });

  test('a kiosk that says it closes is closed at once, and online again at its next request', async () => {
    const listed = async () => (await call('niconico', `/api/manager/admin/facilities/${PARK}/kiosks`)).body.kiosks[0];
    expect(await listed()).toMatchObject({ state: 'online', closedAt: null });

    const closed = await kiosk.call('POST', '/api/kiosk/close');
    expect(closed.status).toBe(204);
    expect(await listed()).toMatchObject({ state: 'closed', closedAt: expect.any(String) });
    expect((await call('niconico', '/api/manager/overview')).body.kiosks[0]).toMatchObject({ state: 'closed' });

    // Its next call (the heartbeat) opens it again, on whichever node, without waiting for the 30-second contact write.
    expect((await kiosk.call('GET', '/api/kiosk/me')).status).toBe(200);
    await until(async () => (await listed()).state === 'online', 'the kiosk to be online again');

    // Without the kiosk's token and proof nothing closes.
    const anonymous = await fetch(`${world.env.pass.issuer}/api/kiosk/close`, { method: 'POST' });
    expect(anonymous.status).toBe(401);
    expect((await kioskRow()).closedAt).toBeUndefined();
  });

  test('a kiosk not heard from for two minutes is offline (the clock moved, not waited for)', async () => {
    const { db } = world.env.pass.platform;
    const store = runtime(world.env.pass).kiosks;
    const principal = (await new StaffScope(new StaffService(db), world.env.pass.platform.accounts).principal(world.staff.niconico))!;
    const later = (seconds: number) => () => Date.now() + seconds * 1000;
    const approvals = (now: () => number) => new KioskApprovals({ db, provider: () => world.env.pass.oidc.host.provider, kiosks: () => store, apiResource: passApiResource(world.env.pass.issuer), now });
    expect((await approvals(later(10)).list(principal, PARK))[0]!.state).toBe('online');
    expect((await approvals(later(KIOSK_OFFLINE_AFTER_SECONDS + 30)).list(principal, PARK))[0]!.state).toBe('offline');
    const overview = new OverviewService({ db, kiosks: store, alerts: new AlertService(db, world.env.pass.platform.bus, world.env.pass.provided['alert-thumbnails']!.thumbnails), now: later(KIOSK_OFFLINE_AFTER_SECONDS + 30) });
    expect((await overview.overview(principal, undefined)).kiosks).toEqual([expect.objectContaining({ id: kiosk.id, state: 'offline' })]);
  });

  test("the history marks a registered minor's rows for guardian lookup, never an adult's", async () => {
    const rows = (await call('niconico', '/api/manager/checkins?result=accepted')).body.rows as Array<Record<string, any>>;
    const sora = rows.filter((r) => r.person?.name === '加賀　そら');
    const taro = rows.filter((r) => r.person?.name === '加賀　太郎');
    expect(sora.length).toBe(1);
    expect(taro.length).toBeGreaterThan(0);
    expect(sora.every((r) => r.guardian === true)).toBe(true);
    expect(taro.every((r) => r.guardian === false)).toBe(true);
  });
});

/**
 * Guardian lookup: for a child checked in at the facility, staff see the household representative
 * and how to reach them — only where the registration there includes the `guardian` consent,
 * only for a minor, only at the staff member's own facility, only while the child is there; the
 * consent's withdrawal ends it at once; every lookup is audited (ids only); the console shows the
 * contact only after an explicit, CSRF-protected button press.
 */
import { csrfOf, request } from '../helpers/browserless.ts';
import { api as familyApi, stopEnv } from '../households/family-helpers.ts';
import { api, managerSession, STAFF, staffTokens, storageEnds } from './helpers.ts';
import { auditActions, checkIn, managerWorld, refusedCheckIn, register, TARO_EMAIL, TARO_PHONE, type ManagerWorld } from './fixtures.ts';

const modes = storageEnds();

describe.each(modes)('guardian lookup on %s', (mode) => {
  let world: ManagerWorld;
  let tokens: Record<'niconico' | 'sakai' | 'kagaAdmin', string>;
  let soraAtPark: string;
  let taroAtPark: string;
  let soraAtLibrary: string;
  let soraRegistration: string;

  beforeAll(async () => {
    world = await managerWorld(mode);
    const { env, taro, soraId } = world;
    soraRegistration = await register(env, taro.token, 'kaga-niconico-park', soraId, ['name', 'age', 'resident_of', 'guardian']);
    await register(env, taro.token, 'kaga-niconico-park', taro.personId, ['name', 'age', 'resident_of', 'guardian']);
    await register(env, taro.token, 'kaga-library', soraId, ['name', 'resident_of']);
    soraAtPark = (await checkIn(env, 'kaga-niconico-park', soraId)).id;
    taroAtPark = (await checkIn(env, 'kaga-niconico-park', taro.personId)).id;
    soraAtLibrary = (await checkIn(env, 'kaga-library', soraId)).id;
    tokens = await staffTokens(env.pass);
  }, 180_000);

  afterAll(async () => {
    await stopEnv(world?.env);
  });

  const get = (who: keyof typeof tokens, path: string) => api(world.env.pass, tokens[who], path);

  test('the children at the facility whose guardian can be reached (not the adults)', async () => {
    const list = await get('niconico', '/api/manager/guardians/candidates');
    expect(list.status).toBe(200);
    expect(list.body.candidates).toEqual([{ checkinId: soraAtPark, at: expect.any(String), facilityId: 'kaga-niconico-park', name: '加賀　そら', passId: expect.stringMatching(/^\w{5}-\w{5}$/) }]);
    expect((await auditActions(world.env, 'manager.guardian_list_read')).at(-1)).toMatchObject({ actor_account_id: world.staff.niconico, details: { rows: 1 } });
  });

  test("the guardian's name and verified contact, audited", async () => {
    const found = await get('niconico', `/api/manager/checkins/${soraAtPark}/guardian`);
    expect(found.status).toBe(200);
    expect(found.body).toEqual({
      checkin: { id: soraAtPark, at: expect.any(String), facilityId: 'kaga-niconico-park' },
      child: { name: '加賀　そら', passId: expect.any(String) },
      guardians: [{ name: '加賀　太郎', phoneNumber: TARO_PHONE, email: TARO_EMAIL }],
    });
    const entry = (await auditActions(world.env, 'manager.guardian_read')).at(-1)!;
    expect(entry).toMatchObject({ actor_account_id: world.staff.niconico, person_id: world.soraId, facility_id: 'kaga-niconico-park', details: { checkinId: soraAtPark, released: true } });
    expect(JSON.stringify(entry.details)).not.toContain('090');
  });

  test('an adult has no guardian; no consent, no contact; both audited', async () => {
    expect(await get('niconico', `/api/manager/checkins/${taroAtPark}/guardian`)).toMatchObject({ status: 404, body: { reason: 'no_guardian', message: { ja: expect.any(String) } } });
    const refused = await get('kagaAdmin', `/api/manager/checkins/${soraAtLibrary}/guardian`);
    expect(refused).toMatchObject({ status: 403, body: { reason: 'no_guardian_consent', message: { ja: '保護者がこの施設への連絡先の提供に同意していません。' } } });
    expect(refused.text).not.toContain(TARO_PHONE);
    const entries = await auditActions(world.env, 'manager.guardian_read');
    expect(entries.slice(-2).map((e) => e.details)).toEqual([
      { checkinId: taroAtPark, released: false, reason: 'no_guardian' },
      { checkinId: soraAtLibrary, released: false, reason: 'no_guardian_consent' },
    ]);
  });

  test("another facility's staff get a 403 with nothing in it", async () => {
    const before = (await auditActions(world.env, 'manager.guardian_read')).length;
    const refused = await get('sakai', `/api/manager/checkins/${soraAtPark}/guardian`);
    expect(refused).toMatchObject({ status: 403, body: { reason: 'facility_not_permitted' } });
    for (const secret of [TARO_PHONE, TARO_EMAIL, '加賀']) expect(refused.text).not.toContain(secret);
    expect((await get('sakai', '/api/manager/guardians/candidates?facility=kaga-niconico-park')).status).toBe(403);
    expect((await get('sakai', '/api/manager/guardians/candidates')).body.candidates).toEqual([]);
    expect((await auditActions(world.env, 'manager.guardian_read')).length).toBe(before);
  });

  test('only while the child is there: not for an old or a refused check-in', async () => {
    const old = await checkIn(world.env, 'kaga-niconico-park', world.soraId, { occurredAt: new Date(Date.now() - 2 * 86400_000) });
    expect(await get('niconico', `/api/manager/checkins/${old.id}/guardian`)).toMatchObject({ status: 404, body: { reason: 'not_checked_in' } });
    const refused = await refusedCheckIn(world.env, 'kaga-niconico-park');
    expect(await get('niconico', `/api/manager/checkins/${refused.id}/guardian`)).toMatchObject({ status: 404, body: { reason: 'not_checked_in' } });
    expect(await get('niconico', '/api/manager/checkins/not-a-uuid/guardian')).toMatchObject({ status: 400, body: { reason: 'invalid_request' } });
  });

  test('the console shows the contact only after the button, with its CSRF token', async () => {
    const { issuer } = world.env.pass;
    const { jar } = await managerSession(issuer, STAFF.niconico.email);
    const page = await (await request(jar, `${issuer}/manager/guardian/`)).text();
    expect(page).toContain('加賀　そら');
    expect(page).not.toContain(TARO_PHONE);
    const forged = await request(jar, `${issuer}/manager/guardian/lookup`, { method: 'POST', body: new URLSearchParams({ csrf: 'forged', checkin: soraAtPark }) });
    expect(forged.status).toBe(403);
    expect(await forged.text()).not.toContain(TARO_PHONE);
    const shown = await request(jar, `${issuer}/manager/guardian/lookup`, { method: 'POST', body: new URLSearchParams({ csrf: csrfOf(page), checkin: soraAtPark }) });
    const html = await shown.text();
    expect(shown.status).toBe(200);
    expect(html).toContain(`href="tel:${TARO_PHONE}"`);
    expect(html).toContain('加賀　太郎');
  });

  test("withdrawing the child's registration ends the facility's access at once", async () => {
    const withdrawn = await familyApi(world.env, world.taro.token, 'POST', `/api/registrations/${soraRegistration}/withdraw`);
    expect(withdrawn.status).toBe(200);
    const refused = await get('niconico', `/api/manager/checkins/${soraAtPark}/guardian`);
    expect(refused).toMatchObject({ status: 403, body: { reason: 'no_guardian_consent' } });
    expect(refused.text).not.toContain(TARO_PHONE);
    expect((await get('niconico', '/api/manager/guardians/candidates')).body.candidates).toEqual([]);
  });
});

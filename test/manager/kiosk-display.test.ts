/**
 * What a facility's kiosks show in public (issue 15), set per facility in PASS Manager: by default
 * an adult's given name and no age; a facility admin (or the municipal admin) changes it through
 * the API or the facility page, and the next check-in follows; staff only look; bad values are a
 * 400 and change nothing; every change is audited. The check-in record keeps only what was shown;
 * a shelter's staff still see the full name and age on the roster.
 */
import { randomUUID } from 'node:crypto';
import { createStorage, startPass, type TestStorage } from '../helpers/pass.ts';
import { csrfOf, request } from '../helpers/browserless.ts';
import { provisionKiosk, type TestKiosk } from '../kiosk/helpers.ts';
import { proofedResident, readDemoCard, register, residentApiToken } from '../kiosk/fixtures.ts';
import { callApi, managerSession, managerToken, STAFF, staffMember, staffWorld, storageEnds, type Pass } from './helpers.ts';

const PARK = 'kaga-niconico-park';
const PARK_ADMIN = 'admin@niconico.example.jp';
const DISPLAY = `/api/manager/admin/facilities/${PARK}/kiosk-display`;
const SHELTER = 'kaga-kinjo-shelter';

describe.each(storageEnds())('the kiosk display policy in PASS Manager on %s', (mode) => {
  let storage: TestStorage;
  let pass: Pass;
  let kiosk: TestKiosk;
  let resident: { accountId: string; personId: string };
  let residentToken: string;
  let tokens: Record<'admin' | 'staff' | 'city', string>;

  beforeAll(async () => {
    storage = await createStorage(mode);
    pass = await startPass(storage.env);
    await staffWorld(pass);
    await staffMember(pass, PARK_ADMIN, 'facility_admin', { facilityId: PARK });
    resident = await proofedResident(pass);
    await register(pass, resident.personId, PARK, ['name', 'age', 'resident_of']);
    residentToken = await residentApiToken(pass, 'resident@pass.localhost');
    kiosk = await provisionKiosk(pass, STAFF.niconico.email);
    tokens = { admin: await managerToken(pass, PARK_ADMIN), staff: await managerToken(pass, STAFF.niconico.email), city: await managerToken(pass, STAFF.kagaAdmin.email) };
  }, 120_000);

  afterAll(async () => {
    await pass?.close();
    await storage?.cleanup();
  });

  /** The resident's QR code at a kiosk (the park's unless said): the answer, and the record kept. */
  async function checkIn(at = kiosk): Promise<{ person: Record<string, unknown> | undefined; shown: unknown }> {
    const code = await fetch(`${pass.issuer}/api/checkins/qr-token`, { method: 'POST', headers: { authorization: `Bearer ${residentToken}` } });
    const { token } = (await code.json()) as { token: string };
    const answer = await at.call('POST', '/api/kiosk/checkins/qr', { json: { id: randomUUID(), token } });
    expect(answer.body.result).toBe('accepted');
    const row = await pass.platform.db('checkins').where({ id: answer.body.id }).first();
    return { person: answer.body.person, shown: typeof row.shown === 'string' ? JSON.parse(row.shown) : row.shown };
  }

  test('by default an adult is greeted by given name, with no age; the record keeps only that', async () => {
    expect((await callApi(pass, tokens.staff, DISPLAY)).body).toEqual({ name: 'given_name', age: 'children_only' });
    const { person, shown } = await checkIn();
    expect(person).toEqual({ name: '太郎', resident: true });
    expect(shown).toEqual({ name: '太郎', resident: true });
  });

  test('staff only look; bad values are refused; nothing changes', async () => {
    const refused = await callApi(pass, tokens.staff, DISPLAY, { name: 'full_name', age: 'always' });
    expect(refused).toMatchObject({ status: 403, body: { reason: 'admin_required', message: { ja: expect.any(String), en: expect.any(String) } } });
    for (const bad of [{ name: 'family_name', age: 'always' }, { name: 'full_name' }, { name: 'full_name', age: 'always', extra: 1 }]) {
      expect(await callApi(pass, tokens.admin, DISPLAY, bad)).toMatchObject({ status: 400, body: { reason: 'invalid_request' } });
    }
    expect((await callApi(pass, tokens.admin, DISPLAY)).body).toEqual({ name: 'given_name', age: 'children_only' });
    expect(await pass.platform.db('audit_log').where({ action: 'manager.kiosk_display_changed' })).toEqual([]);
  });

  test("an admin's change holds from the next check-in, and is audited", async () => {
    const changed = await callApi(pass, tokens.admin, DISPLAY, { name: 'full_name', age: 'always' });
    expect(changed).toMatchObject({ status: 200, body: { name: 'full_name', age: 'always' } });
    expect((await checkIn()).person).toEqual({ name: '加賀　太郎', age: expect.any(Number), resident: true });

    await callApi(pass, tokens.admin, DISPLAY, { name: 'none', age: 'never' });
    const quiet = await checkIn();
    expect(quiet.person).toEqual({ resident: true });
    expect(quiet.shown).toEqual({ resident: true });
    const audits = await pass.platform.db('audit_log').where({ action: 'manager.kiosk_display_changed' }).orderBy('id');
    expect(audits.map((a: any) => [a.facility_id, typeof a.details === 'string' ? JSON.parse(a.details) : a.details])).toEqual([
      [PARK, { name: 'full_name', age: 'always' }],
      [PARK, { name: 'none', age: 'never' }],
    ]);
  });

  test("the facility page's form changes it (with its CSRF token) and shows what is set", async () => {
    const { jar } = await managerSession(pass.issuer, PARK_ADMIN);
    const page = await (await request(jar, `${pass.issuer}/manager/facilities/${PARK}`)).text();
    expect(page).toContain('data-testid="display-form"');
    expect(page).toMatch(/id="displayName"[^]*?<option value="none" selected>[^]*?id="displayAge"[^]*?<option value="never" selected>/);
    const forged = await request(jar, `${pass.issuer}/manager/facilities/${PARK}/kiosk-display`, { method: 'POST', body: new URLSearchParams({ csrf: 'forged', displayName: 'full_name', displayAge: 'always' }) });
    expect(forged.status).toBe(403);
    const saved = await request(jar, `${pass.issuer}/manager/facilities/${PARK}/kiosk-display`, { method: 'POST', body: new URLSearchParams({ csrf: csrfOf(page), displayName: 'given_name', displayAge: 'children_only' }) });
    expect(saved.status).toBe(303);
    expect(saved.headers.get('location')).toBe(`/manager/facilities/${PARK}?done=facilities.display.saved`);
    expect((await callApi(pass, tokens.staff, DISPLAY)).body).toEqual({ name: 'given_name', age: 'children_only' });
    const after = await (await request(jar, `${pass.issuer}${saved.headers.get('location')}`)).text();
    expect(after).toContain('キオスクの表示設定を保存しました。');

    // Staff see the setting, disabled.
    const staffPage = await (await request((await managerSession(pass.issuer, STAFF.niconico.email)).jar, `${pass.issuer}/manager/facilities/${PARK}`)).text();
    expect(staffPage).toMatch(/data-testid="display-form">\s*<input[^>]+>\s*<fieldset class="m-fieldset" disabled>/);
  });

  test("a shelter's kiosk shows the default; its staff's roster still has the full name and age", async () => {
    const shelterKiosk = await provisionKiosk(pass, STAFF.kagaAdmin.email, SHELTER);
    await register(pass, resident.personId, SHELTER, ['name', 'age']);
    expect((await checkIn(shelterKiosk)).person).toEqual({ name: '太郎' });
    // Someone without PASS: a card and its text AP's name, of which the kiosk shows the given name.
    const challenge = (await shelterKiosk.call('POST', '/api/kiosk/card/challenges')).body as { challengeId: string; challenge: string };
    const signed = await readDemoCard(pass, 'kaga-hanako', challenge.challenge);
    const card = await shelterKiosk.call('POST', '/api/kiosk/checkins/card', { json: { id: randomUUID(), challengeId: challenge.challengeId, ...signed.body, textAp: { name: '加賀　花子', birthdate: '1984-07-03' } } });
    expect(card.body).toMatchObject({ result: 'accepted', anonymous: true, person: { name: '花子' } });

    const roster = await callApi(pass, tokens.city, `/api/manager/shelters/${SHELTER}/roster`);
    expect(roster.status).toBe(200);
    expect(roster.body.people).toEqual([
      expect.objectContaining({ name: '加賀　太郎', age: expect.any(Number), anonymous: false }),
      expect.objectContaining({ name: '加賀　花子', age: null, anonymous: true }),
    ]);
  });
});

/**
 * A facility's presentation-attack detection policy in PASS Manager (issue 17): `record` by
 * default; staff of the facility only look; staff of another facility get a 403 and nothing; a
 * facility admin or the municipal admin changes it, audited with who and from what to what; bad
 * values are a 400 with ja/en words and change nothing; the facility page's form (CSRF-checked)
 * shows and sets it. What the policy does at a kiosk is test/checkins/pad-policy.test.ts.
 */
import { createStorage, startPass, type TestStorage } from '../helpers/pass.ts';
import { storageModes } from '../helpers/services.ts';
import { csrfOf, request } from '../helpers/browserless.ts';
import { callApi, managerSession, managerToken, STAFF, staffMember, staffWorld, type Pass } from './helpers.ts';

const PARK = 'kaga-niconico-park';
const PARK_ADMIN = 'pad-admin@niconico.example.jp';
const SAKAI_ADMIN = 'admin@sakai-kids.example.jp';
const POLICY = `/api/manager/admin/facilities/${PARK}/pad-policy`;
const mode = storageModes().at(-1)!;

describe(`the PAD policy in PASS Manager (${mode})`, () => {
  let storage: TestStorage;
  let pass: Pass;
  let tokens: Record<'admin' | 'staff' | 'city' | 'sakaiAdmin', string>;

  const audits = async () =>
    (await pass.platform.db('audit_log').where({ action: 'manager.pad_policy_changed' }).orderBy('id')).map((a: any) => ({
      actor: a.actor_account_id,
      facility: a.facility_id,
      details: typeof a.details === 'string' ? JSON.parse(a.details) : a.details,
    }));
  const stored = async () => (await pass.platform.db('facilities').where({ id: PARK }).first('pad_policy')).pad_policy as string;

  beforeAll(async () => {
    storage = await createStorage(mode);
    pass = await startPass(storage.env);
    await staffWorld(pass);
    await staffMember(pass, PARK_ADMIN, 'facility_admin', { facilityId: PARK });
    await staffMember(pass, SAKAI_ADMIN, 'facility_admin', { facilityId: 'sakai-kids-park' });
    tokens = {
      admin: await managerToken(pass, PARK_ADMIN),
      staff: await managerToken(pass, STAFF.niconico.email),
      city: await managerToken(pass, STAFF.kagaAdmin.email),
      sakaiAdmin: await managerToken(pass, SAKAI_ADMIN),
    };
  }, 120_000);

  afterAll(async () => {
    await pass?.close();
    await storage?.cleanup();
  });

  test('every facility starts at record; its staff may read it', async () => {
    expect(await callApi(pass, tokens.staff, POLICY)).toMatchObject({ status: 200, body: { facilityId: PARK, policy: 'record' } });
    expect(await stored()).toBe('record');
  });

  test('staff of the facility, and admins of another, cannot change it; nothing changes', async () => {
    expect(await callApi(pass, tokens.staff, POLICY, { policy: 'off' })).toMatchObject({
      status: 403,
      body: { reason: 'admin_required', message: { ja: expect.any(String), en: expect.any(String) } },
    });
    expect(await callApi(pass, tokens.sakaiAdmin, POLICY, { policy: 'off' })).toMatchObject({ status: 403, body: { reason: 'facility_not_permitted' } });
    // Another facility's admin does not even read it.
    expect(await callApi(pass, tokens.sakaiAdmin, POLICY)).toMatchObject({ status: 403, body: { reason: 'facility_not_permitted' } });
    expect(await stored()).toBe('record');
    expect(await audits()).toEqual([]);
  });

  test('bad input is a 400 with its words and changes nothing', async () => {
    for (const bad of [{ policy: 'strict' }, { policy: 'REQUIRED' }, {}, { policy: 'off', extra: true }, { policy: 1 }, ['off']]) {
      expect(await callApi(pass, tokens.admin, POLICY, bad)).toMatchObject({
        status: 400,
        body: { reason: 'invalid_request', message: { ja: expect.any(String), en: expect.any(String) } },
      });
    }
    const text = await fetch(new URL(POLICY, pass.issuer), { method: 'POST', headers: { authorization: `Bearer ${tokens.admin}`, 'content-type': 'text/plain' }, body: 'required' });
    expect(text.status).toBe(415);
    expect(await callApi(pass, tokens.admin, '/api/manager/admin/facilities/NOT A FACILITY/pad-policy', { policy: 'off' })).toMatchObject({ status: 400 });
    expect(await stored()).toBe('record');
    expect(await audits()).toEqual([]);
  });

  test('the facility admin and the municipal admin change it; each change is audited', async () => {
    const staffIds = await pass.platform.db('accounts').whereIn('email', [PARK_ADMIN, STAFF.kagaAdmin.email]).select('id', 'email');
    const idOf = (email: string) => staffIds.find((r: any) => r.email === email)!.id;
    expect(await callApi(pass, tokens.admin, POLICY, { policy: 'required' })).toMatchObject({ status: 200, body: { facilityId: PARK, policy: 'required' } });
    expect(await stored()).toBe('required');
    expect(await callApi(pass, tokens.city, POLICY, { policy: 'off' })).toMatchObject({ status: 200, body: { policy: 'off' } });
    expect((await callApi(pass, tokens.staff, POLICY)).body.policy).toBe('off');
    expect(await audits()).toEqual([
      { actor: idOf(PARK_ADMIN), facility: PARK, details: { from: 'record', to: 'required' } },
      { actor: idOf(STAFF.kagaAdmin.email), facility: PARK, details: { from: 'required', to: 'off' } },
    ]);
  });

  test("the facility page's form shows and sets it, with its CSRF token; staff see it disabled", async () => {
    const { jar } = await managerSession(pass.issuer, PARK_ADMIN);
    const page = await (await request(jar, `${pass.issuer}/manager/facilities/${PARK}`)).text();
    expect(page).toContain('data-testid="pad-form"');
    expect(page).toMatch(/id="padPolicy"[^]*?<option value="off" selected>/);
    const url = `${pass.issuer}/manager/facilities/${PARK}/pad-policy`;
    const forged = await request(jar, url, { method: 'POST', body: new URLSearchParams({ csrf: 'forged', padPolicy: 'required' }) });
    expect(forged.status).toBe(403);
    expect(await stored()).toBe('off');

    const bad = await request(jar, url, { method: 'POST', body: new URLSearchParams({ csrf: csrfOf(page), padPolicy: 'sometimes' }) });
    expect(bad.status).toBe(400);
    expect(await stored()).toBe('off');

    const saved = await request(jar, url, { method: 'POST', body: new URLSearchParams({ csrf: csrfOf(page), padPolicy: 'required' }) });
    expect(saved.status).toBe(303);
    expect(saved.headers.get('location')).toBe(`/manager/facilities/${PARK}?done=facilities.pad.saved`);
    expect(await stored()).toBe('required');
    const after = await (await request(jar, `${pass.issuer}${saved.headers.get('location')}`)).text();
    expect(after).toContain('なりすまし検知の方針を保存しました。');
    expect(after).toMatch(/id="padPolicy"[^]*?<option value="required" selected>/);

    const staffPage = await (await request((await managerSession(pass.issuer, STAFF.niconico.email)).jar, `${pass.issuer}/manager/facilities/${PARK}`)).text();
    expect(staffPage).toMatch(/data-testid="pad-form">\s*<input[^>]+>\s*<fieldset class="m-fieldset" disabled>/);
  });
});

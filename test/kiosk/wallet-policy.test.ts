/**
 * A facility's policy for wallet presentations at its kiosks in PASS Manager (issue 19): how old a
 * status list a kiosk holds may be (a day by default). Staff of the facility read it; admins change
 * it, audited; a value out of range is a 400 with ja/en words and changes nothing; the facility
 * page's form (CSRF-checked) shows and sets it; the kiosk API hands the new value to the kiosk.
 */
import { createStorage, startPass, type TestStorage } from '../helpers/pass.ts';
import { storageModes } from '../helpers/services.ts';
import { csrfOf, request } from '../helpers/browserless.ts';
import { callApi, managerSession, managerToken, STAFF, staffWorld, type Pass } from '../manager/helpers.ts';
import { provisionKiosk } from './helpers.ts';

const PARK = 'kaga-niconico-park';
const POLICY = `/api/manager/admin/facilities/${PARK}/wallet-policy`;
const mode = storageModes().at(-1)!;

describe(`the wallet policy in PASS Manager (${mode})`, () => {
  let storage: TestStorage;
  let pass: Pass;
  let tokens: Record<'staff' | 'city', string>;

  const stored = async () => Number((await pass.platform.db('facilities').where({ id: PARK }).first('wallet_status_max_age_seconds')).wallet_status_max_age_seconds);
  const audits = async () =>
    (await pass.platform.db('audit_log').where({ action: 'manager.wallet_policy_changed' }).orderBy('id')).map((a: any) => (typeof a.details === 'string' ? JSON.parse(a.details) : a.details));

  beforeAll(async () => {
    storage = await createStorage(mode);
    pass = await startPass(storage.env);
    await staffWorld(pass);
    tokens = { staff: await managerToken(pass, STAFF.niconico.email), city: await managerToken(pass, STAFF.kagaAdmin.email) };
  }, 120_000);

  afterAll(async () => {
    await pass?.close();
    await storage?.cleanup();
  });

  test('a day by default; staff read it but cannot change it; bad values change nothing', async () => {
    expect(await callApi(pass, tokens.staff, POLICY)).toMatchObject({ status: 200, body: { facilityId: PARK, statusListMaxAgeSeconds: 86400 } });
    expect(await callApi(pass, tokens.staff, POLICY, { statusListMaxAgeSeconds: 600 })).toMatchObject({ status: 403, body: { reason: 'admin_required' } });
    for (const bad of [{ statusListMaxAgeSeconds: 299 }, { statusListMaxAgeSeconds: 604801 }, { statusListMaxAgeSeconds: 600.5 }, { statusListMaxAgeSeconds: '600' }, {}, { statusListMaxAgeSeconds: 600, extra: 1 }]) {
      expect(await callApi(pass, tokens.city, POLICY, bad)).toMatchObject({ status: 400, body: { reason: 'invalid_request', message: { ja: expect.any(String), en: expect.any(String) } } });
    }
    expect(await stored()).toBe(86400);
    expect(await audits()).toEqual([]);
  });

  test('the municipal admin changes it, audited, and the kiosk API hands it to the kiosk', async () => {
    expect(await callApi(pass, tokens.city, POLICY, { statusListMaxAgeSeconds: 3600 })).toMatchObject({ status: 200, body: { statusListMaxAgeSeconds: 3600 } });
    expect(await audits()).toEqual([{ from: 86400, to: 3600 }]);
    const kiosk = await provisionKiosk(pass, STAFF.niconico.email);
    expect((await kiosk.call('GET', '/api/kiosk/wallet')).body.maxStatusListAgeSeconds).toBe(3600);
  });

  test("the facility page's form shows and sets it, with its CSRF token", async () => {
    const { jar } = await managerSession(pass.issuer, STAFF.kagaAdmin.email);
    const page = await (await request(jar, `${pass.issuer}/manager/facilities/${PARK}`)).text();
    expect(page).toContain('data-testid="wallet-policy-form"');
    expect(page).toMatch(/id="statusListMaxAge"[^]*?<option value="3600" selected>1時間/);
    const url = `${pass.issuer}/manager/facilities/${PARK}/wallet-policy`;
    expect((await request(jar, url, { method: 'POST', body: new URLSearchParams({ csrf: 'forged', statusListMaxAge: '300' }) })).status).toBe(403);
    expect((await request(jar, url, { method: 'POST', body: new URLSearchParams({ csrf: csrfOf(page), statusListMaxAge: 'soon' }) })).status).toBe(400);
    expect(await stored()).toBe(3600);
    const saved = await request(jar, url, { method: 'POST', body: new URLSearchParams({ csrf: csrfOf(page), statusListMaxAge: '21600' }) });
    expect(saved.status).toBe(303);
    expect(await stored()).toBe(21600);
    const after = await (await request(jar, `${pass.issuer}/manager/facilities/${PARK}?done=facilities.wallet.saved`)).text();
    expect(after).toContain('失効情報の有効時間を保存しました。');
    expect(after).toMatch(/id="statusListMaxAge"[^]*?<option value="21600" selected>/);
  });
});

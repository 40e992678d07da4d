/**
 * Sign-in at AAL2 in Chromium (issue 15): a resident signs in with password + SMS code (the
 * password alone does not reach the home page), adds a passkey on the app's security page (a
 * virtual authenticator through the Chrome DevTools Protocol), and signs in with it alone; a staff
 * account without a passkey or an authenticator app cannot open PASS Manager. WebAuthn refuses IP
 * addresses as relying party ids, so this PASS is issued as http://localhost.
 */
import type { BrowserContext, Page } from 'playwright-core';
import { configFor, createStorage, freePort, startAllInOne, type TestStorage } from '../helpers/pass.ts';
import { storageModes } from '../helpers/services.ts';
import { runtime, withFacilities, type Pass } from '../kiosk/helpers.ts';
import { browserAvailable, inContext, launch, screenshotter } from './browser.ts';
import { fromOutbox } from './journey-helpers.ts';

const mode = storageModes().at(-1)!;
const RESIDENT = { email: 'sora@example.jp', password: 'kutani yaki 2026 hanabi', phone: '09071112222' };
const STAFF = { email: 'new.staff@niconico.example.jp', password: 'niconico staff 2026' };
const run = browserAvailable() ? describe : describe.skip;

run(`sign-in at AAL2 in Chromium (${mode})`, () => {
  let storage: TestStorage;
  let pass: Pass;
  let issuer: string;
  let browser: Awaited<ReturnType<typeof launch>>;
  const shot = screenshotter('sign-in-aal2');

  beforeAll(async () => {
    storage = await createStorage(mode);
    const port = await freePort();
    const config = configFor({ ...storage.env, ISSUER: `http://localhost:${port}`, PORT: String(port) });
    pass = Object.assign(await startAllInOne(config), { issuer: config.issuer }) as Pass;
    issuer = config.issuer;
    browser = await launch(['--host-resolver-rules=MAP localhost 127.0.0.1']);
    await withFacilities(pass);
    await pass.platform.accounts.create({ ...RESIDENT, verified: true });
    const staff = await pass.platform.accounts.create({ ...STAFF, verified: true });
    await runtime(pass).staff.assign({ accountId: staff.id, role: 'facility_staff', facilityId: 'kaga-niconico-park' });
  });

  afterAll(async () => {
    await browser?.close();
    await pass?.close();
    await storage?.cleanup();
  });

  async function passwordStep(page: Page, login: string, password: string): Promise<void> {
    await page.getByLabel('メールアドレスまたは携帯電話番号').fill(login);
    await page.getByLabel('パスワード', { exact: true }).fill(password);
    await page.getByRole('button', { name: 'ログイン', exact: true }).click();
  }

  async function virtualAuthenticator(context: BrowserContext, page: Page): Promise<void> {
    const cdp = await context.newCDPSession(page);
    await cdp.send('WebAuthn.enable');
    await cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true },
    });
  }

  test('password + SMS code, then a passkey added on the security page signs in alone', async () => {
    const context = await browser.newContext({ locale: 'ja-JP' });
    const page = await context.newPage();
    await virtualAuthenticator(context, page);
    await inContext(context, page, shot, async () => {
      await page.goto(`${issuer}/app/`);
      await page.getByRole('link', { name: 'ログイン・新規登録' }).click();
      await passwordStep(page, RESIDENT.phone, RESIDENT.password);
      // The password alone leads to the code page, not home.
      await page.getByRole('heading', { name: '確認コードの入力', level: 1 }).waitFor();
      expect(page.url()).toContain('/verify');
      await page.goto(`${issuer}/app/`);
      await expect(page.getByRole('heading', { name: 'ホーム', level: 1 }).count()).resolves.toBe(0);
      await page.goBack();
      await page.getByLabel('確認コード(6桁の数字)').fill(await fromOutbox(context, issuer, '+819071112222', /(\d{6})/));
      await page.getByRole('button', { name: '確認する' }).click();
      await page.getByRole('heading', { name: 'ホーム', level: 1 }).waitFor();
      await shot(page, 'home-after-sms');
      // The offer right after signing in, then the security page.
      await page.getByTestId('passkey-offer').waitFor();
      await page.goto(`${issuer}/app/account/security`);
      await page.getByRole('heading', { name: 'ログインとセキュリティ', level: 1 }).waitFor();
      await page.locator('#passkey-name').fill('そらのスマホ');
      await page.getByTestId('passkey-add').click();
      await page.getByTestId('passkey').first().waitFor();
      await expect(page.getByTestId('passkey').first().textContent()).resolves.toContain('そらのスマホ');
      await shot(page, 'passkey-added');

      // A new visit with no PASS or app session: the passkey alone signs in.
      await context.clearCookies();
      await page.goto(`${issuer}/app/`);
      await page.getByRole('link', { name: 'ログイン・新規登録' }).click();
      await page.getByRole('button', { name: 'パスキーでログイン' }).click();
      await page.getByRole('heading', { name: 'ホーム', level: 1 }).waitFor();
      await shot(page, 'home-after-passkey');
    });
    const account = await pass.platform.accounts.findByEmail(RESIDENT.email);
    const events = await pass.platform.db('authentication_events').where({ account_id: account!.id, event: 'sign_in' }).orderBy('id');
    expect(events.map((e: { amr: string }) => e.amr)).toEqual(['pwd sms mfa', 'hwk user mfa']);
    expect(events.at(-1)).toMatchObject({ acr: 'urn:pass:acr:mfa-strong', client_id: 'pass-app' });
  });

  test('a staff account without a passkey or an authenticator app cannot open PASS Manager', async () => {
    const context = await browser.newContext({ locale: 'ja-JP' });
    const page = await context.newPage();
    await inContext(context, page, shot, async () => {
      await page.goto(`${issuer}/manager/`);
      await page.getByRole('link', { name: 'PASS ID でログイン' }).click();
      // Manager asks urn:pass:acr:mfa-strong; this account can only do e-mail codes: PASS says so at once.
      await passwordStep(page, STAFF.email, STAFF.password);
      await page.getByText('パスキーまたは認証アプリでのログインが必要です', { exact: false }).waitFor();
      expect(page.url()).toContain('/manager/?failed=strong');
      await expect(page.getByRole('heading', { name: 'ホーム', level: 1 }).count()).resolves.toBe(0);
      await page.getByRole('link', { name: 'PASS アプリの「ログインとセキュリティ」を開く' }).waitFor();
      await shot(page, 'manager-refused');
    });
  });
});

import type { Browser, Page } from 'playwright-core';
import { createStorage, startPass, type TestStorage } from '../helpers/pass.ts';
import { storageModes } from '../helpers/services.ts';
import { demoClients } from '../../src/demo/seed.ts';
import { readCatalog } from '../../src/facilities/facility-service.ts';
import { browserAvailable, launch, screenshotter } from '../browser/browser.ts';
import { passCodeStep } from '../browser/journey-helpers.ts';
import { proofedResident } from '../households/family-helpers.ts';
import { APP_REDIRECT, PASSWORD, TARO } from '../jpki/proofing-helpers.ts';
import type { Pass } from '../oidc/rp.ts';

const mode = storageModes().at(-1)!;
const run = browserAvailable() ? describe : describe.skip;

run(`the 豊岡市 booking site in the browser (${mode})`, () => {
  let storage: TestStorage;
  let pass: Pass;
  let browser: Browser;

  beforeAll(async () => {
    storage = await createStorage(mode);
    [pass, browser] = await Promise.all([startPass(storage.env), launch()]);
    await pass.platform.facilities.importCatalog(readCatalog());
    await pass.oidc.clients.create(demoClients(pass.issuer).find((c) => c.clientId === 'toyooka-booking')!);
    await pass.oidc.clients.create({ clientId: 'pass-app-test', name: 'PASS app (test)', redirectUris: [APP_REDIRECT], tokenEndpointAuthMethod: 'none' });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await pass?.close();
    await storage?.cleanup();
  });

  test('first login with consent (the facility\'s claims and values), a booking, a second login without consent, logout, a login in a new browser without consent', async () => {
    const shot = screenshotter('booking');
    // A resident proofed with the virtual My Number Card, so the booking site can receive the facts it asks for.
    const email = 'taro.booking@example.jp';
    await proofedResident({ storage, pass, cards: pass.provided.proofing!.pki.dev! }, email, TARO, 'taro-booking');
    const newBrowser = async () => {
      const context = await browser.newContext({ locale: 'ja-JP', viewport: { width: 390, height: 844 }, deviceScaleFactor: 1 });
      context.setDefaultTimeout(8000);
      return context;
    };
    const context = await newBrowser();
    const page: Page = await context.newPage();
    const violations: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' && /Content Security Policy|Refused to/i.test(m.text())) violations.push(m.text());
    });
    try {
      await page.goto(`${pass.issuer}/demo/booking/`);
      await shot(page, 'landing');
      await page.getByRole('link', { name: 'PASSでログイン' }).click();

      // PASS: sign in (the password, then the code), then the consent screen shows the facility, its purpose and the exact values it will receive.
      await page.getByLabel('メールアドレスまたは携帯電話番号').fill(email);
      await page.getByLabel('パスワード', { exact: true }).fill(PASSWORD);
      await page.getByRole('button', { name: 'ログイン', exact: true }).click();
      await passCodeStep(page, pass.issuer, email);
      await page.getByRole('heading', { name: '情報提供への同意' }).waitFor();
      expect(await page.getByTestId('facility-name').textContent()).toBe('公共施設予約システム');
      expect(await page.textContent('main')).toContain('豊岡市 公共施設予約システム');
      expect(await page.getByTestId('purpose').textContent()).toBe('施設予約の利用者登録と予約の確認連絡のため。');
      expect(await page.getByTestId('claim-name').textContent()).toBe('加賀　太郎');
      expect(await page.getByTestId('claim-email').textContent()).toBe(email);
      expect(await page.getByTestId('claim-address').textContent()).toBe('石川県加賀市作見町ル２５番地１');
      // Optional items are offered unticked (as in the PASS app); the resident ticks each.
      const optional = await page.locator('input[name="claim"]').all();
      expect(optional.length).toBeGreaterThan(0);
      expect(await page.getByLabel('住所').isChecked()).toBe(false);
      for (const box of optional) {
        expect(await box.isChecked()).toBe(false);
        await box.check();
      }
      expect(await page.getByTestId('claim-birthdate').count()).toBe(0); // profile asks it; the policy does not allow it
      await shot(page, 'consent');
      await page.getByRole('button', { name: '同意する' }).click();

      // Back at the booking site: a new user, made from what PASS gave.
      await page.getByRole('heading', { name: 'マイページ' }).waitFor();
      expect(await page.getByTestId('welcome').textContent()).toContain('利用者登録が完了しました');
      await page.getByRole('heading', { name: '利用者情報(PASS から提供)' }).waitFor();
      expect(await page.getByTestId('name').textContent()).toBe('加賀　太郎');
      expect(await page.getByTestId('email').textContent()).toBe(email);
      await shot(page, 'first-login');

      await page.getByLabel('施設', { exact: true }).selectOption('hall-a');
      await page.getByLabel('利用日').fill(new Date(Date.now() + 7 * 86_400_000).toISOString().slice(0, 10));
      await page.getByLabel('時間帯').selectOption('afternoon');
      await page.getByRole('button', { name: '予約する' }).click();
      await page.getByText('予約しました。').waitFor();
      expect(await page.getByTestId('reservation').textContent()).toContain('市民会館 会議室A');
      await shot(page, 'booked');

      // The booking site's own session ends (it expired); PASS remembers the resident and the consent.
      await context.clearCookies({ name: 'toyooka_booking' });
      await page.goto(`${pass.issuer}/demo/booking/`);
      await page.getByRole('link', { name: 'PASSでログイン' }).click();
      await page.getByRole('heading', { name: 'マイページ' }).waitFor();
      expect(page.url()).toBe(`${pass.issuer}/demo/booking/`);
      expect(await page.getByTestId('welcome').count()).toBe(0); // the same user, not a new one
      expect(await page.getByTestId('reservation').count()).toBe(1);
      await shot(page, 'second-login');

      // Logout: the booking site, then PASS (RP-initiated), back to the booking site.
      await page.getByRole('button', { name: 'ログアウト' }).click();
      await page.getByRole('button', { name: 'ログアウトする' }).click();
      await page.getByRole('link', { name: 'PASSでログイン' }).waitFor();
      expect(page.url()).toBe(`${pass.issuer}/demo/booking/`);
      await shot(page, 'logged-out');

      // Another browser, a new PASS session: the password and the code, but no consent screen — the registration is the consent.
      const laptop = await newBrowser();
      try {
        const other = await laptop.newPage();
        await other.goto(`${pass.issuer}/demo/booking/`);
        await other.getByRole('link', { name: 'PASSでログイン' }).click();
        await other.getByLabel('メールアドレスまたは携帯電話番号').fill(email);
        await other.getByLabel('パスワード', { exact: true }).fill(PASSWORD);
        await other.getByRole('button', { name: 'ログイン', exact: true }).click();
        await passCodeStep(other, pass.issuer, email);
        await other.getByRole('heading', { name: 'マイページ' }).waitFor();
        expect(await other.getByTestId('reservation').count()).toBe(1);
        await shot(other, 'new-browser-login');
      } finally {
        await laptop.close();
      }
      // One booking user for every login (keyed by PASS's sub for this site, pairwise or not).
      const [users] = await pass.platform.db('booking_users').count<{ count: string }[]>('* as count');
      expect(Number(users!.count)).toBe(1);
      expect(violations).toEqual([]);
    } finally {
      await context.close();
    }
  });
});

import type { Browser, Page } from 'playwright-core';
import { createStorage, startPass, type TestStorage } from '../helpers/pass.ts';
import { storageModes } from '../helpers/services.ts';
import { demoClients } from '../../src/demo/seed.ts';
import { readCatalog } from '../../src/facilities/facility-service.ts';
import { browserAvailable, launch, screenshotter } from '../browser/browser.ts';
import { PASSWORD, resident, type Pass } from '../oidc/rp.ts';

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
  });

  afterAll(async () => {
    await browser?.close();
    await pass?.close();
    await storage?.cleanup();
  });

  test('first login with consent, a booking, a second login without consent, logout', async () => {
    const shot = screenshotter('booking');
    const user = await resident(pass, 'browser');
    const context = await browser.newContext({ locale: 'ja-JP', viewport: { width: 390, height: 844 }, deviceScaleFactor: 1 });
    context.setDefaultTimeout(8000);
    const page: Page = await context.newPage();
    const violations: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' && /Content Security Policy|Refused to/i.test(m.text())) violations.push(m.text());
    });
    try {
      await page.goto(`${pass.issuer}/demo/booking/`);
      await shot(page, 'landing');
      await page.getByRole('link', { name: 'PASSでログイン' }).click();

      // PASS: sign in, then the consent screen names the booking site.
      await page.getByLabel('メールアドレスまたは携帯電話番号').fill(user.email);
      await page.getByLabel('パスワード', { exact: true }).fill(PASSWORD);
      await page.getByRole('button', { name: 'ログイン' }).click();
      await page.getByRole('heading', { name: '情報提供への同意' }).waitFor();
      expect(await page.textContent('main')).toContain('豊岡市 公共施設予約システム');
      await shot(page, 'consent');
      await page.getByRole('button', { name: '同意する' }).click();

      // Back at the booking site: a new user, made from what PASS gave.
      await page.getByRole('heading', { name: 'マイページ' }).waitFor();
      expect(await page.getByTestId('welcome').textContent()).toContain('利用者登録が完了しました');
      // What the user was made from is the facility's consent (issue 6's claims engine); the page shows it.
      await page.getByRole('heading', { name: '利用者情報(PASS から提供)' }).waitFor();
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
      // One booking user for both logins (keyed by PASS's sub for this site, pairwise or not).
      const [users] = await pass.platform.db('booking_users').count<{ count: string }[]>('* as count');
      expect(Number(users!.count)).toBe(1);
      expect(violations).toEqual([]);
    } finally {
      await context.close();
    }
  });
});

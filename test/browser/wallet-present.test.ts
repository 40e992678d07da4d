/**
 * Issue 19, presenting: a proofed resident aged 65 or over receives an age credential in the PASS
 * app in Chromium, opens the demo bus verifier and presses 「シニア割引を使う」. The bus sends an
 * OpenID4VP request (DCQL: age_over_65 only) to the wallet page, which shows exactly 「65歳以上: はい」
 * and what it will not send; 「提供する」 makes the presentation on the phone with the device key and
 * posts it to the bus, which verifies it against PASS's keys and status list: 割引が使えます. The
 * bus's log holds age_over_65 and nothing else; the wallet's history lists the presentation. A
 * resident under 65 is told 対象ではありません; 「やめる」 sends access_denied; a bad request gets a
 * clear page and nothing is sent.
 */
import type { Browser, Page } from 'playwright-core';
import { storageModes } from '../helpers/services.ts';
import { ICHIRO, proofedResident, startFamilyEnv, stopEnv, PASSWORD, TARO, type FamilyEnv } from '../households/family-helpers.ts';
import { browserAvailable, launch, screenshotter } from './browser.ts';
import { signInToApp } from './journey-helpers.ts';
import { onPhonePage } from './watched-pages.ts';
import { verifyIndependently } from '../wallet/issuer-helpers.ts';
import { APP_COOKIE } from '../../clients/app/routes.ts';

const mode = storageModes().at(-1)!;
const run = browserAvailable() ? describe : describe.skip;
const SENIOR = 'present.ichiro@example.jp';
const YOUNGER = 'present.taro@example.jp';

run(`presenting an age credential to the bus verifier (${mode})`, () => {
  let env: FamilyEnv;
  let browser: Browser;

  beforeAll(async () => {
    [env, browser] = await Promise.all([startFamilyEnv(mode), launch()]);
    await proofedResident(env, SENIOR, ICHIRO, 'present-ichiro');
    await proofedResident(env, YOUNGER, TARO, 'present-taro');
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await stopEnv(env);
  });

  /** Signs in to the app and receives the resident's own age credential into the wallet. */
  async function withAgeCredential(page: Page, email: string): Promise<void> {
    await signInToApp(page, env.pass.issuer, email, PASSWORD);
    await page.getByRole('heading', { name: 'ホーム', level: 1 }).waitFor();
    await page.goto(`${env.pass.issuer}/app/wallet`);
    await page.locator('#wallet[data-ready="true"]').waitFor();
    await page.getByTestId('receive-self').getByRole('button', { name: '年齢の証明' }).click();
    await page.getByTestId('wallet-message').filter({ hasText: '「年齢の証明」を受け取りました。' }).waitFor({ timeout: 20_000 });
  }

  /** From the bus's page to the wallet's approval page, ready. */
  async function askFromBus(page: Page): Promise<void> {
    await page.goto(`${env.pass.issuer}/demo/bus/`);
    await page.getByRole('button', { name: 'シニア割引を使う' }).click();
    await page.waitForURL((url) => url.pathname === '/app/wallet/present');
    await page.locator('#present[data-ready="true"]').waitFor();
  }

  test('65 or over: only 「65歳以上」 is shown and sent, the bus gives the discount, its log and the wallet history say so', async () => {
    const shot = screenshotter('wallet-present');
    await onPhonePage(browser, shot, async (page) => {
      await withAgeCredential(page, SENIOR);
      await askFromBus(page);
      expect(await page.title()).toBe('情報の提供 | PASS');
      expect(await page.getByTestId('present-verifier-name').textContent()).toBe('加賀市コミュニティバス');
      expect(await page.getByTestId('present-verifier-origin').textContent()).toBe(env.pass.issuer);
      // Exactly one fact goes: 65歳以上, はい. The other age facts are listed as not sent.
      const facts = page.getByTestId('present-facts');
      expect(await facts.locator('dt').allTextContents()).toEqual(['65歳以上']);
      expect(await facts.locator('dd').allTextContents()).toEqual(['はい']);
      const withheld = await page.getByTestId('present-withheld').locator('li').allTextContents();
      expect(withheld).toEqual(['3歳以上', '6歳以上', '12歳以上', '13歳以上', '15歳以上', '16歳以上', '18歳以上', '20歳以上', '60歳以上', '70歳以上', '75歳以上']);
      await shot(page, 'approve');

      // What the phone posts to the bus, kept to be checked by an implementation PASS does not use.
      const request = new URL(page.url());
      const posted = page.waitForRequest((r) => r.method() === 'POST' && new URL(r.url()).pathname === '/demo/bus/response');
      await page.getByRole('button', { name: '提供する' }).click();
      const vpToken = JSON.parse(new URLSearchParams((await posted).postData() ?? '').get('vp_token') ?? '{}') as { age?: string[] };
      await page.waitForURL((url) => url.pathname === '/demo/bus/result');
      expect(await page.getByTestId('bus-result').textContent()).toBe('65歳以上が確認できました。シニア割引が使えます。');
      await shot(page, 'discount');

      // @meeco/sd-jwt, by other authors, verifies the presentation the PASS app made: PASS's signature, the
      // one disclosure, and the phone's key binding for this bus and this nonce.
      expect(vpToken.age).toHaveLength(1);
      const independent = await verifyIndependently(env.pass.issuer, vpToken.age![0]!, { aud: request.searchParams.get('client_id')!, nonce: request.searchParams.get('nonce')! });
      expect(Object.keys(independent).filter((k) => k.startsWith('age_over_'))).toEqual(['age_over_65']);
      expect(independent).toMatchObject({ iss: env.pass.issuer, vct: 'urn:pass:vct:age:1', age_over_65: true });
      expect(independent).not.toHaveProperty('birthdate');

      // The bus received age_over_65 and nothing else.
      await page.goto(`${env.pass.issuer}/demo/bus/log`);
      const entry = page.getByTestId('log-entry').first();
      expect(await entry.getAttribute('data-outcome')).toBe('accepted');
      expect(await entry.getByTestId('log-fact').evaluateAll((nodes) => nodes.map((n) => n.getAttribute('data-claim')))).toEqual(['age_over_65']);
      expect(await page.getByTestId('bus-log').textContent()).not.toMatch(/一郎|1952|生年月日|住所|氏名|sub/);

      // 「やめる」 on a second request: the bus hears access_denied and nothing else.
      await askFromBus(page);
      await page.getByRole('button', { name: 'やめる' }).click();
      await page.waitForURL((url) => url.pathname === '/demo/bus/result');
      expect(await page.getByTestId('bus-result').getAttribute('data-reason')).toBe('wallet_declined');

      // The wallet's history: the discount presentation with its one fact, and the cancelled one.
      await page.goto(`${env.pass.issuer}/app/wallet`);
      await page.getByRole('link', { name: '提供の履歴' }).click();
      await page.waitForURL((url) => url.pathname === '/app/wallet/history');
      await page.locator('#history[data-ready="true"]').waitFor();
      const entries = page.getByTestId('presentation');
      expect(await entries.count()).toBe(2);
      expect(await entries.evaluateAll((nodes) => nodes.map((n) => n.getAttribute('data-result')))).toEqual(['declined', 'sent']);
      const sent = entries.nth(1);
      expect(await sent.getByRole('heading', { level: 2 }).textContent()).toBe('加賀市コミュニティバス');
      expect(await sent.getByTestId('presentation-facts').locator('dt').allTextContents()).toEqual(['65歳以上']);
      expect(await sent.getByTestId('presentation-facts').locator('dd').allTextContents()).toEqual(['はい']);
      await shot(page, 'history');
    });
  }, 120_000);

  test('under 65: the bus says 対象ではありません; a malformed request gets a clear page and sends nothing', async () => {
    const shot = screenshotter('wallet-present-younger');
    await onPhonePage(browser, shot, async (page) => {
      await withAgeCredential(page, YOUNGER);
      // The app's session has ended (PASS's has not): the bus's request still reaches the approval page, through sign-in.
      await page.context().clearCookies({ name: APP_COOKIE });
      await askFromBus(page);
      expect(await page.getByTestId('present-facts').locator('dd').allTextContents()).toEqual(['いいえ']);
      await page.getByRole('button', { name: '提供する' }).click();
      await page.waitForURL((url) => url.pathname === '/demo/bus/result');
      expect(await page.getByTestId('bus-result').textContent()).toContain('シニア割引の対象ではありません');
      await shot(page, 'not-eligible');

      const bad = await page.goto(`${env.pass.issuer}/app/wallet/present?response_type=vp_token&response_mode=direct_post&response_uri=${encodeURIComponent(`${env.pass.issuer}/demo/bus/response`)}&client_id=other&nonce=${'n'.repeat(32)}&state=${'s'.repeat(32)}`);
      expect(bad?.status()).toBe(400);
      expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('この要求には応じられません');
      expect(await page.getByRole('alert').textContent()).toContain('client_id');
      expect(await page.getByTestId('present-nothing-sent').textContent()).toBe('何も送信していません。');
    });
  }, 120_000);
});

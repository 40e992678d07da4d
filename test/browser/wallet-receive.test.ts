/**
 * Issue 19, the holder: a resident proofed with her card opens 「ウォレット」 in the PASS app in
 * Chromium and receives an age credential. The phone runs OpenID4VCI itself (the app's server only
 * asks PASS for the offer): the credential it keeps in IndexedDB is bound to its non-extractable
 * device key and holds only age facts, which the page lists in plain Japanese with its expiry and
 * the status PASS's status list gives. After a reload it is still there; with the network cut the
 * service worker opens the wallet page and it still shows the credential.
 */
import type { Browser, Page } from 'playwright-core';
import { storageModes } from '../helpers/services.ts';
import { proofedResident, startFamilyEnv, stopEnv, PASSWORD, TARO, type FamilyEnv } from '../households/family-helpers.ts';
import { browserAvailable, launch, screenshotter } from './browser.ts';
import { signInToApp } from './journey-helpers.ts';
import { onPhonePage } from './watched-pages.ts';

const mode = storageModes().at(-1)!;
const run = browserAvailable() ? describe : describe.skip;
const EMAIL = 'wallet.taro@example.jp';

/** The wallet's device key and held credentials, read in the page (plain JavaScript: the project compiles without the DOM library). */
const WALLET_STATE = `(async () => {
  const { openWallet } = await import('/app/static/wallet-store.js');
  const wallet = await openWallet(document.getElementById('wallet').dataset.holder);
  const key = await wallet.deviceKey();
  let exported = 'exported';
  try { await crypto.subtle.exportKey('jwk', key.privateKey); } catch (error) { exported = error.name; }
  const held = await wallet.credentials();
  return { extractable: key.privateKey.extractable, usages: key.privateKey.usages, exported, publicJwk: key.publicJwk, held: held.map((c) => ({ configurationId: c.configurationId, sdJwt: c.sdJwt, who: c.who })) };
})()`;

function decodePart(part: string): any {
  return JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
}

run(`receiving a credential into the PASS app's wallet (${mode})`, () => {
  let env: FamilyEnv;
  let browser: Browser;

  beforeAll(async () => {
    [env, browser] = await Promise.all([startFamilyEnv(mode), launch()]);
    await proofedResident(env, EMAIL, TARO, 'wallet-taro');
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await stopEnv(env);
  });

  async function ready(page: Page): Promise<void> {
    await page.locator('#wallet[data-ready="true"]').waitFor();
  }

  test('an age credential: received with the device key, only age facts, kept after a reload and offline', async () => {
    const shot = screenshotter('wallet-receive');
    const issuer = env.pass.issuer;
    await onPhonePage(browser, shot, async (page) => {
      await signInToApp(page, issuer, EMAIL, PASSWORD);
      await page.getByRole('heading', { name: 'ホーム', level: 1 }).waitFor();
      await page.getByRole('link', { name: 'ウォレット' }).click();
      await page.getByRole('heading', { name: 'ウォレット', level: 1 }).waitFor();
      expect(await page.title()).toBe('ウォレット | PASS');
      await ready(page);
      expect(await page.getByTestId('wallet-none').isVisible()).toBe(true);

      // The page tells the console which step of issuance failed (never the page): shown if receiving fails.
      const consoleLines: string[] = [];
      page.on('console', (message) => consoleLines.push(`${message.type()}: ${message.text()}`));
      await page.getByTestId('receive-self').getByRole('button', { name: '年齢の証明' }).click();
      await page
        .getByTestId('wallet-message')
        .filter({ hasText: '「年齢の証明」を受け取りました。' })
        .waitFor({ timeout: 20_000 })
        .catch((error: Error) => {
          throw new Error(`${error.message}\nconsole:\n${consoleLines.join('\n')}`);
        });
      const card = page.getByTestId('credential');
      expect(await card.count()).toBe(1);
      expect(await card.getByRole('heading', { level: 3 }).textContent()).toBe('年齢の証明');
      // Only age facts: 「N歳以上」 for each threshold, はい or いいえ; no name, birthdate, gender or address.
      const labels = await card.getByTestId('credential-facts').locator('dt').allTextContents();
      expect(labels).toEqual(['3歳以上', '6歳以上', '12歳以上', '13歳以上', '15歳以上', '16歳以上', '18歳以上', '20歳以上', '60歳以上', '65歳以上', '70歳以上', '75歳以上']);
      expect(await card.getByTestId('credential-facts').locator('dd[data-claim="age_over_18"]').textContent()).toBe('はい');
      expect(await card.textContent()).not.toMatch(/氏名|生年月日|性別|住所|加賀/);
      // PASS's status list says it is valid.
      await card.locator('[data-testid="credential-status"][data-state="valid"]').waitFor();
      expect(await card.getByTestId('credential-expires').textContent()).toMatch(/^\d{4}年\d{1,2}月\d{1,2}日 \d{1,2}:\d{2}$/);
      await shot(page, 'received');

      // What the phone keeps: bound to its own key, which cannot be read out; age facts only, no sub.
      const state = (await page.evaluate(WALLET_STATE)) as { extractable: boolean; usages: string[]; exported: string; publicJwk: Record<string, string>; held: Array<{ configurationId: string; sdJwt: string; who: string }> };
      expect(state).toMatchObject({ extractable: false, usages: ['sign'], exported: 'InvalidAccessError' });
      expect(state.held).toHaveLength(1);
      expect(state.held[0]).toMatchObject({ configurationId: 'pass_age', who: 'ご本人' });
      const [jwt, ...rest] = state.held[0]!.sdJwt.split('~');
      const payload = decodePart(jwt!.split('.')[1]!);
      expect(payload).toMatchObject({ iss: issuer, vct: 'urn:pass:vct:age:1', cnf: { jwk: state.publicJwk } });
      expect(payload.sub).toBeUndefined();
      expect(payload.birthdate).toBeUndefined();
      const disclosed = rest.filter(Boolean).map((d) => decodePart(d)[1] as string);
      expect(disclosed.every((name) => /^age_over_\d+$/.test(name))).toBe(true);
      expect(disclosed).toHaveLength(12);

      // Still there after a reload.
      await page.reload();
      await ready(page);
      expect(await page.getByTestId('credential').count()).toBe(1);

      // Offline: the service worker opens the wallet page, which shows the credential from IndexedDB.
      await page.waitForFunction('navigator.serviceWorker.controller !== null');
      await page.context().setOffline(true);
      try {
        await page.reload();
        await ready(page);
        expect(await page.getByTestId('wallet-message').textContent()).toBe('インターネットにつながっていません。保存済みの証明書は表示できます。');
        const offline = page.getByTestId('credential');
        expect(await offline.count()).toBe(1);
        expect(await offline.getByRole('heading', { level: 3 }).textContent()).toBe('年齢の証明');
        expect(await offline.getByTestId('credential-status').getAttribute('data-state')).toBe('valid');
        await shot(page, 'offline');
      } finally {
        await page.context().setOffline(false);
      }

      // Signing out takes the offline copy of the wallet page (it names the household) with the session.
      const keptPages = () =>
        page.evaluate(async () => {
          const storage = (globalThis as unknown as { caches: { keys(): Promise<string[]>; open(name: string): Promise<{ keys(): Promise<Array<{ url: string }>> }> } }).caches;
          const kept = await Promise.all((await storage.keys()).map(async (name) => (await (await storage.open(name)).keys()).map((r) => new URL(r.url).pathname)));
          return kept.flat().filter((p) => !p.startsWith('/app/static/') && !p.startsWith('/app/lib/') && !/\.(png|svg|css|js|webmanifest)$/.test(p));
        });
      expect(await keptPages()).toContain('/app/wallet');
      await page.goto(`${env.pass.issuer}/app/`);
      await page.getByRole('button', { name: 'ログアウト' }).click();
      await page.getByRole('button', { name: 'ログアウトする' }).click();
      await page.locator('[data-signed-out="true"]').waitFor();
      for (let i = 0; i < 50 && (await keptPages()).length > 0; i += 1) await page.waitForTimeout(100);
      expect(await keptPages()).toEqual([]);
    });
  }, 120_000);
});

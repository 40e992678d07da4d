/**
 * The wallet page's own parts in Chromium, against the app's routes and a stand-in for PASS's API
 * (the issuer's endpoints are another test's, test/browser/wallet-receive.test.ts): the device key
 * is one non-extractable P-256 key per wallet that signs but cannot be exported, even when two
 * tabs ask for it at once; each resident's wallet is apart; the page draws each held credential
 * (SD-JWT VCs made by @sd-jwt/sd-jwt-vc, as PASS's issuer makes them) with its facts in plain
 * Japanese, expiry and status read from a signed status list (valid, revoked, expired); removing
 * asks first; and with the network gone the service worker opens the page and it still shows them.
 */
import type { Middleware } from 'koa';
import type { Browser, Page } from 'playwright-core';
import { staticFiles } from '../../src/http/static-files.ts';
import { APP_COOKIE } from '../../clients/app/routes.ts';
import { appStaticFiles } from '../../clients/app/security/routes.ts';
import { walletScreens } from '../../clients/app/wallet/mount.ts';
import { walletHolderTag } from '../../clients/app/wallet/routes.ts';
import { memorySessions, passStandIn, startApp, type AppUnderTest } from '../app/app-harness.ts';
import { issueCredential, makeIssuer, statusListToken, type TestIssuer } from '../wallet/sd-jwt/fixtures.ts';
import type { PublicJwk } from '../../src/wallet/sd-jwt/index.ts';
import { browserAvailable, launch, screenshotter } from './browser.ts';
import { WatchedPages } from './watched-pages.ts';
import { auditPage } from './page-audit.ts';

const run = browserAvailable() ? describe : describe.skip;
const TOKEN = 'wallet-store-token';
const COOKIE = 'wallet-store-cookie';
const SUB = 'acc-wallet-store';

/** In-page steps are plain JavaScript strings: the project compiles without the DOM library. */
const KEY_CHECKS = `(async (holder) => {
  const { openWallet } = await import('/app/static/wallet-store.js');
  const wallet = await openWallet(holder);
  const [a, b] = await Promise.all([wallet.deviceKey(), wallet.deviceKey()]);
  const later = await wallet.deviceKey();
  let exported = 'exported';
  try { await crypto.subtle.exportKey('jwk', a.privateKey); } catch (error) { exported = error.name; }
  let pkcs8 = 'exported';
  try { await crypto.subtle.exportKey('pkcs8', a.privateKey); } catch (error) { pkcs8 = error.name; }
  const data = new TextEncoder().encode('proof of possession');
  const signature = await crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, a.privateKey, data);
  const publicKey = await crypto.subtle.importKey('jwk', a.publicJwk, { name: 'ECDSA', namedCurve: 'P-256' }, false, ['verify']);
  const verified = await crypto.subtle.verify({ name: 'ECDSA', hash: 'SHA-256' }, publicKey, signature, data);
  const other = await (await openWallet('another-resident-wallet')).deviceKey();
  return {
    type: a.privateKey.type, extractable: a.privateKey.extractable, usages: a.privateKey.usages, algorithm: a.privateKey.algorithm,
    exported, pkcs8, verified, concurrentSame: a.publicJwk.x === b.publicJwk.x && a.publicJwk.y === b.publicJwk.y,
    laterSame: later.publicJwk.x === a.publicJwk.x, otherDiffers: other.publicJwk.x !== a.publicJwk.x, publicJwk: a.publicJwk,
  };
})`;

const KEEP = `(async ([holder, records]) => {
  const { openWallet } = await import('/app/static/wallet-store.js');
  const wallet = await openWallet(holder);
  for (const record of records) await wallet.keep(record);
  return (await wallet.credentials()).map((c) => c.id);
})`;

const HELD = `(async (holder) => {
  const { openWallet } = await import('/app/static/wallet-store.js');
  return (await (await openWallet(holder)).credentials()).map((c) => c.id);
})`;

run('the wallet page in Chromium: device key, held credentials, status, offline', () => {
  let browser: Browser;
  let app: AppUnderTest;
  let issuer: TestIssuer;
  let statusToken = '';
  const sessions = memorySessions();
  const holder = walletHolderTag(SUB);
  const pass = passStandIn(TOKEN, ({ method }, send, url) => {
    const key = `${method} ${url.pathname}`;
    if (key === 'GET /api/identity/jpki/verification') return send(200, { verified: true });
    if (key === 'GET /api/households/me') return send(200, { household_id: null, representative: false, members: [] });
    if (key === 'GET /api/facilities') return send(200, { municipalities: [{ code: '172065', name: { ja: '加賀市', en: 'Kaga City' }, facilities: [] }] });
    return send(404, { error: 'not_found' });
  });
  /** PASS's status list, served on the page's origin as PASS serves it (the page reaches only its own origin). */
  const statusList: Middleware = async (ctx, next) => {
    if (ctx.path !== '/wallet/status-lists/1') return next();
    ctx.type = 'application/statuslist+jwt';
    ctx.body = statusToken;
  };

  beforeAll(async () => {
    [browser, app] = await Promise.all([
      launch(),
      startApp(pass.server, sessions, (kit, passIssuer) => {
        issuer = makeIssuer(passIssuer);
        return [...walletScreens(kit, passIssuer), appStaticFiles(), staticFiles(), statusList];
      }),
    ]);
    sessions.rows.set(COOKIE, { user: { sub: SUB, email: 'wallet@example.jp' }, tokens: { accessToken: TOKEN, idToken: 'id', expiresAt: Date.now() + 3_600_000 } });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    app?.close();
  });

  async function ready(page: Page): Promise<void> {
    await page.locator('#wallet[data-ready="true"]').waitFor();
  }

  test('one non-extractable device key per wallet; credentials drawn with their facts and status; offline from the service worker', async () => {
    const shot = screenshotter('wallet-store');
    const pages = new WatchedPages(browser, { width: 390, height: 844, timeout: 15_000 });
    const page = await pages.open();
    try {
      await page.context().addCookies([{ name: APP_COOKIE, value: COOKIE, url: app.base }]);
      await page.goto(`${app.base}/app/wallet`);
      await page.getByRole('heading', { name: 'ウォレット', level: 1 }).waitFor();
      await ready(page);
      expect(await page.getByTestId('wallet-none').isVisible()).toBe(true);

      const key = (await page.evaluate(`${KEY_CHECKS}(${JSON.stringify(holder)})`)) as Record<string, any>;
      expect(key).toMatchObject({
        type: 'private',
        extractable: false,
        usages: ['sign'],
        algorithm: { name: 'ECDSA', namedCurve: 'P-256' },
        exported: 'InvalidAccessError',
        pkcs8: 'InvalidAccessError',
        verified: true,
        concurrentSame: true,
        laterSame: true,
        otherDiffers: true,
      });
      expect(Object.keys(key.publicJwk).sort()).toEqual(['crv', 'kty', 'x', 'y']);
      const jwk = key.publicJwk as PublicJwk;

      // Three credentials bound to that key: age (valid), residency (its bit set: revoked), and an expired verified-resident one.
      const uri = `${app.base}/wallet/status-lists/1`;
      statusToken = await statusListToken(issuer, { uri, revoked: [5] });
      const now = Math.floor(Date.now() / 1000);
      const records = [
        { id: 'c-age', kind: 'age' as const, idx: 3, receivedAt: '2026-04-01T00:00:00Z', who: 'ご本人' },
        { id: 'c-residency', kind: 'residency' as const, idx: 5, receivedAt: '2026-04-02T00:00:00Z', who: '加賀　花子 さん（ご家族）' },
        { id: 'c-resident', kind: 'resident' as const, idx: 7, receivedAt: '2026-03-01T00:00:00Z', who: 'ご本人', exp: now - 60 },
      ];
      const stored = await Promise.all(
        records.map(async (r) => ({
          id: r.id,
          configurationId: `pass_${r.kind}`,
          sdJwt: await issueCredential(issuer, r.kind, { holder: jwk, idx: r.idx, uri, ...(r.exp ? { iat: r.exp - 86_400, exp: r.exp } : {}) }),
          personId: null,
          who: r.who,
          receivedAt: r.receivedAt,
          status: null,
        })),
      );
      expect(await page.evaluate(`${KEEP}(${JSON.stringify([holder, stored])})`)).toEqual(['c-residency', 'c-age', 'c-resident']);

      await page.reload();
      await ready(page);
      const cards = page.getByTestId('credential');
      await page.locator('[data-testid="credential-status"][data-state="revoked"]').waitFor();
      expect(await cards.count()).toBe(3);
      expect(await cards.getByRole('heading', { level: 3 }).allTextContents()).toEqual(['住民であることの証明', '年齢の証明', '本人確認済みの基本情報']);

      const age = cards.filter({ hasText: '年齢の証明' });
      const ageFacts = age.getByTestId('credential-facts');
      expect(await ageFacts.locator('dt').allTextContents()).toEqual(['3歳以上', '6歳以上', '12歳以上', '13歳以上', '15歳以上', '16歳以上', '18歳以上', '20歳以上', '60歳以上', '65歳以上', '70歳以上', '75歳以上']);
      expect(await ageFacts.locator('dd[data-claim="age_over_20"]').textContent()).toBe('はい');
      expect(await ageFacts.locator('dd[data-claim="age_over_65"]').textContent()).toBe('いいえ');
      expect(await age.textContent()).not.toContain('生年月日');
      expect(await age.getByTestId('credential-status').getAttribute('data-state')).toBe('valid');
      expect(await age.getByTestId('credential-status').textContent()).toMatch(/^有効（\d{4}年.* に確認）$/);
      expect(await age.getByTestId('credential-expires').textContent()).toMatch(/^\d{4}年\d{1,2}月\d{1,2}日 \d{1,2}:\d{2}$/);
      expect(await age.getByTestId('credential-for').textContent()).toBe('ご本人');

      const residency = cards.filter({ hasText: '住民であることの証明' });
      expect(await residency.getByTestId('credential-facts').locator('dd').allTextContents()).toEqual(['加賀市（172065）']);
      expect(await residency.getByTestId('credential-status').getAttribute('data-state')).toBe('revoked');
      expect(await residency.getByTestId('credential-for').textContent()).toBe('加賀　花子 さん（ご家族）');

      const resident = cards.filter({ hasText: '本人確認済みの基本情報' });
      expect(await resident.getByTestId('credential-facts').locator('dt').allTextContents()).toEqual(['氏名', '生年月日', '性別', '住所', '本人確認の方法']);
      expect(await resident.getByTestId('credential-facts').locator('dd').allTextContents()).toEqual([
        '加賀 太郎',
        '1980年2月17日',
        '男性',
        '石川県加賀市作見町ル２５番地１',
        expect.stringMatching(/^マイナンバーカード（2026年4月1日 18:00 に確認）$/),
      ]);
      expect(await resident.getByTestId('credential-status').getAttribute('data-state')).toBe('expired');
      await shot(page, 'held');
      // The page with credentials drawn passes the audit every PASS page passes (WCAG 2.1 AA, no raw key), in both languages.
      expect(await auditPage(page, 'ja')).toEqual([]);
      await page.goto(`${app.base}/app/wallet?lang=en`);
      await ready(page);
      await page.locator('[data-testid="credential-status"][data-state="revoked"]').waitFor();
      expect(await page.getByTestId('credential').first().getByRole('heading', { level: 3 }).textContent()).toBe('Proof of residence');
      expect(await auditPage(page, 'en')).toEqual([]);
      await page.goto(`${app.base}/app/wallet?lang=ja`);
      await ready(page);

      // Removing asks first: dismissed keeps it, accepted removes it from IndexedDB too.
      page.once('dialog', (dialog) => void dialog.dismiss());
      await residency.getByRole('button', { name: 'この端末から削除' }).click();
      expect(await page.evaluate(`${HELD}(${JSON.stringify(holder)})`)).toHaveLength(3);
      page.once('dialog', (dialog) => void dialog.accept());
      await residency.getByRole('button', { name: 'この端末から削除' }).click();
      await page.waitForFunction(() => (globalThis as unknown as { document: { querySelectorAll(s: string): { length: number } } }).document.querySelectorAll('[data-testid="credential"]').length === 2);
      expect(await page.evaluate(`${HELD}(${JSON.stringify(holder)})`)).toEqual(['c-age', 'c-resident']);

      // The service worker controls the page; with the network gone the wallet still opens and shows what it holds.
      await page.waitForFunction('navigator.serviceWorker.controller !== null');
      await page.reload();
      await ready(page);
      await page.context().setOffline(true);
      await page.reload();
      await ready(page);
      expect(await page.getByTestId('credential').count()).toBe(2);
      expect(await page.getByTestId('wallet-message').textContent()).toBe('インターネットにつながっていません。保存済みの証明書は表示できます。');
      expect(await page.locator('button[data-receive]').first().isDisabled()).toBe(true);
      // The last status seen is kept for offline use.
      expect(await page.getByTestId('credential').filter({ hasText: '年齢の証明' }).getByTestId('credential-status').getAttribute('data-state')).toBe('valid');
      // Another app page, offline, opens the wallet too.
      await page.goto(`${app.base}/app/history`);
      await page.getByRole('heading', { name: 'ウォレット', level: 1 }).waitFor();
      await shot(page, 'offline');
      await page.context().setOffline(false);
      expect(pages.problems).toEqual([]);
    } catch (error) {
      await shot(page, 'failure').catch(() => undefined);
      throw error;
    } finally {
      await pages.close();
    }
  }, 90_000);
});

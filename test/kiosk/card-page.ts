// The kiosk page in Chromium for the card tests: provisioned as the tablet is (device grant
// approved by staff), its card reader connected with a code from PASS Manager, and the PIN pad.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { callApi, managerToken, type Pass } from '../manager/helpers.ts';
import { approveDevice } from './helpers.ts';

export const KIOSK_VIEWPORT = { width: 1024, height: 768 };

export interface KioskPage {
  context: BrowserContext;
  page: Page;
  kioskId: string;
  /** Every request the page made to PASS (method, path, body): a PIN must never be among them. */
  toPass: Array<{ method: string; path: string; body: string }>;
  errors: string[];
}

/** A fresh kiosk page at 1024×768, set up by `staffEmail` (staff of the kiosk's facility), on its ready screen. */
export async function kioskPage(pass: Pass, browser: Browser, staffEmail: string): Promise<KioskPage> {
  const context = await browser.newContext({ viewport: KIOSK_VIEWPORT, locale: 'ja-JP', permissions: ['camera'] });
  context.setDefaultTimeout(20_000);
  const page = await context.newPage();
  const toPass: KioskPage['toPass'] = [];
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content Security Policy|Refused to|SyntaxError|does not provide an export/i.test(m.text())) errors.push(m.text());
  });
  page.on('request', (r) => {
    if (r.url().startsWith(pass.issuer)) toPass.push({ method: r.method(), path: new URL(r.url()).pathname, body: r.postData() ?? '' });
  });
  await page.goto(`${pass.issuer}/kiosk`);
  await page.getByTestId('user-code').filter({ hasText: /\w{4}-\w{4}/ }).waitFor();
  const verification = await page.getByTestId('verification-link').getAttribute('href');
  const before = new Set(((await pass.platform.db('kiosks').select('id')) as Array<{ id: string }>).map((k) => k.id));
  await approveDevice(pass.issuer, verification!, staffEmail);
  await page.getByRole('button', { name: 'マイナンバーカード', exact: true }).waitFor();
  let kioskId: string | undefined;
  for (let i = 0; i < 50 && !kioskId; i += 1) {
    kioskId = ((await pass.platform.db('kiosks').select('id')) as Array<{ id: string }>).map((k) => k.id).find((id) => !before.has(id));
    if (!kioskId) await page.waitForTimeout(200);
  }
  if (!kioskId) throw new Error('the kiosk did not activate');
  return { context, page, kioskId, toPass, errors };
}

/** What staff do: 「カードリーダーを接続」 in PASS Manager, then the code typed on the kiosk's card screen. */
export async function connectCardReader(pass: Pass, kiosk: KioskPage, staffEmail: string): Promise<void> {
  const { page } = kiosk;
  await page.getByRole('button', { name: 'マイナンバーカード', exact: true }).click();
  await page.getByLabel('接続コード（8桁）').waitFor();
  const issued = await callApi(pass, await managerToken(pass, staffEmail), `/api/manager/admin/kiosks/${kiosk.kioskId}/card-reader-code`, undefined, 'POST');
  if (issued.status !== 201) throw new Error(`card reader code: ${issued.status} ${issued.text}`);
  const code = String(issued.body.code);
  await page.getByLabel('接続コード（8桁）').fill(`${code.slice(0, 4)} ${code.slice(4)}`);
  await page.getByRole('button', { name: '接続する' }).click();
  await page.getByTestId('card-prompt').filter({ hasText: 'カードをリーダーに置いてください' }).waitFor();
}

/** The PIN pad, key by key. */
export async function enterPin(page: Page, pin: string): Promise<void> {
  for (const digit of pin) await page.locator(`.pin-key[data-digit="${digit}"]`).click();
  await page.getByRole('button', { name: '確認する' }).click();
}

/** The PIN pad is up, saying how many tries are left. */
export async function pinPadShown(page: Page, triesLeft: number): Promise<void> {
  await page.getByTestId('card-tries').filter({ hasText: `あと ${triesLeft} 回間違えるとロックされます。` }).waitFor();
}

/** The result screen with this message (Japanese). */
export async function resultSays(page: Page, text: string | RegExp): Promise<void> {
  await page.getByTestId('result-message').filter({ hasText: text }).waitFor();
}

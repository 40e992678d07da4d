/**
 * One card, one person (issue 15) in Chromium, with the virtual My Number Cards (at the kiosk through
 * the development card bridge PASS runs with the simulator, KIOSK_CARD_SIMULATOR): 花子 proves her
 * identity in the PASS app with her card (both PINs, one card session) and checks in with that card
 * at a kiosk with no link step; then, on the card-link page, she tries to link 加賀太郎's card and
 * is refused (card_other_person): nothing is stored, the refusal is audited, and 太郎's card at the
 * kiosk does not check in as 花子.
 */
import type { BrowserContext, Page } from 'playwright-core';
import { storageModes } from '../helpers/services.ts';
import { HANAKO, TARO } from '../jpki/proofing-helpers.ts';
import { approveDevice, PASSWORD, staffAccount } from '../kiosk/helpers.ts';
import { plainResident, register } from '../kiosk/fixtures.ts';
import { freePort } from '../helpers/pass.ts';
import { givePasskey } from '../helpers/sign-in-factors.ts';
import { connectCardReader, enterPin } from '../kiosk/card-page.ts';
import { appInBrowser, type AppInBrowser } from './app-in-browser.ts';
import { browserAvailable, screenshotter } from './browser.ts';
import { cspViolations, signInToApp } from './journey-helpers.ts';

const mode = storageModes().at(-1)!;
const run = browserAvailable() ? describe : describe.skip;
const STAFF = 'staff@card-binding.example.jp';
const RESIDENT = 'hanako.card@example.jp';

run(`one card, one person in the browser (${mode})`, () => {
  let app: AppInBrowser | undefined;
  let phone: BrowserContext;
  let kioskContext: BrowserContext;
  let page: Page;
  let kiosk: Page;
  let hanako: { accountId: string; personId: string };
  const violations: string[] = [];
  const shot = screenshotter('card-binding');

  beforeAll(async () => {
    app = await appInBrowser(mode, { KIOSK_CARD_SIMULATOR: 'true', KIOSK_CARD_BRIDGE_URL: `http://127.0.0.1:${await freePort()}` });
    const { pass, browser } = app;
    // Staff sign in to PASS Manager with a passkey (to make the card reader's connection code).
    await givePasskey(pass, await staffAccount(pass, STAFF, 'facility_staff', { facilityId: 'kaga-niconico-park' }), STAFF);
    const cards = pass.provided.proofing!.pki.dev!;
    await cards.issue(TARO, { id: 'cb-taro', label: '加賀　太郎' });
    await cards.issue(HANAKO, { id: 'cb-hanako', label: '加賀　花子' });
    hanako = await plainResident(pass, RESIDENT);
    phone = await browser.newContext({ locale: 'ja-JP', viewport: { width: 390, height: 844 } });
    phone.setDefaultTimeout(10_000);
    page = await phone.newPage();
    cspViolations(page, violations);
    // The kiosk: provisioned by the device grant, approved by staff at the verification URL.
    kioskContext = await browser.newContext({ locale: 'ja-JP', viewport: { width: 1024, height: 768 } });
    kioskContext.setDefaultTimeout(15_000);
    kiosk = await kioskContext.newPage();
    cspViolations(kiosk, violations);
    await kiosk.goto(`${pass.issuer}/kiosk`);
    await kiosk.getByTestId('user-code').filter({ hasText: /\w{4}-\w{4}/ }).waitFor();
    await approveDevice(pass.issuer, (await kiosk.getByTestId('verification-link').getAttribute('href'))!, STAFF);
    await kiosk.getByTestId('facility-name').filter({ hasText: 'かがにこにこパーク' }).waitFor();
    // Staff connect the kiosk's card reader (the simulator's) with the code PASS Manager shows.
    const { id: kioskId } = (await pass.platform.db('kiosks').first('id')) as { id: string };
    await connectCardReader(pass, { page: kiosk, kioskId } as Parameters<typeof connectCardReader>[1], STAFF);
    await kiosk.locator('section:not([hidden]) button.back').first().click();
  }, 90_000);

  afterAll(async () => {
    await phone?.close();
    await kioskContext?.close();
    await app?.close();
  });

  /** The kiosk's card check-in: the virtual card put on the reader, the 4-digit PIN; the result screen; the card taken off. */
  async function cardAtKiosk(label: string): Promise<{ title: string; message: string }> {
    await kiosk.getByRole('button', { name: 'マイナンバーカード', exact: true }).click();
    await kiosk.getByLabel('デモ住民のカード').selectOption({ label });
    await kiosk.getByRole('button', { name: 'リーダーに置く' }).click();
    await kiosk.getByTestId('card-tries').waitFor();
    await enterPin(kiosk, '1234');
    await kiosk.locator('#result').waitFor();
    const result = { title: (await kiosk.getByTestId('result-title').textContent()) ?? '', message: (await kiosk.getByTestId('result-message').textContent()) ?? '' };
    await kiosk.getByRole('button', { name: 'OK' }).click();
    await kiosk.getByRole('button', { name: 'マイナンバーカード', exact: true }).click();
    await kiosk.getByRole('button', { name: 'リーダーから取る' }).click();
    await kiosk.locator('section:not([hidden]) button.back').first().click();
    return result;
  }

  test('a resident proofed with her virtual card checks in with it at the kiosk, with no link step', async () => {
    const { pass } = app!;
    try {
      await signInToApp(page, pass.issuer, RESIDENT, PASSWORD);
      await page.getByRole('heading', { name: 'ホーム', level: 1 }).waitFor();
      await page.goto(`${pass.issuer}/app/identity`);
      await page.getByRole('button', { name: '本人確認をはじめる' }).click();
      await page.getByLabel('加賀　花子').check();
      await page.getByLabel('署名用電子証明書のパスワード').fill('PASS1234');
      await page.getByLabel('利用者証明用電子証明書の暗証番号(数字4桁)').fill('1234');
      await shot(page, 'proofing-both-pins');
      await page.getByRole('button', { name: 'カードで署名して送信する' }).click();
      await page.getByRole('heading', { name: '本人確認情報の確認', level: 1 }).waitFor();
      expect(await page.getByTestId('card-outcome').textContent()).toContain('チェックインするカードとしても登録します');
      await page.getByRole('button', { name: 'この内容で登録する' }).click();
      await page.getByRole('status').filter({ hasText: '本人確認が完了しました' }).waitFor();
      await shot(page, 'proofed');
      expect(await pass.platform.db('card_links').where({ person_id: hanako.personId }).select('linked_via', 'replaced_at')).toEqual([{ linked_via: 'proofing', replaced_at: null }]);

      await register(pass, hanako.personId, 'kaga-niconico-park', ['name']);
      const result = await cardAtKiosk('加賀　花子');
      expect(result.message).toContain('チェックインしました');
      expect(result.title).toContain('花子');
      expect(result.title).not.toContain('PASS 未登録');
      const rows = await pass.platform.db('checkins').where({ method: 'card' });
      expect(rows).toEqual([expect.objectContaining({ person_id: hanako.personId, result: 'accepted' })]);
    } catch (error) {
      await shot(page, 'failure').catch(() => undefined);
      await shot(kiosk, 'failure-kiosk').catch(() => undefined);
      throw error;
    }
  }, 60_000);

  test("花子 links 太郎's card on the card-link page: refused, nothing stored, audited; 太郎's card does not check in as 花子", async () => {
    const { pass } = app!;
    const { db } = pass.platform;
    try {
      const before = await db('card_links').orderBy('card_key').select();
      await page.goto(`${pass.issuer}/app/qr/card`);
      await page.getByRole('heading', { name: 'マイナンバーカードでチェックイン', level: 1 }).waitFor();
      // Her card from proofing is listed as the one in use.
      expect(await page.getByTestId('linked-card').getAttribute('data-status')).toBe('current');
      await page.getByLabel('加賀　太郎').check();
      await page.getByLabel('暗証番号（数字4桁）').fill('1234');
      await page.getByLabel('署名用電子証明書のパスワード').fill('PASS1234');
      await page.getByRole('button', { name: 'カードを登録する' }).click();
      const alert = page.getByRole('alert');
      await alert.filter({ hasText: 'ご本人のものであることを確認できない' }).waitFor();
      await shot(page, 'other-persons-card-refused');
      expect(await page.getByTestId('linked-card').count()).toBe(1);
      expect(await db('card_links').orderBy('card_key').select()).toEqual(before);
      expect(await db('audit_log').where({ action: 'identity.card_link_refused', person_id: hanako.personId }).select('actor_account_id', 'details')).toEqual([
        { actor_account_id: hanako.accountId, details: expect.objectContaining({ reason: 'card_other_person', why: 'other_person' }) },
      ]);
      // The same page in English says so in English.
      await page.getByRole('link', { name: 'Switch to English' }).click();
      await page.getByLabel('加賀　太郎').check();
      await page.getByLabel('PIN (4 digits)').fill('1234');
      await page.getByLabel('Signature certificate password').fill('PASS1234');
      await page.getByRole('button', { name: 'Link the card', exact: true }).click();
      await alert.filter({ hasText: 'could not be shown to be yours' }).waitFor();
      await page.getByRole('link', { name: '日本語に切り替え' }).click();

      const result = await cardAtKiosk('加賀　太郎');
      await shot(kiosk, 'taro-card-anonymous');
      expect(result.title).not.toContain('花子');
      expect(result.title).toBe('カードでチェックイン（PASS 未登録）');
      const taroCheckin = await db('checkins').where({ method: 'card' }).orderBy('recorded_at', 'desc').first();
      expect(taroCheckin).toMatchObject({ person_id: null, result: 'accepted' });
      expect(violations).toEqual([]);
    } catch (error) {
      await shot(page, 'failure').catch(() => undefined);
      await shot(kiosk, 'failure-kiosk').catch(() => undefined);
      throw error;
    }
  }, 60_000);
});

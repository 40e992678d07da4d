/**
 * The PASS app's home screen in Chromium: the check-in QR tile appears once the resident has a
 * facility registration in use, and leads to the QR code; from there the resident links their
 * (virtual) My Number Card for card-only check-in with the 4-digit PIN.
 */
import { storageModes } from '../helpers/services.ts';
import { appInBrowser, type AppInBrowser } from '../browser/app-in-browser.ts';
import { browserAvailable, screenshotter } from '../browser/browser.ts';
import { signInToApp } from '../browser/journey-helpers.ts';
import { onPhonePage } from '../browser/watched-pages.ts';
import { TARO } from '../jpki/proofing-helpers.ts';
import { apiToken, PASSWORD } from './helpers.ts';
import { plainResident, register } from './fixtures.ts';

const mode = storageModes().at(-1)!;
const run = browserAvailable() ? describe : describe.skip;

run(`the check-in tile of the PASS app (${mode})`, () => {
  let app: AppInBrowser | undefined;

  beforeAll(async () => {
    app = await appInBrowser(mode);
  }, 60_000);

  afterAll(() => app?.close());

  test('no tile before a registration; then the tile, the QR code and the card link', async () => {
    const shot = screenshotter('app-checkin-tile');
    const { pass, browser } = app!;
    // A resident proofed over HTTP with their virtual card (signature certificate, sign PIN).
    await pass.provided.proofing!.pki.dev!.issue(TARO, { id: 'tile-taro' });
    const resident = await plainResident(pass, 'tile.resident@example.jp');
    const token = await apiToken(pass, 'tile.resident@example.jp');
    const call = async (path: string, body?: unknown) =>
      (await fetch(`${pass.issuer}${path}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body ?? {}) })).json() as Promise<Record<string, any>>;
    const challenge = await call('/api/identity/jpki/challenge');
    const signed = await call('/api/identity/jpki/dev/cards/tile-taro/sign', { pin: 'PASS1234', challenge: challenge.challenge });
    const verified = await call('/api/identity/jpki/verify', { challenge_id: challenge.challenge_id, ...signed });
    expect((await call('/api/identity/jpki/confirm', { verification_id: verified.verification_id })).person_id).toBe(resident.personId);
    await onPhonePage(browser, shot, async (page) => {
      await signInToApp(page, pass.issuer, 'tile.resident@example.jp', PASSWORD);
      await page.getByRole('heading', { name: 'ホーム', level: 1 }).waitFor();
      await page.locator('#section-facilities').waitFor();
      expect(await page.locator('#section-qr').count()).toBe(0);
      await shot(page, 'home-without-registration');

      await register(pass, resident.personId, 'kaga-niconico-park', ['name', 'age', 'resident_of', 'guardian']);
      await page.reload();
      const tile = page.locator('#section-qr');
      await tile.waitFor();
      expect(await tile.locator('.status.active').textContent()).toBe('利用できます');
      await shot(page, 'home-with-tile');
      await tile.getByRole('link', { name: 'チェックイン用QRコード' }).click();
      await page.getByTestId('checkin-qr').waitFor();
      expect(await page.getByTestId('checkin-qr').getAttribute('src')).toMatch(/^data:image\/png;base64,/);
      await shot(page, 'qr');

      // The card (proofed before issue 15 with its signature key alone): linked with the
      // user-authentication PIN and the signature password, which shows the card is the resident's
      // own; a wrong-format PIN never reaches the card.
      await page.getByRole('link', { name: 'マイナンバーカードでチェックイン' }).click();
      await page.getByTestId('card-none').waitFor();
      await page.getByLabel('加賀　太郎').check();
      await page.getByLabel('暗証番号（数字4桁）').fill('12');
      await page.getByLabel('署名用電子証明書のパスワード').fill('PASS1234');
      await page.getByRole('button', { name: 'カードを登録する' }).click();
      await page.getByRole('alert').filter({ hasText: '暗証番号は数字4桁です。' }).waitFor();
      await page.getByLabel('加賀　太郎').check();
      await page.getByLabel('暗証番号（数字4桁）').fill('1234');
      await page.getByLabel('署名用電子証明書のパスワード').fill('PASS1234');
      await page.getByRole('button', { name: 'カードを登録する' }).click();
      await page.getByRole('status').filter({ hasText: 'カードを登録しました' }).waitFor();
      await page.getByTestId('card-linked').waitFor();
      await shot(page, 'card-linked');
      expect(await pass.platform.db('card_links').where({ person_id: resident.personId }).first('person_id')).toBeDefined();
    });
  }, 60_000);
});

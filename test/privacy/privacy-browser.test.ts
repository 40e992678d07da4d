/**
 * The data-rights screens of the PASS app in Chromium: from the home tile, the resident downloads
 * their data (a JSON file), then deletes their account — a warning in Japanese and English, the
 * password (a wrong one is refused with a clear message), an explicit confirmation — and is signed
 * out for good: signing in again fails.
 */
import { readFile } from 'node:fs/promises';
import { storageModes } from '../helpers/services.ts';
import { appInBrowser, type AppInBrowser } from '../browser/app-in-browser.ts';
import { browserAvailable, screenshotter } from '../browser/browser.ts';
import { signInToApp } from '../browser/journey-helpers.ts';
import { onPhonePage } from '../browser/watched-pages.ts';
import { PASSWORD } from '../kiosk/helpers.ts';
import { plainResident, register } from '../kiosk/fixtures.ts';

const mode = storageModes().at(-1)!;
const run = browserAvailable() ? describe : describe.skip;

run(`download and deletion in the PASS app (${mode})`, () => {
  let app: AppInBrowser | undefined;

  beforeAll(async () => {
    app = await appInBrowser(mode);
  }, 60_000);

  afterAll(() => app?.close());

  test('downloads the data, then deletes the account after the warning and the password', async () => {
    const shot = screenshotter('privacy-ja');
    const { pass, browser } = app!;
    const resident = await plainResident(pass, 'leaving@example.jp');
    await register(pass, resident.personId, 'kaga-library', ['name', 'resident_of']);
    await onPhonePage(browser, shot, async (page) => {
      await signInToApp(page, pass.issuer, 'leaving@example.jp', PASSWORD);
      await page.getByRole('heading', { name: 'ホーム', level: 1 }).waitFor();
      await page.getByRole('link', { name: 'データとアカウント' }).click();
      await page.getByRole('heading', { name: 'データとアカウント', level: 1 }).waitFor();
      await shot(page, 'privacy');

      // The download: a JSON file of the documented format.
      const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'データをダウンロード（JSON）' }).click()]);
      expect(download.suggestedFilename()).toMatch(/^pass-data-\d{4}-\d{2}-\d{2}\.json$/);
      const data = JSON.parse(await readFile((await download.path())!, 'utf8')) as Record<string, any>;
      expect(data).toMatchObject({ format: 'pass-data-export', version: 1, account: { id: resident.accountId, email: 'leaving@example.jp' } });
      expect(data.persons[0].registrations).toEqual([expect.objectContaining({ facility_id: 'kaga-library', status: 'active' })]);

      // The deletion screen: what goes, what stays, in both languages.
      await page.getByRole('link', { name: 'アカウントの削除に進む' }).click();
      await page.getByRole('heading', { name: 'アカウントの削除', level: 1 }).waitFor();
      const warning = page.getByTestId('deletion-warning');
      expect(await warning.textContent()).toContain('元に戻すことはできません');
      expect(await warning.locator('p[lang="en"]').textContent()).toContain('cannot be undone');
      expect(await page.getByTestId('count-registrations').textContent()).toBe('1');
      await shot(page, 'delete');

      // A wrong password: refused, in Japanese, nothing deleted.
      await page.getByLabel('内容を理解しました。アカウントを削除します。').check();
      await page.getByLabel('確認のため、パスワードを入力してください').fill('wrong password 1234');
      await page.getByRole('button', { name: 'アカウントを削除する' }).click();
      await page.getByRole('alert').filter({ hasText: 'パスワードが正しくありません。' }).waitFor();
      await shot(page, 'wrong-password');
      expect(await pass.platform.db('accounts').where({ id: resident.accountId }).first('id')).toBeDefined();

      await page.getByLabel('内容を理解しました。アカウントを削除します。').check();
      await page.getByLabel('確認のため、パスワードを入力してください').fill(PASSWORD);
      await page.getByRole('button', { name: 'アカウントを削除する' }).click();
      await page.getByRole('heading', { name: 'アカウントを削除しました', level: 1 }).waitFor();
      await shot(page, 'deleted');
      expect(await pass.platform.db('accounts').where({ id: resident.accountId }).first('id')).toBeUndefined();
      // No session of the PASS app is left (this browser's was the only one).
      expect(Number(((await pass.platform.db('app_sessions').count({ n: '*' })) as Array<{ n: string }>)[0]!.n)).toBe(0);

      // Signed out everywhere: the app shows its landing page, and signing in again fails.
      await page.goto(`${pass.issuer}/app/`);
      await signInToApp(page, pass.issuer, 'leaving@example.jp', PASSWORD);
      await page.getByRole('alert').waitFor();
      expect(page.url()).toContain('/interaction/');
      await shot(page, 'sign-in-fails');
    });
  }, 60_000);
});

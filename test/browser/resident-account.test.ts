/**
 * A new resident's own screens in Chromium on a phone-sized page (issue 18): after signing up, the
 * home screen greets her by her e-mail address (no verified name yet) and shows the next step,
 * identity proofing; the facilities screen tells her at the start — before any consent screen —
 * that the identity check comes first, with a link to it; she changes her mobile number, typed
 * with hyphens, with the code PASS sends by SMS to the NEW number (read from the development
 * outbox): only then it changes, and the old number is told.
 */
import { storageModes } from '../helpers/services.ts';
import { appInBrowser, type AppInBrowser } from './app-in-browser.ts';
import { browserAvailable, screenshotter } from './browser.ts';
import { fromOutbox, signUp } from './journey-helpers.ts';
import { onPhonePage } from './watched-pages.ts';

const mode = storageModes().at(-1)!;
const run = browserAvailable() ? describe : describe.skip;
const EMAIL = 'hanako.account@example.jp';

run(`a resident's account screens in the PASS app (${mode})`, () => {
  let app: AppInBrowser | undefined;

  beforeAll(async () => {
    app = await appInBrowser(mode);
  }, 60_000);

  afterAll(() => app?.close());

  test('greeting and next step; the identity check first; a new mobile number with an SMS code', async () => {
    const shot = screenshotter('resident-account');
    const { pass, browser } = app!;
    await onPhonePage(browser, shot, async (page) => {
      await signUp(page, pass.issuer, 'ja', { email: EMAIL, password: 'noto peninsula sunrise', mobile: '08013572468' });
      expect(await page.getByTestId('greeting').textContent()).toBe(`${EMAIL} さん`);
      const next = page.getByTestId('next-step');
      expect(await next.getAttribute('data-step')).toBe('proofing');
      expect(await next.getByRole('link', { name: '本人確認を始める' }).getAttribute('href')).toBe('/app/identity');
      await shot(page, 'home');

      // Facilities: the identity check comes first, said before any consent screen.
      await page.getByRole('link', { name: '利用施設' }).click();
      await page.getByTestId('proofing-first').waitFor();
      expect(await page.getByTestId('proofing-first').getByRole('link', { name: '本人確認に進む' }).getAttribute('href')).toBe('/app/identity');
      await page.goto(`${pass.issuer}/app/facilities/f/kaga-library`);
      await page.getByRole('heading', { name: '先に本人確認をしてください' }).waitFor();
      expect(await page.getByRole('button', { name: '提供する内容を確認する' }).count()).toBe(0);
      await shot(page, 'facility-proofing-first');

      // The mobile number: a landline is refused in Japanese, then the new number typed with hyphens.
      await page.goto(`${pass.issuer}/app/`);
      await page.getByRole('link', { name: 'メールアドレス・電話番号・パスワードを変更' }).click();
      await page.getByRole('heading', { name: 'メールアドレス・電話番号・パスワード', level: 1 }).waitFor();
      expect(await page.getByTestId('account-phone').textContent()).toBe('080-1357-2468');
      await page.getByRole('link', { name: '携帯電話番号を変更' }).click();
      expect(await page.title()).toBe('携帯電話番号の変更 | PASS');
      await page.getByLabel('新しい携帯電話番号').fill('03-1234-5678');
      await page.getByRole('button', { name: 'SMS で確認コードを送る' }).click();
      await page.getByRole('alert').filter({ hasText: '固定電話の番号は登録できません' }).waitFor();
      expect(await page.getByLabel('新しい携帯電話番号').getAttribute('aria-invalid')).toBe('true');
      await shot(page, 'phone-refused');

      await page.getByLabel('新しい携帯電話番号').fill('090-2468-1357');
      await page.getByRole('button', { name: 'SMS で確認コードを送る' }).click();
      await page.getByRole('heading', { name: '確認コードの入力', level: 1 }).waitFor();
      expect(await page.getByTestId('code-lead').textContent()).toContain('090-****-1357');
      // Not changed before the code.
      expect((await pass.platform.db('accounts').where({ email: EMAIL }).first('phone_e164')).phone_e164).toBe('+818013572468');
      const code = await fromOutbox(page.context(), pass.issuer, '+819024681357', /(\d{6})/);
      await page.getByLabel('確認コード（6桁の数字）').fill(code);
      await shot(page, 'phone-code');
      await page.getByRole('button', { name: '確認して変更する' }).click();
      await page.getByRole('status').filter({ hasText: '携帯電話番号を変更しました。' }).waitFor();
      expect(await page.getByTestId('account-phone').textContent()).toBe('090-2468-1357');
      expect((await pass.platform.db('accounts').where({ email: EMAIL }).first('phone_e164')).phone_e164).toBe('+819024681357');
      expect(await fromOutbox(page.context(), pass.issuer, '+818013572468', /(携帯電話番号が 090-\*{4}-1357 に変更されました)/)).toBeTruthy();
      await shot(page, 'phone-changed');

      // The home screen shows the new number.
      await page.getByRole('link', { name: 'ホームに戻る' }).click();
      expect(await page.getByTestId('phone').textContent()).toBe('090-2468-1357');
    });
  }, 90_000);
});

import type { Browser, BrowserContext, Page } from 'playwright-core';
import { createStorage, startPass, type TestStorage } from '../helpers/pass.ts';
import { storageModes } from '../helpers/services.ts';
import { browserAvailable, launch, screenshotter, inContext } from './browser.ts';

const mode = storageModes().at(-1)!;
const run = browserAvailable() ? describe : describe.skip;

/** What a resident reads and clicks, per language. */
const WORDS = {
  ja: {
    start: 'ログイン・新規登録', create: 'アカウントを作成', email: 'メールアドレス', password: 'パスワード', send: '確認コードを送信',
    code: '確認コード(6桁の数字)', confirm: '確認する', phone: '携帯電話番号', sendSms: 'SMSを送信', signOut: 'ログアウト',
    signOutYes: 'ログアウトする', id: 'メールアドレスまたは携帯電話番号', signIn: 'ログイン', forgot: 'パスワードをお忘れの方',
    sendReset: '再設定メールを送信', newPassword: '新しいパスワード', change: 'パスワードを変更', toApp: 'PASS アプリへ', home: 'ホーム',
    remember: 'この端末を記憶する(30日間)',
  },
  en: {
    start: 'Sign in or sign up', create: 'Create an account', email: 'E-mail address', password: 'Password', send: 'Send the confirmation code',
    code: 'Confirmation code (6 digits)', confirm: 'Confirm', phone: 'Mobile number', sendSms: 'Send the SMS', signOut: 'Sign out',
    signOutYes: 'Sign out', id: 'E-mail address or mobile number', signIn: 'Sign in', forgot: 'Forgot your password?',
    sendReset: 'Send the reset link', newPassword: 'New password', change: 'Change the password', toApp: 'Go to the PASS app', home: 'Home',
    remember: 'Remember this device for 30 days',
  },
} as const;

run(`a resident's journey in the browser (${mode})`, () => {
  let storage: TestStorage;
  let pass: Awaited<ReturnType<typeof startPass>>;
  let browser: Browser;

  beforeAll(async () => {
    storage = await createStorage(mode);
    [pass, browser] = await Promise.all([startPass(storage.env), launch()]);
  });

  afterAll(async () => {
    await browser?.close();
    await pass?.close();
    await storage?.cleanup();
  });

  /** The newest message to `to` in the development outbox, read the way a developer would. */
  async function fromOutbox(context: BrowserContext, to: string, pattern: RegExp): Promise<string> {
    const page = await context.newPage();
    await page.goto(`${pass.issuer}/dev/outbox`);
    const text = (await page.locator(`li.message[data-to="${to}"] pre.text`).first().textContent()) ?? '';
    await page.close();
    const match = pattern.exec(text);
    if (!match) throw new Error(`no message to ${to} matching ${pattern}: ${text}`);
    return match[1]!;
  }

  test.each(['ja', 'en'] as const)('sign-up with both codes, sign-out, sign-in and password reset in %s', async (lang) => {
    const w = WORDS[lang];
    const shot = screenshotter(`journey-${lang}`);
    const context = await browser.newContext({ locale: lang === 'ja' ? 'ja-JP' : 'en-US', viewport: { width: 390, height: 844 }, deviceScaleFactor: 1 });
    // Each step is quick; a stuck one should fail with its own message well before the test's time.
    context.setDefaultTimeout(8000);
    const page: Page = await context.newPage();
    const violations: string[] = [];
    page.on('console', (m) => {
      // The strict CSP must hold: no inline script or style anywhere in the journey.
      if (m.type() === 'error' && /Content Security Policy|Refused to/i.test(m.text())) violations.push(m.text());
    });
    const email = `journey.${lang}@example.jp`;
    const mobile = lang === 'ja' ? '09024681357' : '08013572468';
    const e164 = `+81${mobile.slice(1)}`;

    await inContext(context, page, shot, async () => {
      // The PASS app, signed out.
      await page.goto(`${pass.issuer}/app/`);
      expect(await page.getAttribute('html', 'lang')).toBe(lang);
      await shot(page, 'app-landing');
      await page.getByRole('link', { name: w.start }).click();

      // Sign-up: e-mail and password, the e-mail code, the mobile number, the SMS code.
      await page.getByRole('link', { name: w.create }).click();
      await page.getByLabel(w.email).fill(email);
      await page.getByLabel(w.password, { exact: true }).fill('noto peninsula sunrise');
      await shot(page, 'signup');
      await page.getByRole('button', { name: w.send }).click();
      await page.getByLabel(w.code).waitFor();
      await shot(page, 'email-code');
      await page.getByLabel(w.code).fill(await fromOutbox(context, email, /(\d{6})/));
      await page.getByRole('button', { name: w.confirm }).click();
      await page.getByLabel(w.phone).fill(mobile);
      await shot(page, 'phone');
      await page.getByRole('button', { name: w.sendSms }).click();
      await page.getByLabel(w.code).waitFor();
      await shot(page, 'sms-code');
      await page.getByLabel(w.code).fill(await fromOutbox(context, e164, /(\d{6})/));
      await page.getByRole('button', { name: w.confirm }).click();

      // The PASS app is PASS itself (no consent page): straight to its home screen.
      await page.getByRole('heading', { name: w.home, level: 1 }).waitFor();
      expect(await page.getByTestId('email').textContent()).toBe(email);
      await shot(page, 'home');

      // Sign-out: the app, then PASS's own confirmation.
      await page.getByRole('button', { name: w.signOut }).click();
      await page.getByRole('button', { name: w.signOutYes }).waitFor();
      await shot(page, 'logout-confirm');
      await page.getByRole('button', { name: w.signOutYes }).click();
      await page.getByRole('link', { name: w.start }).waitFor();
      expect(new URL(page.url()).pathname).toBe('/app/');

      // Sign-in with the mobile number and password, then the SMS code; this browser is remembered.
      await page.getByRole('link', { name: w.start }).click();
      await page.getByLabel(w.id).fill(mobile);
      await page.getByLabel(w.password, { exact: true }).fill('noto peninsula sunrise');
      await shot(page, 'signin');
      await page.getByRole('button', { name: w.signIn, exact: true }).click();
      await page.getByLabel(w.code).waitFor();
      await page.getByLabel(w.code).fill(await fromOutbox(context, e164, /(\d{6})/));
      await page.getByLabel(w.remember).check();
      await shot(page, 'signin-code');
      await page.getByRole('button', { name: w.confirm }).click();
      await page.getByRole('heading', { name: w.home, level: 1 }).waitFor();
      await page.getByRole('button', { name: w.signOut }).click();
      await page.getByRole('button', { name: w.signOutYes }).click();

      // The remembered browser: the password alone, no code.
      await page.getByRole('link', { name: w.start }).click();
      await page.getByLabel(w.id).fill(mobile);
      await page.getByLabel(w.password, { exact: true }).fill('noto peninsula sunrise');
      await page.getByRole('button', { name: w.signIn, exact: true }).click();
      await page.getByRole('heading', { name: w.home, level: 1 }).waitFor();
      await page.getByRole('button', { name: w.signOut }).click();
      await page.getByRole('button', { name: w.signOutYes }).click();

      // Password reset by e-mail link, then sign-in with the new password.
      await page.getByRole('link', { name: w.start }).click();
      await page.getByRole('link', { name: w.forgot }).click();
      await page.getByLabel(w.email).fill(email);
      await page.getByRole('button', { name: w.sendReset }).click();
      await page.getByRole('status').waitFor();
      await shot(page, 'reset-sent');
      await page.goto(await fromOutbox(context, email, /(http\S+\/password\/reset\?token=\S+)/));
      await page.getByLabel(w.newPassword).fill('shirakawa village snow');
      await shot(page, 'reset');
      await page.getByRole('button', { name: w.change }).click();
      await page.getByRole('link', { name: w.toApp }).click();
      await page.getByRole('link', { name: w.start }).click();
      await page.getByLabel(w.id).fill(email);
      await page.getByLabel(w.password, { exact: true }).fill('shirakawa village snow');
      await page.getByRole('button', { name: w.signIn, exact: true }).click();
      // The reset forgot the remembered browser: the code again (by SMS, to the verified mobile number).
      await page.getByLabel(w.code).waitFor();
      await page.getByLabel(w.code).fill(await fromOutbox(context, e164, /(\d{6})/));
      await page.getByRole('button', { name: w.confirm }).click();
      await page.getByRole('heading', { name: w.home, level: 1 }).waitFor();
      await shot(page, 'home-after-reset');
      expect(violations).toEqual([]);
    });
  }, 60_000);
});

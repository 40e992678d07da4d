/**
 * Steps that several browser tests share: a new resident signing up with the e-mail and SMS codes
 * read from the development outbox, as a person would; signing in to the app or to PASS Manager
 * (the password, then the sign-in code from the outbox or the authenticator app's).
 */
import type { BrowserContext, Page } from 'playwright-core';
import { factorsOf, outboxAddress, type TotpApp } from '../helpers/browserless.ts';
import { maskEmail, maskPhone } from '../../src/identity/phone.ts';

export type Lang = 'ja' | 'en';

export const SIGNUP_WORDS = {
  ja: {
    start: 'ログイン・新規登録', create: 'アカウントを作成', email: 'メールアドレス', password: 'パスワード', send: '確認コードを送信',
    code: '確認コード(6桁の数字)', confirm: '確認する', phone: '携帯電話番号', sendSms: 'SMSを送信', home: 'ホーム',
  },
  en: {
    start: 'Sign in or sign up', create: 'Create an account', email: 'E-mail address', password: 'Password', send: 'Send the confirmation code',
    code: 'Confirmation code (6 digits)', confirm: 'Confirm', phone: 'Mobile number', sendSms: 'Send the SMS', home: 'Home',
  },
} as const;

/** The newest message to `to` in the development outbox, read the way a developer would. */
export async function fromOutbox(context: BrowserContext, issuer: string, to: string, pattern: RegExp): Promise<string> {
  const page = await context.newPage();
  await page.goto(`${issuer}/dev/outbox`);
  const text = (await page.locator(`li.message[data-to="${to}"] pre.text`).first().textContent()) ?? '';
  await page.close();
  const match = pattern.exec(text);
  if (!match) throw new Error(`no message to ${to} matching ${pattern}: ${text}`);
  return match[1]!;
}

export interface NewResident {
  email: string;
  password: string;
  /** 070/080/090 without hyphens. */
  mobile: string;
}

/** From the app's landing page to its home screen: sign-up with both codes. */
export async function signUp(page: Page, issuer: string, lang: Lang, who: NewResident): Promise<void> {
  const w = SIGNUP_WORDS[lang];
  await page.goto(`${issuer}/app/`);
  await page.getByRole('link', { name: w.start }).click();
  await page.getByRole('link', { name: w.create }).click();
  await page.getByLabel(w.email).fill(who.email);
  await page.getByLabel(w.password, { exact: true }).fill(who.password);
  await page.getByRole('button', { name: w.send }).click();
  await page.getByLabel(w.code).fill(await fromOutbox(page.context(), issuer, who.email, /(\d{6})/));
  await page.getByRole('button', { name: w.confirm }).click();
  await page.getByLabel(w.phone).fill(who.mobile);
  await page.getByRole('button', { name: w.sendSms }).click();
  await page.getByLabel(w.code).fill(await fromOutbox(page.context(), issuer, `+81${who.mobile.slice(1)}`, /(\d{6})/));
  await page.getByRole('button', { name: w.confirm }).click();
  await page.getByRole('heading', { name: w.home, level: 1 }).waitFor();
}

/** Collects Content-Security-Policy violations reported on the page's console (into `violations`, as they come). */
export function cspViolations(page: Page, violations: string[] = []): string[] {
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content Security Policy|Refused to/i.test(m.text())) violations.push(m.text());
  });
  return violations;
}

/** PASS's own sign-in form, whichever site sent the browser there. */
const PASS_SIGN_IN = {
  ja: { id: 'メールアドレスまたは携帯電話番号', password: 'パスワード', submit: 'ログイン' },
  en: { id: 'E-mail address or mobile number', password: 'Password', submit: 'Sign in' },
} as const;

/** PASS's code page after the password (views/interaction/code.ejs). */
export const CODE_PAGE_WORDS = {
  ja: { code: '確認コード(6桁の数字)', totp: '認証アプリのコード(6桁の数字)', remember: 'この端末を記憶する(30日間)', submit: '確認する' },
  en: { code: 'Confirmation code (6 digits)', totp: 'Authenticator app code (6 digits)', remember: 'Remember this device for 30 days', submit: 'Confirm' },
} as const;

export interface SecondStep {
  lang?: Lang;
  /** Tick 「この端末を記憶する」: a later password sign-in in this browser context skips the code. */
  remember?: boolean;
  /** The account's authenticator app (default: the one the test gave the account, see giveFactor). */
  totp?: TotpApp;
}

/**
 * The newest sign-in code in the outbox for the destination the code page shows (masked): the
 * login's own address (an e-mail, or a mobile number listed as +81…), else another address of the
 * account that masks to it (an SMS to the verified mobile number of an e-mail login).
 */
export async function signInCodeFromOutbox(context: BrowserContext, issuer: string, login: string, destination: string): Promise<string> {
  const mask = (to: string) => (to.includes('@') ? maskEmail(to) : maskPhone(to));
  const address = outboxAddress(login);
  if (mask(address) === destination) return fromOutbox(context, issuer, address, /(\d{6})/);
  const page = await context.newPage();
  await page.goto(`${issuer}/dev/outbox`);
  const addresses = await page.locator('li.message').evaluateAll((items) => items.map((item) => item.getAttribute('data-to') ?? ''));
  await page.close();
  const to = addresses.find((a) => mask(a) === destination);
  if (!to) throw new Error(`no message in the outbox to ${destination} (${login})`);
  return fromOutbox(context, issuer, to, /(\d{6})/);
}

/**
 * What follows the password on PASS's sign-in form: where PASS shows the code page, the code (the
 * authenticator app's, or the SMS or e-mail code read from the outbox), `remember` ticked as asked.
 * False where PASS showed no code page (a remembered browser, or the password refused).
 */
export async function passCodeStep(page: Page, issuer: string, login: string, options: SecondStep = {}): Promise<boolean> {
  const w = CODE_PAGE_WORDS[options.lang ?? 'ja'];
  await page.waitForURL((url) => !/^\/interaction\/[^/]+\/?$/.test(url.pathname));
  if (!/^\/interaction\/[^/]+\/verify\/?$/.test(new URL(page.url()).pathname)) return false;
  const destination = page.locator('p.destination strong');
  if ((await destination.count()) > 0) {
    const code = await signInCodeFromOutbox(page.context(), issuer, login, ((await destination.textContent()) ?? '').trim());
    await page.getByLabel(w.code).fill(code);
  } else {
    const totp = options.totp ?? factorsOf(issuer, login).totp;
    if (!totp) throw new Error(`${login} signs in with an authenticator app: the test must give it one`);
    await page.getByLabel(w.totp).fill(await totp.code());
  }
  if (options.remember) await page.getByLabel(w.remember).check();
  await page.getByRole('button', { name: w.submit, exact: true }).click();
  return true;
}

/** PASS's sign-in form and the code page after it. */
export async function passSignIn(page: Page, issuer: string, login: string, password: string, options: SecondStep = {}): Promise<void> {
  const w = PASS_SIGN_IN[options.lang ?? 'ja'];
  await page.getByLabel(w.id).fill(login);
  await page.getByLabel(w.password, { exact: true }).fill(password);
  await page.getByRole('button', { name: w.submit, exact: true }).click();
  await passCodeStep(page, issuer, login, options);
}

/** From the app's landing page through PASS's sign-in form and code page; the caller waits for where it should lead. */
export async function signInToApp(page: Page, issuer: string, login: string, password: string, options: Omit<SecondStep, 'lang'> = {}): Promise<void> {
  await page.goto(`${issuer}/app/`);
  await page.getByRole('link', { name: 'ログイン・新規登録' }).click();
  await passSignIn(page, issuer, login, password, options);
}

const MANAGER_WORDS = {
  ja: { start: 'PASS ID でログイン', home: 'ホーム' },
  en: { start: 'Sign in with PASS ID', home: 'Home' },
} as const;

/**
 * From PASS Manager's landing page through PASS's sign-in form and code page (staff type their
 * authenticator app's code: see giveTotp in test/manager/helpers.ts): staff arrive at the console's
 * home screen; anyone else (`staff: false`) back at the console, refused.
 */
export async function signInToManager(page: Page, issuer: string, login: string, password: string, options: SecondStep & { staff?: boolean } = {}): Promise<void> {
  const lang = options.lang ?? 'ja';
  await page.goto(`${issuer}/manager/`);
  await page.getByRole('link', { name: MANAGER_WORDS[lang].start }).click();
  await passSignIn(page, issuer, login, password, options);
  if (options.staff === false) await page.waitForURL(/\/manager\//);
  else await page.getByRole('heading', { name: MANAGER_WORDS[lang].home, level: 1 }).waitFor();
}

/**
 * Steps that several browser tests share: a new resident signing up with the e-mail and SMS codes
 * read from the development outbox, as a person would; signing in to the app or to PASS Manager.
 */
import type { BrowserContext, Page } from 'playwright-core';

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

async function passSignIn(page: Page, lang: Lang, login: string, password: string): Promise<void> {
  const w = PASS_SIGN_IN[lang];
  await page.getByLabel(w.id).fill(login);
  await page.getByLabel(w.password, { exact: true }).fill(password);
  await page.getByRole('button', { name: w.submit, exact: true }).click();
}

/** From the app's landing page through PASS's sign-in form; the caller waits for where it should lead. */
export async function signInToApp(page: Page, issuer: string, login: string, password: string): Promise<void> {
  await page.goto(`${issuer}/app/`);
  await page.getByRole('link', { name: 'ログイン・新規登録' }).click();
  await passSignIn(page, 'ja', login, password);
}

const MANAGER_WORDS = {
  ja: { start: 'PASS ID でログイン', home: 'ホーム' },
  en: { start: 'Sign in with PASS ID', home: 'Home' },
} as const;

/**
 * From PASS Manager's landing page through PASS's sign-in form: staff arrive at the console's home
 * screen; anyone else (`staff: false`) back at the console, refused.
 */
export async function signInToManager(page: Page, issuer: string, login: string, password: string, options: { lang?: Lang; staff?: boolean } = {}): Promise<void> {
  const lang = options.lang ?? 'ja';
  await page.goto(`${issuer}/manager/`);
  await page.getByRole('link', { name: MANAGER_WORDS[lang].start }).click();
  await passSignIn(page, lang, login, password);
  if (options.staff === false) await page.waitForURL(/\/manager\//);
  else await page.getByRole('heading', { name: MANAGER_WORDS[lang].home, level: 1 }).waitFor();
}

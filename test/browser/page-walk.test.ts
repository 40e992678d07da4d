/**
 * Every page, in Japanese and in English, checked the same way (issue 18): PASS started with its
 * demo data as `npm start` starts it; a browser walks the sign-in pages, the PASS app, the booking
 * site, PASS Manager and the kiosk (its setup screen, the device pages staff connect it with, and
 * each of its screens), following every link within each, and fails on a raw message key, a Japanese
 * separator in an English page's own words, or any WCAG 2.1 A/AA violation axe-core finds.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { createStorage, startPass, type TestStorage } from '../helpers/pass.ts';
import { storageModes } from '../helpers/services.ts';
import { TotpApp } from '../helpers/browserless.ts';
import { base32Decode } from '../../src/identity/factors/totp.ts';
import { DEMO_TOTP_SECRET } from '../../src/demo/seed.ts';
import { browserAvailable, launch, screenshotter } from './browser.ts';
import { passCodeStep, signInToManager, signUp, type Lang } from './journey-helpers.ts';
import { auditPage, crawlAndAudit, MESSAGE_KEYS } from './page-audit.ts';

const mode = storageModes().at(-1)!;
const run = browserAvailable() ? describe : describe.skip;
const DEMO_PASSWORD = 'pass-demo-2026';
const RESIDENT = 'resident@pass.localhost';
const ADMIN = 'admin@pass.localhost';
const STAFF = 'staff@pass.localhost';
const LANGS: Lang[] = ['ja', 'en'];
const LOCALE = { ja: 'ja-JP', en: 'en-US' } as const;
const SIGN_IN = {
  ja: { id: 'メールアドレスまたは携帯電話番号', password: 'パスワード', submit: 'ログイン', start: 'ログイン・新規登録' },
  en: { id: 'E-mail address or mobile number', password: 'Password', submit: 'Sign in', start: 'Sign in or sign up' },
} as const;

run(`every page in both languages: messages, separators, WCAG 2.1 AA (${mode})`, () => {
  let storage: TestStorage;
  let pass: Awaited<ReturnType<typeof startPass>>;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  // The demo staff share one authenticator app secret; PASS takes each time step's code once per account.
  const totp = { [ADMIN]: new TotpApp(base32Decode(DEMO_TOTP_SECRET), 0), [STAFF]: new TotpApp(base32Decode(DEMO_TOTP_SECRET), 0) };
  const shot = screenshotter('page-walk');

  beforeAll(async () => {
    storage = await createStorage(mode);
    [pass, browser] = await Promise.all([startPass({ ...storage.env, PASS_DEMO_DATA: 'true' }), launch()]);
  }, 120_000);

  afterAll(async () => {
    for (const context of contexts) await context.close().catch(() => undefined);
    await browser?.close();
    await pass?.close();
    await storage?.cleanup();
  });

  async function open(lang: Lang, viewport = { width: 1280, height: 860 }): Promise<Page> {
    const context = await browser.newContext({ locale: LOCALE[lang], viewport });
    context.setDefaultTimeout(15_000);
    contexts.push(context);
    return context.newPage();
  }

  /** The findings, with a screenshot of each page that had one. */
  async function expectClean(page: Page, findings: string[], name: string): Promise<void> {
    if (findings.length > 0) await shot(page, name).catch(() => undefined);
    expect(findings).toEqual([]);
  }

  test('the catalogues were read (the key check has something to find)', () => {
    expect(MESSAGE_KEYS.size).toBeGreaterThan(300);
    expect(MESSAGE_KEYS.has('consent-facility.title')).toBe(true);
  });

  test('the audit finds what it looks for: a nameless link, a raw key, a Japanese separator in English', async () => {
    const page = await open('en');
    await page.setContent('<!doctype html><html lang="en"><head><title>consent-facility.title</title></head><body><main><h1>Items</h1><p>Name、Address</p><p lang="ja">氏名、住所</p><a href="/x"></a></main></body></html>');
    const findings = await auditPage(page, 'en', 'fixture');
    expect(findings).toEqual(
      expect.arrayContaining([
        'fixture [en]: unresolved message key "consent-facility.title"',
        'fixture [en]: Japanese separator in English text: "Name、Address"',
        expect.stringMatching(/^fixture \[en\]: axe link-name \(serious\)/),
      ]),
    );
    expect(findings.join('\n')).not.toContain('氏名、住所');
  });

  test.each(LANGS)('sign-in pages and the PASS app (%s)', async (lang) => {
    const page = await open(lang, { width: 390, height: 844 });
    const findings: string[] = [];
    await page.goto(`${pass.issuer}/app/`);
    findings.push(...(await auditPage(page, lang)));
    await page.getByRole('link', { name: SIGN_IN[lang].start }).click();
    await page.getByLabel(SIGN_IN[lang].id).waitFor();
    const login = page.url();
    // The sign-in page and the pages its links lead to (sign-up, forgotten password), then back.
    const side = await crawlAndAudit(page, login, lang, { within: ['/interaction/'], limit: 6 });
    findings.push(...side.findings);
    await page.goto(login);
    await page.getByLabel(SIGN_IN[lang].id).fill(RESIDENT);
    await page.getByLabel(SIGN_IN[lang].password, { exact: true }).fill(DEMO_PASSWORD);
    await page.getByRole('button', { name: SIGN_IN[lang].submit, exact: true }).click();
    await page.waitForURL(/\/verify/);
    findings.push(...(await auditPage(page, lang)));
    await passCodeStep(page, pass.issuer, RESIDENT, { lang });
    await page.waitForURL(/\/app\//);
    const app = await crawlAndAudit(page, `${pass.issuer}/app/`, lang, { within: ['/app/'], skip: /\/(logout|download|export)|\.json$/, limit: 45 });
    findings.push(...app.findings);
    expect(app.visited.length).toBeGreaterThan(8);
    await expectClean(page, findings, `app-${lang}`);
  }, 240_000);

  test.each(LANGS)('a new resident signs up and meets the booking site\'s consent page (%s)', async (lang) => {
    const page = await open(lang, { width: 390, height: 844 });
    const findings: string[] = [];
    const n = lang === 'ja' ? '1' : '2';
    await signUp(page, pass.issuer, lang, { email: `walker${n}@example.jp`, password: 'walk-the-pages-2026', mobile: `0901234567${n}` });
    await page.goto(`${pass.issuer}/demo/booking/`);
    findings.push(...(await auditPage(page, lang)));
    await page.locator('a[href*="login"]').first().click();
    await page.waitForURL(/\/interaction\//);
    findings.push(...(await auditPage(page, lang)));
    await expectClean(page, findings, `booking-${lang}`);
  }, 180_000);

  test.each(LANGS)('pages anyone can reach: an unknown address, the device code entry, signing out (%s)', async (lang) => {
    const page = await open(lang, { width: 390, height: 844 });
    const findings: string[] = [];
    for (const where of ['/no-such-page', '/device', '/session/end', '/demo/booking/no-such-page']) {
      await page.goto(`${pass.issuer}${where}`);
      findings.push(...(await auditPage(page, lang, where)));
    }
    await expectClean(page, findings, `public-${lang}`);
  }, 60_000);

  test.each(LANGS)('PASS Manager (%s)', async (lang) => {
    const page = await open(lang, { width: 1366, height: 768 });
    await page.goto(`${pass.issuer}/manager/`);
    const findings = await auditPage(page, lang);
    await signInToManager(page, pass.issuer, ADMIN, DEMO_PASSWORD, { lang, totp: totp[ADMIN] });
    const manager = await crawlAndAudit(page, `${pass.issuer}/manager/`, lang, { within: ['/manager/'], skip: /\/(logout|events|stream)|\.csv$|\/export/, limit: 45 });
    findings.push(...manager.findings);
    expect(manager.visited.length).toBeGreaterThan(6);
    await expectClean(page, findings, `manager-${lang}`);
  }, 240_000);

  test.each(LANGS)('the kiosk, connected by staff through the device pages (%s)', async (lang) => {
    const kiosk = await open(lang, { width: 1024, height: 768 });
    await kiosk.goto(`${pass.issuer}/kiosk`);
    await kiosk.getByTestId('user-code').filter({ hasText: /\w{4}-\w{4}/ }).waitFor();
    const findings = await auditPage(kiosk, lang);
    const verification = await kiosk.getByTestId('verification-link').getAttribute('href');

    // Staff approve the connection on a phone: the device pages, signed in with the authenticator app.
    const phone = await open(lang, { width: 390, height: 844 });
    await phone.goto(verification!);
    for (let step = 0; step < 12; step += 1) {
      await phone.waitForLoadState();
      findings.push(...(await auditPage(phone, lang)));
      if (await phone.locator('form[action*="/device"] button[type="submit"], form[action*="/device"] input[type="submit"]').first().isVisible().catch(() => false)) {
        await phone.locator('form[action*="/device"] button[type="submit"], form[action*="/device"] input[type="submit"]').first().click();
        continue;
      }
      if (await phone.getByLabel(SIGN_IN[lang].id).isVisible().catch(() => false)) {
        await phone.getByLabel(SIGN_IN[lang].id).fill(STAFF);
        await phone.getByLabel(SIGN_IN[lang].password, { exact: true }).fill(DEMO_PASSWORD);
        await phone.getByRole('button', { name: SIGN_IN[lang].submit, exact: true }).click();
        await phone.waitForURL(/\/verify|\/device|\/interaction\//);
        if (/\/verify/.test(phone.url())) findings.push(...(await auditPage(phone, lang)));
        await passCodeStep(phone, pass.issuer, STAFF, { lang, totp: totp[STAFF] });
        continue;
      }
      const consent = phone.locator('form[action*="/consent"] button[value="allow"], form[action*="/confirm"] button[type="submit"]').first();
      if (await consent.isVisible().catch(() => false)) {
        await consent.click();
        continue;
      }
      break;
    }

    await kiosk.getByRole('button', { name: lang === 'ja' ? '顔でチェックイン' : /face/i }).waitFor({ timeout: 30_000 });
    findings.push(...(await auditPage(kiosk, lang, '/kiosk (ready)')));
    for (const [id, name] of [['go-qr', 'qr'], ['go-card', 'card'], ['go-phone', 'phone']] as const) {
      await kiosk.locator(`#${id}`).click();
      await kiosk.waitForTimeout(300);
      findings.push(...(await auditPage(kiosk, lang, `/kiosk (${name})`)));
      await kiosk.locator('section:not([hidden]) button.back').first().click();
    }
    await expectClean(kiosk, findings, `kiosk-${lang}`);
  }, 240_000);
});

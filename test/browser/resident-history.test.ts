/**
 * A resident's own screens in Chromium on a phone-sized page (issue 18): 加賀太郎 — proofed with his
 * card, his father in his household, registered at the library and the booking site, checked in by
 * QR code, signed in at the booking site — signs in to the PASS app. The home screen names him and
 * shows no next step (setup is complete); the history screen lists his and his father's check-ins
 * (where, when, how) a page at a time and each release of his facts (what, to whom, when), with the
 * link to the full JSON download; withdrawing the library consent asks first, says what it does,
 * and the registration then reads 「提供していた情報（取り消し済み）」.
 */
import { randomUUID } from 'node:crypto';
import type { Browser } from 'playwright-core';
import { storageModes } from '../helpers/services.ts';
import { stopEnv, type Env } from '../jpki/proofing-helpers.ts';
import type { TestKiosk } from '../kiosk/helpers.ts';
import { PASSWORD, residentWithEverything, startPrivacyEnv, type Resident } from '../privacy/fixtures.ts';
import { browserAvailable, launch, screenshotter } from './browser.ts';
import { signInToApp } from './journey-helpers.ts';
import { onPhonePage } from './watched-pages.ts';

const mode = storageModes().at(-1)!;
const run = browserAvailable() ? describe : describe.skip;
const EMAIL = 'taro.screens@example.jp';

run(`a resident's history and consent in the PASS app (${mode})`, () => {
  let env: Env & { kiosk: TestKiosk };
  let browser: Browser;
  let taro: Resident;

  beforeAll(async () => {
    [env, browser] = await Promise.all([startPrivacyEnv(mode), launch()]);
    taro = await residentWithEverything(env, EMAIL, 'screens-taro');
    // Earlier visits (a day ago, a minute apart): his father's by QR code at the library, his own by face and card.
    const base = Date.now() - 86_400_000;
    const rows = [
      ...Array.from({ length: 12 }, (_, i) => ({ person: taro.personId, method: i % 2 ? 'card' : 'face', direction: i % 2 ? 'out' : 'in', at: base - i * 60_000 })),
      { person: taro.memberId, method: 'qr', direction: 'in', at: base - 30_000 },
    ].map((c) => ({ id: randomUUID(), facility_id: 'kaga-library', method: c.method, result: 'accepted', person_id: c.person, direction: c.direction, occurred_at: new Date(c.at) }));
    await env.pass.platform.db('checkins').insert(rows);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await stopEnv(env);
  });

  test('the home screen names him; the history lists check-ins and releases; withdrawing consent asks first', async () => {
    const shot = screenshotter('resident-history');
    await onPhonePage(browser, shot, async (page) => {
      await signInToApp(page, env.pass.issuer, EMAIL, PASSWORD);
      await page.getByRole('heading', { name: 'ホーム', level: 1 }).waitFor();
      expect(await page.getByTestId('greeting').textContent()).toBe('加賀　太郎 さん');
      // Proofed, registered (face check-in is off without the models): nothing left to set up.
      expect(await page.getByTestId('next-step').count()).toBe(0);
      await shot(page, 'home');

      // The history: newest first, ten at a time.
      await page.getByRole('link', { name: '利用履歴' }).click();
      await page.getByRole('heading', { name: '利用履歴', level: 1 }).waitFor();
      expect(await page.title()).toBe('利用履歴 | PASS');
      const checkins = page.getByTestId('checkin');
      expect(await checkins.count()).toBe(10);
      // The newest is today's QR check-in at the library, his own.
      const newest = checkins.first();
      expect(await newest.getByRole('heading').textContent()).toBe('加賀市立図書館');
      expect(await newest.getByTestId('checkin-how').textContent()).toBe('QRコード（入館）');
      expect(await newest.getByTestId('checkin-who').textContent()).toBe('ご本人');
      expect(await newest.getByTestId('checkin-when').textContent()).toMatch(/^\d{4}年\d{1,2}月\d{1,2}日 \d{1,2}:\d{2}$/);
      expect(await checkins.getByTestId('checkin-how').allTextContents()).toEqual(expect.arrayContaining(['顔認証（入館）', 'マイナンバーカード（退館）']));
      // His father's check-in, by his name as his card gave it.
      expect(await checkins.filter({ hasText: '加賀　一郎' }).getByTestId('checkin-how').textContent()).toBe('QRコード（入館）');

      // Releases: the booking site received his name and e-mail address at the login.
      const booking = page.getByTestId('release').filter({ hasText: '豊岡市 公共施設予約システム' }).first();
      expect(await booking.getByTestId('release-facts').textContent()).toMatch(/氏名.*メールアドレス|メールアドレス.*氏名/);
      expect(await booking.getByTestId('release-facility').textContent()).toBe('公共施設予約システム');
      expect(await booking.getByTestId('release-who').textContent()).toBe('ご本人');
      expect(await page.getByTestId('history-download').getAttribute('href')).toBe('/app/privacy/export');
      await shot(page, 'history');

      // The older check-ins: the next page, and the way back.
      await page.getByTestId('checkins-more').click();
      await page.getByRole('heading', { name: '利用履歴', level: 1 }).waitFor();
      expect(await page.getByTestId('checkin').count()).toBe(4);
      expect(await page.getByTestId('checkins-more').count()).toBe(0);
      await page.getByRole('link', { name: '最新の記録に戻る' }).first().click();
      await page.getByTestId('checkins-more').waitFor();
      await shot(page, 'history-older');

      // Withdrawing the library consent: a confirmation that says what it does, and a way out.
      await page.goto(`${env.pass.issuer}/app/facilities/`);
      const library = page.getByTestId('registration').filter({ hasText: '加賀市立図書館 — 加賀　太郎' });
      expect(await library.getByTestId('given').textContent()).toMatch(/^提供している情報: /);
      await library.getByRole('link', { name: '同意を取り消す: 加賀市立図書館 加賀　太郎' }).click();
      await page.getByRole('heading', { name: '同意の取り消し', level: 1 }).waitFor();
      expect(await page.title()).toBe('同意の取り消し | PASS');
      expect(await page.getByTestId('withdraw-lead').textContent()).toBe('加賀市立図書館への加賀　太郎 さんの同意を取り消しますか。');
      expect(await page.getByTestId('withdraw-claims').locator('li').allTextContents()).toEqual(['氏名', '住民である市区町村（コードのみ）']);
      await shot(page, 'withdraw-confirm');
      await page.getByRole('link', { name: '取り消さない' }).click();
      await page.getByRole('heading', { name: '利用施設', level: 1 }).waitFor();
      expect((await env.pass.platform.db('registrations').where({ person_id: taro.personId, facility_id: 'kaga-library' }).first('status')).status).toBe('active');

      await library.getByRole('link', { name: /同意を取り消す/ }).click();
      await page.getByRole('button', { name: '同意を取り消す' }).click();
      await page.getByText('同意を取り消しました。', { exact: false }).waitFor();
      const withdrawn = page.getByTestId('registration').filter({ hasText: '加賀市立図書館 — 加賀　太郎' });
      expect(await withdrawn.getAttribute('data-status')).toBe('withdrawn');
      expect(await withdrawn.getByTestId('given').textContent()).toMatch(/^提供していた情報（取り消し済み）: 氏名/);
      expect(await withdrawn.getByRole('link', { name: /同意を取り消す/ }).count()).toBe(0);
      expect((await env.pass.platform.db('registrations').where({ person_id: taro.personId, facility_id: 'kaga-library' }).first('status')).status).toBe('withdrawn');
      await shot(page, 'withdrawn');
    });
  }, 90_000);
});

/**
 * The family journey in the PASS app (issue #6): a representative adds a child (text-input-support
 * AP, 4-digit PIN) and a parent (signature certificate), registers the child for かがにこにこパーク
 * and themselves for the library with different claims, after reviewing the exact values, then
 * withdraws one registration.
 */
import type { Browser, Page } from 'playwright-core';
import { storageModes } from '../helpers/services.ts';
import { browserAvailable, launch, screenshotter, inContext } from './browser.ts';
import { passCodeStep } from './journey-helpers.ts';
import { ICHIRO, PASSWORD, proofedResident, SORA, startFamilyEnv, stopEnv, TARO, type FamilyEnv } from '../households/family-helpers.ts';

const mode = storageModes().at(-1)!;
const run = browserAvailable() ? describe : describe.skip;

run(`a representative's family journey in the browser (${mode})`, () => {
  let env: FamilyEnv;
  let browser: Browser;

  beforeAll(async () => {
    [env, browser] = await Promise.all([startFamilyEnv(mode), launch()]);
    await proofedResident(env, 'taro@example.jp', TARO, 'taro');
    await env.text.issue(SORA, { id: 'sora-text', label: '加賀　そら' });
    await env.cards.issue(ICHIRO, { id: 'ichiro', label: '加賀　一郎' });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await stopEnv(env);
  });

  test('adds a child and a parent, registers two facilities with different claims, withdraws one', async () => {
    const shot = screenshotter('family-ja');
    const context = await browser.newContext({ locale: 'ja-JP', viewport: { width: 390, height: 844 } });
    context.setDefaultTimeout(10_000);
    const page: Page = await context.newPage();
    const violations: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' && /Content Security Policy|Refused to/i.test(m.text())) violations.push(m.text());
    });
    await inContext(context, page, shot, async () => {
      await page.goto(`${env.pass.issuer}/app/`);
      await page.getByRole('link', { name: 'ログイン・新規登録' }).click();
      await page.getByLabel('メールアドレスまたは携帯電話番号').fill('taro@example.jp');
      await page.getByLabel('パスワード', { exact: true }).fill(PASSWORD);
      await page.getByRole('button', { name: 'ログイン', exact: true }).click();
      await passCodeStep(page, env.pass.issuer, 'taro@example.jp');
      await page.getByRole('heading', { name: 'ホーム', level: 1 }).waitFor();

      // Family: a child with the text-input-support AP.
      await page.getByRole('link', { name: '家族', exact: true }).click();
      await page.getByRole('heading', { name: '家族', level: 1 }).waitFor();
      await page.getByRole('link', { name: 'お子さま（15歳未満）を追加' }).click();
      await page.getByLabel('加賀　そら').check();
      await page.getByLabel('暗証番号').fill('1234');
      await shot(page, 'add-child');
      await page.getByRole('button', { name: 'カードを読み取る' }).click();
      expect(await page.getByTestId('fact-name').textContent()).toBe('加賀　そら');
      expect(await page.getByTestId('fact-assurance').textContent()).toContain('保証レベル低');
      await shot(page, 'confirm-child');
      await page.getByRole('button', { name: '世帯に追加する' }).click();
      await page.getByText('家族を追加しました。').waitFor();

      // A parent with their own signature certificate.
      await page.getByRole('link', { name: '家族（15歳以上）を追加' }).click();
      await page.getByLabel('続柄').selectOption('parent');
      await page.getByLabel('加賀　一郎').check();
      await page.getByLabel('暗証番号').fill('PASS1234');
      await page.getByRole('button', { name: 'カードを読み取る' }).click();
      expect(await page.getByTestId('fact-name').textContent()).toBe('加賀　一郎');
      await page.getByRole('button', { name: '世帯に追加する' }).click();
      await page.getByText('家族を追加しました。').waitFor();
      expect(await page.getByTestId('member-child').count()).toBe(1);
      expect(await page.getByTestId('member-parent').count()).toBe(1);
      await shot(page, 'family');

      // The child for かがにこにこパーク: municipality → facility → person → review → consent.
      await page.goto(`${env.pass.issuer}/app/facilities/`);
      await page.getByRole('link', { name: '加賀市' }).click();
      await page.getByRole('link', { name: 'かがにこにこパーク' }).click();
      await page.getByLabel(/加賀　そら/).check();
      await page.getByLabel('生年月日').check();
      await shot(page, 'park-choose');
      await page.getByRole('button', { name: '提供する内容を確認する' }).click();
      await page.getByRole('heading', { name: '提供する情報の確認' }).waitFor();
      expect(await page.getByTestId('review-name').textContent()).toBe('加賀　そら');
      expect(await page.getByTestId('review-resident_of').textContent()).toBe('172065');
      expect(await page.getByTestId('review-birthdate').textContent()).toBe('2019年5月1日');
      expect(await page.getByTestId('review-guardian').textContent()).toContain('加賀　太郎');
      expect(await page.getByTestId('review-email').count()).toBe(0);
      await shot(page, 'park-review');
      await page.getByRole('button', { name: '同意して登録する' }).click();
      await page.getByText('利用登録しました。').waitFor();

      // The representative for the library, with other claims.
      await page.getByRole('link', { name: '加賀市' }).click();
      await page.getByRole('link', { name: '加賀市立図書館' }).click();
      await page.getByLabel(/加賀　太郎/).check();
      await page.getByLabel('メールアドレス').check();
      await page.getByRole('button', { name: '提供する内容を確認する' }).click();
      expect(await page.getByTestId('review-email').textContent()).toBe('taro@example.jp');
      expect(await page.getByTestId('review-guardian').count()).toBe(0);
      await page.getByRole('button', { name: '同意して登録する' }).click();
      await page.getByText('利用登録しました。').waitFor();
      expect(await page.getByTestId('registration').filter({ hasText: '利用中' }).count()).toBe(2);
      await shot(page, 'registered');

      const db = env.pass.platform.db;
      const rows = (await db('registrations').orderBy('created_at').select('facility_id', 'claims', 'status')) as Array<{ facility_id: string; claims: string[]; status: string }>;
      expect(rows.map((r) => [r.facility_id, r.claims])).toEqual([
        ['kaga-niconico-park', ['name', 'age', 'resident_of', 'guardian', 'birthdate']],
        ['kaga-library', ['name', 'resident_of', 'email']],
      ]);

      // Withdraw the library registration, after its confirmation page.
      await page.getByRole('link', { name: /同意を取り消す: 加賀市立図書館/ }).click();
      await page.getByRole('heading', { name: '同意の取り消し', level: 1 }).waitFor();
      await page.getByRole('button', { name: '同意を取り消す' }).click();
      await page.getByText('同意を取り消しました。', { exact: false }).waitFor();
      expect(await page.getByTestId('registration').filter({ hasText: '取消済み' }).count()).toBe(1);
      expect(await page.getByTestId('registration').filter({ hasText: '利用中' }).count()).toBe(1);
      await shot(page, 'withdrawn');
      expect((await db('registrations').where({ facility_id: 'kaga-library' }).first('status')).status).toBe('withdrawn');
      expect((await db('registrations').where({ facility_id: 'kaga-niconico-park' }).first('status')).status).toBe('active');

      // Home shows both tiles as set up.
      await page.goto(`${env.pass.issuer}/app/`);
      expect(await page.locator('#section-family .status.active').count()).toBe(1);
      expect(await page.locator('#section-facilities .status.active').count()).toBe(1);
      expect(violations).toEqual([]);
    });
  }, 90_000);
});

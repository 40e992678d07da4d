/**
 * Issue 15 in the browser: the face pages say whose face they are about (「加賀　そら さんの顔写真」),
 * a guardian who picks their own photo for their child's face is told, in plain words, that it is
 * another family member's face and nothing is stored, and an account that has not proved its
 * identity is sent to proofing instead of being offered a camera.
 */
import '../face/realm.ts';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { storageModes } from '../helpers/services.ts';
import { readCatalog } from '../../src/facilities/facility-service.ts';
import { faceEnv, photo, SHARED_FACES } from '../face/platform.ts';
import { addMember, proofedResident, SORA, type FamilyEnv } from '../households/family-helpers.ts';
import { newAccount, PASSWORD, startEnv, stopEnv, TARO } from '../jpki/proofing-helpers.ts';
import { browserAvailable, launch, screenshotter, inContext } from './browser.ts';
import { cspViolations, signInToApp } from './journey-helpers.ts';

const mode = storageModes().at(-1)!;
const run = browserAvailable() ? describe : describe.skip;

run(`face enrollment safeguards in the PASS app (${mode})`, () => {
  let env: FamilyEnv;
  let browser: Browser;
  let soraId: string;

  beforeAll(async () => {
    const [base, b] = await Promise.all([startEnv(mode, faceEnv({})), launch()]);
    browser = b;
    await base.pass.platform.facilities.importCatalog(readCatalog());
    env = Object.assign(base, { text: base.pass.provided.households!.devTextCards! });
    // 加賀　太郎, proofed, with his face enrolled, and his daughter そら added with her card.
    const taro = await proofedResident(env, 'taro@example.jp', TARO, 'taro');
    await env.text.issue(SORA, { id: 'sora-text' });
    soraId = String((await addMember(env, taro.token, 'child', { text: 'sora-text' })).body.person_id);
    const enrolled = await fetch(new URL('/api/face/enrollment', env.pass.issuer), {
      method: 'POST',
      headers: { authorization: `Bearer ${taro.token}`, 'content-type': 'image/jpeg' },
      body: await photo('obama', 1),
    });
    expect(enrolled.status).toBe(201);
    await newAccount(env, 'unproofed@example.jp');
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await stopEnv(env);
  });

  async function signedIn(email: string): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser.newContext({ locale: 'ja-JP', viewport: { width: 390, height: 844 }, deviceScaleFactor: 1 });
    context.setDefaultTimeout(15_000);
    const page = await context.newPage();
    await signInToApp(page, env.pass.issuer, email, PASSWORD);
    await page.getByRole('heading', { name: 'ホーム', level: 1 }).waitFor();
    return { context, page };
  }

  test("each face page names its person; the guardian's own photo for the child is refused in plain words", async () => {
    const shot = screenshotter('face-safeguards');
    const { context, page } = await signedIn('taro@example.jp');
    const violations = cspViolations(page);
    await inContext(context, page, shot, async () => {
      await page.goto(`${env.pass.issuer}/app/face`);
      expect(await page.getByTestId('face-owner').textContent()).toBe('加賀　太郎 さんの顔写真');
      await page.getByRole('link', { name: '顔データを削除する' }).click();
      expect(await page.getByTestId('face-owner').textContent()).toBe('加賀　太郎 さんの顔写真');

      // The child's face page, from the family screen.
      await page.goto(`${env.pass.issuer}/app/family/`);
      await page.getByTestId('member-child').getByRole('link', { name: '未登録' }).click();
      await page.getByRole('heading', { name: '顔写真の登録', level: 1 }).waitFor();
      expect(await page.getByTestId('face-owner').textContent()).toBe('加賀　そら さんの顔写真');
      await shot(page, 'child');

      // The guardian picks a photo of himself.
      await page.getByLabel('写真を選ぶ').setInputFiles(path.join(SHARED_FACES, 'obama', '2.jpg'));
      await page.getByRole('img', { name: '登録する写真のプレビュー' }).waitFor();
      await page.getByRole('button', { name: 'この写真で登録する' }).click();
      const live = page.getByTestId('face-live');
      await live.locator('.live-hint').waitFor();
      expect(await live.locator('.live-message').textContent()).toContain('すでに登録されている別の方の顔と一致しました');
      expect(await live.locator('.live-hint').textContent()).toBe('ヒント: ご家族の別の方の顔写真のようです。登録する方ご本人だけが写った写真を使ってください。');
      expect(await live.textContent()).not.toContain('太郎');
      await shot(page, 'refused');
      expect((await env.pass.provided.face!.store.enrolledAmong([soraId])).size).toBe(0);
      expect(await page.getByTestId('face-status').textContent()).toBe('まだ顔が登録されていません。');

      await page.getByRole('link', { name: 'Switch to English' }).click();
      expect(await page.getByTestId('face-owner').textContent()).toBe('Face photo of 加賀　そら');
      expect(violations).toEqual([]);
    });
  }, 90_000);

  test('an account that has not proved its identity is sent to proofing, with no camera or file choice', async () => {
    const shot = screenshotter('face-safeguards-unproofed');
    const { context, page } = await signedIn('unproofed@example.jp');
    try {
      await page.goto(`${env.pass.issuer}/app/face`);
      expect(await page.getByTestId('face-proofing-required').textContent()).toBe('顔写真を登録するには、先にマイナンバーカードで本人確認をしてください。');
      expect(await page.getByTestId('face-owner').count()).toBe(0);
      expect(await page.getByLabel('写真を選ぶ').count()).toBe(0);
      await shot(page, 'screen');
      await page.getByRole('link', { name: 'マイナンバーカードで本人確認する' }).click();
      await page.waitForURL('**/app/identity**');
    } finally {
      await context.close();
    }
  }, 60_000);
});

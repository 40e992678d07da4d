/**
 * Issue 5 in the browser: a resident enrolls a face in the PASS app — a refused non-face picture
 * with the localized reason and hint, a photo from a file, the camera (Chromium's fake camera
 * playing a test photo), status, delete — and, without models, the screen says face is unavailable.
 */
import '../face/realm.ts';
import path from 'node:path';
import sharp from 'sharp';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { createStorage, startPass, type TestStorage } from '../helpers/pass.ts';
import { storageModes, tempDir } from '../helpers/services.ts';
import type { ResidentFacts } from '../../src/jpki/dev-ca.ts';
import { faceEnv, SHARED_FACES } from '../face/platform.ts';
import { proofedResident } from '../households/family-helpers.ts';
import { HANAKO, PASSWORD, startEnv, stopEnv, TARO, type Env } from '../jpki/proofing-helpers.ts';
import { browserAvailable, launch, screenshotter, inContext } from './browser.ts';
import { photoToY4m } from './fake-camera.ts';
import { cspViolations, signInToApp, signUp } from './journey-helpers.ts';

const mode = storageModes().at(-1)!;
const run = browserAvailable() ? describe : describe.skip;

run(`face enrollment in the PASS app (${mode})`, () => {
  const dir = tempDir('pass-face-browser-');
  let env: Env;
  let bare: TestStorage;
  let pass: Awaited<ReturnType<typeof startPass>>;
  let noModels: Awaited<ReturnType<typeof startPass>>;
  let browser: Browser;
  const blank = path.join(dir.path, 'blank-wall.png');

  beforeAll(async () => {
    const cameraArgs = await photoToY4m(path.join(SHARED_FACES, 'obama', '2.jpg'), path.join(dir.path, 'camera.y4m'));
    await sharp({ create: { width: 640, height: 480, channels: 3, background: { r: 200, g: 190, b: 170 } } }).png().toFile(blank);
    bare = await createStorage('embedded');
    [env, noModels, browser] = await Promise.all([
      startEnv(mode, faceEnv({})),
      startPass({ ...bare.env, PASS_MODELS_DIR: path.join(dir.path, 'no-models') }),
      launch(cameraArgs),
    ]);
    pass = env.pass;
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await Promise.all([stopEnv(env), noModels?.close()]);
    await bare?.cleanup();
    dir.remove();
  });

  async function newContext(javaScriptEnabled: boolean): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser.newContext({ locale: 'ja-JP', viewport: { width: 390, height: 844 }, deviceScaleFactor: 1, permissions: ['camera'], javaScriptEnabled });
    context.setDefaultTimeout(15_000);
    return { context, page: await context.newPage() };
  }

  async function newResident(p: typeof pass, email: string, mobile: string, javaScriptEnabled = true): Promise<{ context: BrowserContext; page: Page }> {
    const { context, page } = await newContext(javaScriptEnabled);
    await signUp(page, p.issuer, 'ja', { email, password: 'hakusan spring water', mobile });
    return { context, page };
  }

  /** Only a proofed person enrolls a face: the resident proves themselves with a virtual card, then signs in to the app. */
  async function proofedResidentInApp(email: string, facts: ResidentFacts, javaScriptEnabled = true): Promise<{ context: BrowserContext; page: Page }> {
    await proofedResident(env, email, facts, email.split('@')[0]!.replace(/[^a-z0-9]/g, '-'));
    const { context, page } = await newContext(javaScriptEnabled);
    await signInToApp(page, pass.issuer, email, PASSWORD);
    await page.getByRole('heading', { name: 'ホーム', level: 1 }).waitFor();
    return { context, page };
  }

  const templatesOf = async (email: string): Promise<number> => {
    const row = await pass.platform.db('face_templates as f').join('persons as p', 'p.id', 'f.person_id').join('accounts as a', 'a.id', 'p.account_id')
      .where('a.email', email).count({ n: '*' }).first();
    return Number(row!.n);
  };

  test('refused picture with reason and hint, enroll from a file and from the camera, status, delete', async () => {
    const shot = screenshotter('face');
    const email = 'kao.app@example.jp';
    const { context, page } = await proofedResidentInApp(email, TARO);
    const violations = cspViolations(page);
    const live = page.getByTestId('face-live');
    await inContext(context, page, shot, async () => {
      expect(await page.locator('#section-face .status').textContent()).toBe('未登録');
      const [response] = await Promise.all([
        page.waitForResponse((r) => new URL(r.url()).pathname === '/app/face'),
        page.locator('#section-face').getByRole('link', { name: '顔写真の登録' }).click(),
      ]);
      // The page may use the camera (its own origin only) under the strict CSP.
      expect(response.headers()['permissions-policy']).toMatch(/camera=\(self\)/);
      expect(response.headers()['content-security-policy']).toMatch(/script-src 'self'(;|$)/);
      await page.getByRole('heading', { name: '顔写真の登録', level: 1 }).waitFor();
      expect(await page.getByTestId('face-status').textContent()).toBe('まだ顔が登録されていません。');
      await shot(page, 'start');

      // Not a face: the API's reason text and what to do, in the live region; nothing stored.
      await page.getByLabel('写真を選ぶ').setInputFiles(blank);
      await page.getByRole('img', { name: '登録する写真のプレビュー' }).waitFor();
      await page.getByRole('button', { name: 'この写真で登録する' }).click();
      await live.locator('.live-hint').waitFor();
      expect(await live.locator('.live-message').textContent()).toBe('顔が見つかりません。顔全体が写るように撮影してください。');
      expect(await live.locator('.live-hint').textContent()).toBe('ヒント: 顔全体が写るように、カメラを正面に向けてください。');
      expect(await live.getAttribute('aria-live')).toBe('polite');
      await shot(page, 'no-face');
      expect(await templatesOf(email)).toBe(0);

      // A photo from a file: preview, confirm, enrolled.
      await page.getByLabel('写真を選ぶ').setInputFiles(path.join(SHARED_FACES, 'obama', '1.jpg'));
      await shot(page, 'preview');
      await page.getByRole('button', { name: 'この写真で登録する' }).click();
      await page.getByRole('status').filter({ hasText: '顔を登録しました。' }).first().waitFor();
      expect(await page.getByTestId('face-status').textContent()).toBe('登録済み');
      expect(await page.getByTestId('face-enrolled-at').textContent()).toMatch(/^\d{4}年\d{1,2}月\d{1,2}日/);
      await shot(page, 'enrolled');
      expect(await templatesOf(email)).toBe(1);

      // The camera (Chromium's fake device plays another photo of the same person): retake.
      await page.getByRole('button', { name: 'カメラを起動する' }).click();
      await live.filter({ hasText: 'カメラを起動しました' }).waitFor();
      await page.waitForFunction("document.getElementById('camera-view').videoWidth > 0");
      await page.getByRole('button', { name: '撮影する' }).click();
      await page.getByRole('img', { name: '登録する写真のプレビュー' }).waitFor();
      await shot(page, 'camera');
      const before = await pass.platform.db('face_templates').first('template');
      const [sent] = await Promise.all([
        page.waitForResponse((r) => new URL(r.url()).pathname === '/app/face/photo'),
        page.getByRole('button', { name: 'この写真で登録する' }).click(),
      ]);
      expect(sent.status()).toBe(200);
      await page.waitForURL('**/app/face?done=enrolled');
      await page.getByRole('status').filter({ hasText: '顔を登録しました。' }).first().waitFor();
      expect(await templatesOf(email)).toBe(1);
      // Replaced: a new template from the camera's photo.
      expect(await pass.platform.db('face_templates').first('template')).not.toEqual(before);

      // In English, and the home tile.
      await page.getByRole('link', { name: 'Switch to English' }).click();
      expect(await page.getByTestId('face-status').textContent()).toBe('Registered');
      await page.getByRole('link', { name: '日本語に切り替え' }).click();
      await page.getByRole('link', { name: 'ホームへ戻る' }).click();
      expect(await page.locator('#section-face .status').textContent()).toBe('登録済み');

      // Delete, with a confirmation step.
      await page.locator('#section-face').getByRole('link', { name: '顔写真の登録' }).click();
      await page.getByRole('link', { name: '顔データを削除する' }).click();
      await page.getByRole('heading', { name: '顔データの削除', level: 1 }).waitFor();
      await shot(page, 'delete');
      await page.getByRole('button', { name: '削除する' }).click();
      await page.getByRole('status').filter({ hasText: '顔データを削除しました。' }).waitFor();
      expect(await page.getByTestId('face-status').textContent()).toBe('まだ顔が登録されていません。');
      expect(await templatesOf(email)).toBe(0);
      await shot(page, 'deleted');
      expect(violations).toEqual([]);
    });
  }, 90_000);

  test('without JavaScript the form posts the file and the answer is a page', async () => {
    const shot = screenshotter('face-nojs');
    const email = 'nojs@example.jp';
    const { context, page } = await proofedResidentInApp(email, HANAKO, false);
    try {
      await page.goto(`${pass.issuer}/app/face`);
      expect(await page.getByRole('button', { name: 'カメラを起動する' }).isVisible()).toBe(false);
      await page.getByLabel('写真を選ぶ').setInputFiles(blank);
      await page.getByRole('button', { name: 'この写真で登録する' }).click();
      expect(await page.getByRole('alert').textContent()).toBe('顔が見つかりません。顔全体が写るように撮影してください。');
      expect(await page.getByTestId('face-hint').textContent()).toBe('ヒント: 顔全体が写るように、カメラを正面に向けてください。');
      await shot(page, 'no-face');
      await page.getByLabel('写真を選ぶ').setInputFiles(path.join(SHARED_FACES, 'biden', '1.jpg'));
      await page.getByRole('button', { name: 'この写真で登録する' }).click();
      await page.getByRole('status').filter({ hasText: '顔を登録しました。' }).first().waitFor();
      expect(await page.getByTestId('face-status').textContent()).toBe('登録済み');
      expect(await templatesOf(email)).toBe(1);
    } finally {
      await context.close();
    }
  }, 60_000);

  test('without models the face screen says face is unavailable', async () => {
    const shot = screenshotter('face-unavailable');
    const { context, page } = await newResident(noModels, 'nomodels.app@example.jp', '07055556666');
    try {
      expect(await page.locator('#section-face .status').textContent()).toBe('利用停止中');
      await page.locator('#section-face').getByRole('link', { name: '顔写真の登録' }).click();
      expect(await page.getByTestId('face-unavailable').textContent()).toBe('現在、顔認証はご利用いただけません。');
      expect(await page.getByLabel('写真を選ぶ').count()).toBe(0);
      await shot(page, 'screen');
    } finally {
      await context.close();
    }
  }, 60_000);
});

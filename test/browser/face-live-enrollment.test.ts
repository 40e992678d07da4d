/**
 * The active liveness check in the PASS app, in Chromium: PASS draws the head turns, the page
 * prompts them while the camera films, and PASS judges the burst (src/face/liveness) and enrolls
 * its first frame. The fake camera plays the resident following the prompts: when the page has its
 * challenge, the test writes the film for exactly those turns (frontal obama/1, obama/2 turned to
 * his right, its mirror image turned to his left) before the page opens the camera. A film of a
 * still photo is refused with the reason, and nothing is stored.
 */
import '../face/realm.ts';
import path from 'node:path';
import sharp from 'sharp';
import type { Browser, Page, Route } from 'playwright-core';
import { storageModes, tempDir } from '../helpers/services.ts';
import { faceEnv, SHARED_FACES } from '../face/platform.ts';
import { proofedResident } from '../households/family-helpers.ts';
import { PASSWORD, startEnv, stopEnv, TARO, type Env } from '../jpki/proofing-helpers.ts';
import { browserAvailable, inContext, launch, screenshotter } from './browser.ts';
import { scenesToY4m, type Scene } from './fake-camera.ts';
import { cspViolations, signInToApp } from './journey-helpers.ts';

const mode = storageModes().at(-1)!;
const run = browserAvailable() ? describe : describe.skip;
const FPS = 10;

run(`face enrollment with the active liveness check in the PASS app (${mode})`, () => {
  const dir = tempDir('pass-face-live-');
  const camera = path.join(dir.path, 'camera.y4m');
  const faces = { front: path.join(SHARED_FACES, 'obama', '1.jpg'), right: path.join(SHARED_FACES, 'obama', '2.jpg'), left: path.join(dir.path, 'obama-2-mirrored.jpg') };
  let env: Env;
  let browser: Browser;

  beforeAll(async () => {
    await sharp(faces.right).rotate().flop().jpeg({ quality: 92 }).toFile(faces.left);
    await scenesToY4m([{ photo: faces.front, frames: FPS }], camera, FPS);
    [env, browser] = await Promise.all([
      startEnv(mode, faceEnv({}, { PASS_MODELS_DIR: path.resolve('models') })),
      launch(['--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', `--use-file-for-fake-video-capture=${camera}`]),
    ]);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await stopEnv(env);
    dir.remove();
  });

  /** The film of a resident who follows the page's prompts (front 2 s, each turn 2 s, back 1.5 s), then holds still. */
  const following = (steps: Array<'left' | 'right'>): Scene[] => [
    { photo: faces.front, frames: 2 * FPS },
    ...steps.flatMap((turn) => [{ photo: faces[turn], frames: 2 * FPS }, { photo: faces.front, frames: 1.5 * FPS }]),
    { photo: faces.front, frames: 10 * FPS },
  ];

  /** Passes the challenge through, and films what `film` makes of its turns before the page opens the camera. */
  async function filmFor(page: Page, film: (steps: Array<'left' | 'right'>) => Scene[]): Promise<void> {
    await page.unroute('**/app/face/live/challenge');
    await page.route('**/app/face/live/challenge', async (route: Route) => {
      const response = await route.fetch();
      const body = (await response.json()) as { steps: Array<'left' | 'right'> };
      await scenesToY4m(film(body.steps), camera, FPS);
      await route.fulfill({ response, json: body });
    });
  }

  const templates = async (email: string): Promise<number> => {
    const row = await env.pass.platform.db('face_templates as f').join('persons as p', 'p.id', 'f.person_id').join('accounts as a', 'a.id', 'p.account_id')
      .where('a.email', email).count({ n: '*' }).first();
    return Number(row!.n);
  };

  test('a still photo is refused with the reason; turning as prompted enrolls the face', async () => {
    const shot = screenshotter('face-live');
    const email = 'turning@example.jp';
    await proofedResident(env, email, TARO, 'turning');
    const context = await browser.newContext({ locale: 'ja-JP', viewport: { width: 390, height: 844 }, permissions: ['camera'] });
    context.setDefaultTimeout(20_000);
    const page = await context.newPage();
    const violations = cspViolations(page);
    await inContext(context, page, shot, async () => {
      await signInToApp(page, env.pass.issuer, email, PASSWORD);
      await page.goto(`${env.pass.issuer}/app/face`);
      const prompt = page.getByTestId('live-prompt');
      const live = page.getByTestId('face-live');

      // Someone holds up a photo: it never turns.
      await filmFor(page, () => [{ photo: faces.front, frames: 20 * FPS }]);
      await page.getByRole('button', { name: '顔の向きを変えて登録する（おすすめ）' }).click();
      await prompt.filter({ hasText: 'カメラの正面を見てください' }).waitFor();
      await prompt.filter({ hasText: /顔をゆっくり(左|右)に向けてください/ }).waitFor();
      await shot(page, 'prompt');
      await live.filter({ hasText: '顔の向きを変える動きが確認できませんでした' }).waitFor({ timeout: 30_000 });
      expect(await templates(email)).toBe(0);

      // The resident follows the prompts.
      await filmFor(page, following);
      const [sent] = await Promise.all([
        page.waitForResponse((r) => new URL(r.url()).pathname === '/app/face/live', { timeout: 30_000 }),
        page.getByRole('button', { name: '顔の向きを変えて登録する（おすすめ）' }).click(),
      ]);
      expect(sent.status()).toBe(200);
      await page.waitForURL('**/app/face?done=enrolled');
      expect(await page.getByTestId('face-status').textContent()).toBe('登録済み');
      expect(await templates(email)).toBe(1);
      await shot(page, 'enrolled');
    });
    expect(violations).toEqual([]);
    await context.close();
  }, 180_000);
});

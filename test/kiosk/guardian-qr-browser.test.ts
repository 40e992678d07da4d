/**
 * Issue 15 in Chromium: a guardian carries their child, and the kiosk says as little as it can.
 * 加賀　太郎 signs in to the PASS app, opens /app/qr, switches to his child 加賀　そら and holds her
 * code up to the kiosk's camera (a Chromium fake camera playing the code): the kiosk checks そら in
 * — the check-in record names her person, not his — and greets her 「そら さま」 with her age (a
 * child). His own code then checks him in, and under the default display policy the kiosk's public
 * screen shows 「太郎 さま」: no family name, no age. A person outside his household gets no code
 * (qr_not_managed), on the page and from the API.
 */
import path from 'node:path';
import { createRequire } from 'node:module';
import { writeFile } from 'node:fs/promises';
import sharp from 'sharp';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { storageModes, tempDir } from '../helpers/services.ts';
import { browserAvailable, CHROMIUM, launch, screenshotter } from '../browser/browser.ts';
import { photoToY4m } from '../browser/fake-camera.ts';
import { passCodeStep } from '../browser/journey-helpers.ts';
import { api, HANAKO, stopEnv } from '../households/family-helpers.ts';
import { PASSWORD as RESIDENT_PASSWORD } from '../jpki/proofing-helpers.ts';
import { managerWorld, proofed, register, TARO_EMAIL, type ManagerWorld, type Resident } from '../manager/fixtures.ts';
import { STAFF } from '../manager/helpers.ts';
import { approveDevice } from './helpers.ts';

const mode = storageModes().at(-1)!;
const run = browserAvailable() ? describe : describe.skip;
const PARK = 'kaga-niconico-park';
const PARK_UNITS = ['name', 'age', 'resident_of', 'guardian'];
const BASE_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const FAKE_CAMERA = ['--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream'];
/** jsQR, the kiosk's camera decoder (CommonJS). */
const jsQR = createRequire(import.meta.url)('jsqr') as (data: Uint8ClampedArray, width: number, height: number) => { data: string } | null;

run(`a guardian's QR code for their child at the kiosk (${mode})`, () => {
  const dir = tempDir('pass-guardian-qr-');
  const profile = path.join(dir.path, 'kiosk-profile');
  const shot = screenshotter('guardian-qr');
  let world: ManagerWorld;
  let stranger: Resident;
  let browser: Browser;
  let app: Page;
  const kioskLog: string[] = [];
  const violations: string[] = [];

  beforeAll(async () => {
    [world, browser] = await Promise.all([managerWorld(mode), launch()]);
    const { env, taro, soraId } = world;
    await register(env, taro.token, PARK, taro.personId, PARK_UNITS);
    await register(env, taro.token, PARK, soraId, PARK_UNITS);
    stranger = await proofed(env, 'hanako@example.jp', HANAKO, 'gq-hanako');
    await register(env, stranger.token, PARK, stranger.personId, PARK_UNITS);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await stopEnv(world?.env);
    dir.remove();
  });

  const issuer = () => world.env.pass.issuer;

  /** The kiosk tablet with this camera; its key and tokens stay in the profile between launches. */
  async function kiosk(camera: string[]): Promise<{ context: BrowserContext; page: Page }> {
    const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, args: [...BASE_ARGS, ...camera], locale: 'ja-JP', viewport: { width: 1024, height: 768 }, permissions: ['camera'] });
    context.setDefaultTimeout(20_000);
    const page = context.pages()[0] ?? (await context.newPage());
    page.on('pageerror', (e) => kioskLog.push(`pageerror: ${e.message}`));
    page.on('console', (m) => {
      kioskLog.push(`${m.type()}: ${m.text()}`);
      if (m.type() === 'error' && /Content Security Policy|Refused to/i.test(m.text())) violations.push(m.text());
    });
    await page.goto(`${issuer()}/kiosk`);
    return { context, page };
  }

  /** The code on the app's screen, as a camera image and as its text (jsQR, the kiosk's decoder). */
  async function codeOnScreen(name: string): Promise<{ camera: string[]; token: string }> {
    const dataUrl = await app.getByTestId('checkin-qr').getAttribute('src');
    const png = Buffer.from(dataUrl!.split(',')[1]!, 'base64');
    const { data, info } = await sharp(png).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
    const token = jsQR(new Uint8ClampedArray(data), info.width, info.height)!.data;
    const file = path.join(dir.path, `${name}.png`);
    await writeFile(file, png);
    return { camera: await photoToY4m(file, path.join(dir.path, `${name}.y4m`)), token };
  }

  /** The kiosk's camera reads the code: returns the result screen, still open. */
  async function kioskReads(camera: string[]): Promise<{ context: BrowserContext; page: Page }> {
    const opened = await kiosk(camera);
    await opened.page.getByRole('button', { name: 'QRコード', exact: true }).click();
    await opened.page.getByTestId('result-message').filter({ hasText: /./ }).waitFor();
    return opened;
  }

  const checkinsOf = (personId: string) => world.env.pass.platform.db('checkins').where({ person_id: personId, method: 'qr' });

  test('the guardian switches to the child; the kiosk checks the child in, and shows an adult no family name and no age', async () => {
    const { taro, soraId } = world;
    // The tablet is provisioned once by the facility's staff (device grant), then reads codes.
    const setup = await kiosk(FAKE_CAMERA);
    try {
      await setup.page.getByTestId('user-code').filter({ hasText: /\w{4}-\w{4}/ }).waitFor();
      const verification = await setup.page.getByTestId('verification-link').getAttribute('href');
      await approveDevice(issuer(), verification!, STAFF.niconico.email);
      await setup.page.getByTestId('facility-name').filter({ hasText: 'かがにこにこパーク' }).waitFor();
    } finally {
      await setup.context.close();
    }

    const context = await browser.newContext({ locale: 'ja-JP', viewport: { width: 390, height: 844 } });
    context.setDefaultTimeout(15_000);
    app = await context.newPage();
    try {
      await app.goto(`${issuer()}/app/`);
      await app.getByRole('link', { name: 'ログイン・新規登録' }).click();
      await app.getByLabel('メールアドレスまたは携帯電話番号').fill(TARO_EMAIL);
      await app.getByLabel('パスワード', { exact: true }).fill(RESIDENT_PASSWORD);
      await app.getByRole('button', { name: 'ログイン', exact: true }).click();
      await passCodeStep(app, issuer(), TARO_EMAIL);
      await app.getByRole('heading', { name: 'ホーム', level: 1 }).waitFor();

      // The QR page lists whom the account acts for: himself and his child.
      await app.goto(`${issuer()}/app/qr`);
      const people = app.getByTestId('qr-people');
      await people.getByRole('link', { name: '加賀　太郎（ご本人）' }).waitFor();
      await people.getByRole('link', { name: '加賀　そら', exact: true }).click();
      await app.getByRole('heading', { name: '加賀　そら さんのチェックイン用QRコード', level: 1 }).waitFor();
      expect(await people.getByRole('link', { name: '加賀　そら', exact: true }).getAttribute('aria-current')).toBe('page');
      await shot(app, 'child-code');
      const child = await codeOnScreen('sora');
      expect(JSON.parse(Buffer.from(child.token.split('.')[1]!, 'base64url').toString()).sub).toBe(soraId);

      // The kiosk reads the child's code: the child is checked in, not the guardian.
      let { context: tablet, page } = await kioskReads(child.camera);
      try {
        await page.getByTestId('result-message').filter({ hasText: 'チェックインしました。' }).waitFor();
        expect(await page.getByTestId('result-title').textContent()).toBe('そら さま');
        // A child's age is shown by default (staff at a playground check it); her family name is not.
        expect(await page.getByTestId('result-person').textContent()).toMatch(/年齢\d+/);
        expect(await page.locator('#result').textContent()).not.toContain('加賀');
        await shot(page, 'kiosk-child');
      } catch (error) {
        throw new Error(`${(error as Error).message}\nkiosk console:\n${kioskLog.join('\n')}`);
      } finally {
        await tablet.close();
      }
      expect(await checkinsOf(soraId)).toEqual([expect.objectContaining({ result: 'accepted', facility_id: PARK, person_id: soraId })]);
      expect(await checkinsOf(taro.personId)).toEqual([]);

      // His own code: an adult under the default display policy — the given name only, no age.
      await app.getByTestId('qr-people').getByRole('link', { name: '加賀　太郎（ご本人）' }).click();
      await app.getByRole('heading', { name: '加賀　太郎 さんのチェックイン用QRコード', level: 1 }).waitFor();
      const own = await codeOnScreen('taro');
      ({ context: tablet, page } = await kioskReads(own.camera));
      try {
        await page.getByTestId('result-message').filter({ hasText: 'チェックインしました。' }).waitFor();
        expect(await page.getByTestId('result-title').textContent()).toBe('太郎 さま');
        const screen = (await page.locator('#result').textContent())!;
        expect(screen).not.toContain('加賀');
        expect(screen).not.toContain('年齢');
        expect(screen).not.toMatch(/\d/);
        await shot(page, 'kiosk-adult');
      } catch (error) {
        throw new Error(`${(error as Error).message}\nkiosk console:\n${kioskLog.join('\n')}`);
      } finally {
        await tablet.close();
      }
      const [adult] = await checkinsOf(taro.personId);
      expect(adult).toMatchObject({ result: 'accepted', person_id: taro.personId });
      // The record keeps only what the kiosk showed; staff read the rest through PASS Manager.
      const shown = typeof adult.shown === 'string' ? JSON.parse(adult.shown) : adult.shown;
      expect(shown).toEqual({ name: '太郎', resident: true });
      expect(violations).toEqual([]);
    } finally {
      await context.close();
    }
  }, 180_000);

  test("a person outside the guardian's household gets no code, on the page or from the API", async () => {
    const { env, taro, soraId } = world;
    const refused = await api(env, taro.token, 'POST', '/api/checkins/qr-token', { personId: stranger.personId });
    expect(refused).toMatchObject({ status: 403, body: { reason: 'qr_not_managed', message: { ja: expect.stringContaining('表示できません'), en: expect.any(String) } } });
    expect(refused.body.token).toBeUndefined();
    // Nor the other way round: 花子 cannot draw 太郎's child's code.
    expect((await api(env, stranger.token, 'POST', '/api/checkins/qr-token', { personId: soraId })).body.reason).toBe('qr_not_managed');
    expect((await api(env, taro.token, 'POST', '/api/checkins/qr-token', { personId: 'not-a-person' })).status).toBe(400);
    // The guardian's own and the child's are issued.
    expect((await api(env, taro.token, 'POST', '/api/checkins/qr-token', { personId: soraId })).status).toBe(201);
    expect((await api(env, taro.token, 'POST', '/api/checkins/qr-token')).status).toBe(201);

    const context = await browser.newContext({ locale: 'ja-JP' });
    const page = await context.newPage();
    try {
      await page.goto(`${issuer()}/app/`);
      await page.getByRole('link', { name: 'ログイン・新規登録' }).click();
      await page.getByLabel('メールアドレスまたは携帯電話番号').fill(TARO_EMAIL);
      await page.getByLabel('パスワード', { exact: true }).fill(RESIDENT_PASSWORD);
      await page.getByRole('button', { name: 'ログイン', exact: true }).click();
      await passCodeStep(page, issuer(), TARO_EMAIL);
      await page.getByRole('heading', { name: 'ホーム', level: 1 }).waitFor();
      const response = await page.goto(`${issuer()}/app/qr?person=${stranger.personId}`);
      expect(response!.status()).toBe(403);
      await page.getByText('この方のQRコードは表示できません').waitFor();
      expect(await page.getByTestId('checkin-qr').count()).toBe(0);
      expect(await page.content()).not.toContain('加賀　花子');
    } finally {
      await context.close();
    }
  }, 60_000);
});

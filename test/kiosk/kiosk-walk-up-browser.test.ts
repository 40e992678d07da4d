/**
 * The kiosk as residents meet it, in Chromium with a fake camera: an enrolled resident walks up
 * (an empty lobby, then the resident in front of the camera, then gone again, looped) and is
 * checked in with no button, once per visit; the time from the face coming into view to the result
 * on screen is measured over ten visits and printed (not asserted: the machine is shared). The
 * check-in screens fit a 1024×768 and a 768×1024 tablet with the camera on, every control in view
 * without scrolling (screenshots kept in test-results/screenshots). QR mode shows the camera and
 * reads a code held up to it on the tablet itself.
 */
import '../face/realm.ts';
import path from 'node:path';
import { readFile } from 'node:fs/promises';
import QRCode from 'qrcode';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { createStorage, startPass, type TestStorage } from '../helpers/pass.ts';
import { storageModes, tempDir } from '../helpers/services.ts';
import { faceEnv, SHARED_FACES } from '../face/platform.ts';
import { browserAvailable, CHROMIUM, screenshotter } from '../browser/browser.ts';
import { photoToY4m, scenesToY4m } from '../browser/fake-camera.ts';
import { approveDevice, staffAccount, withFacilities, type Pass } from './helpers.ts';
import { proofedResident, register, residentApiToken } from './fixtures.ts';

const mode = storageModes().at(-1)!;
const run = browserAvailable() ? describe : describe.skip;
const BASE_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const STAFF = 'staff@niconico.example.jp';
/** The fake video: 2 s of empty lobby, 4 s of the resident at the kiosk, at 5 frames a second. */
const FPS = 5;
const VISITS = 6;

interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

run(`the kiosk as residents meet it (${mode})`, () => {
  const dir = tempDir('pass-kiosk-walk-up-');
  const profile = path.join(dir.path, 'kiosk-profile');
  let storage: TestStorage;
  let pass: Pass;
  let resident: { accountId: string; personId: string };
  let walkUp: string[];
  let standing: string[];
  const shot = screenshotter('kiosk-walk-up');
  const problems: string[] = [];
  const logs: string[] = [];

  beforeAll(async () => {
    walkUp = await scenesToY4m([{ frames: 2 * FPS }, { photo: path.join(SHARED_FACES, 'obama', '2.jpg'), frames: 4 * FPS }], path.join(dir.path, 'walk-up.y4m'), FPS);
    standing = await photoToY4m(path.join(SHARED_FACES, 'obama', '2.jpg'), path.join(dir.path, 'standing.y4m'));
    storage = await createStorage(mode);
    pass = await startPass(faceEnv(storage.env));
    await withFacilities(pass);
    await staffAccount(pass, STAFF, 'facility_staff', { facilityId: 'kaga-niconico-park' });
    resident = await proofedResident(pass);
    await pass.provided.face!.enroll(resident.personId, await readFile(path.join(SHARED_FACES, 'obama', '1.jpg')));
    await register(pass, resident.personId, 'kaga-niconico-park', ['name', 'age']);
    await pass.provided.face!.addToGallery('facility:kaga-niconico-park', resident.personId);
  }, 120_000);

  afterAll(async () => {
    await pass?.close();
    await storage?.cleanup();
    dir.remove();
  });

  /** The tablet with this camera; its key and tokens stay in the profile between launches. */
  async function kiosk(camera: string[], viewport = { width: 1024, height: 768 }, prepare?: (context: BrowserContext) => Promise<void>): Promise<{ context: BrowserContext; page: Page }> {
    const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, args: [...BASE_ARGS, ...camera], locale: 'ja-JP', viewport, permissions: ['camera'] });
    context.setDefaultTimeout(20_000);
    await prepare?.(context);
    const page = context.pages()[0] ?? (await context.newPage());
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    page.on('console', (m) => {
      logs.push(`${m.type()}: ${m.text()}`);
      if (m.type() === 'error' && /Content Security Policy|Refused to/i.test(m.text())) problems.push(m.text());
    });
    await page.goto(`${pass.issuer}/kiosk`);
    return { context, page };
  }

  async function inKiosk(camera: string[], steps: (page: Page) => Promise<void>, viewport?: { width: number; height: number }, prepare?: (context: BrowserContext) => Promise<void>): Promise<void> {
    const { context, page } = await kiosk(camera, viewport, prepare);
    try {
      await steps(page);
    } catch (error) {
      await shot(page, 'failure').catch(() => undefined);
      throw new Error(`${(error as Error).message}\nkiosk console:\n${logs.slice(-40).join('\n')}`);
    } finally {
      await context.close();
    }
  }

  /** Waits for a video element to show the camera (the page's CSP allows no string evaluation, so no waitForFunction). */
  async function cameraShowing(page: Page, id: string): Promise<void> {
    const width = () => page.locator(`#${id}`).evaluate((video) => (video as unknown as { videoWidth: number }).videoWidth);
    for (let i = 0; i < 100 && !(await width()); i += 1) await page.waitForTimeout(100);
    expect(await width()).toBeGreaterThan(0);
  }

  const faceCheckins = () => pass.platform.db('checkins').where({ method: 'face', person_id: resident.personId });

  /** Every visible control of the screen lies inside the viewport, at least 48 px each way, and the page does not scroll. */
  async function allInView(page: Page, screen: string, viewport: { width: number; height: number }): Promise<void> {
    const controls: Array<{ name: string; touch: boolean; box: Box }> = [];
    for (const control of await page.locator(`#${screen}`).locator('button:visible, video:visible, summary:visible, [role="status"]:visible').all()) {
      const box = await control.boundingBox();
      const tag = await control.evaluate((el) => el.tagName);
      controls.push({ name: `${tag.toLowerCase()} ${(await control.getAttribute('id')) ?? (await control.textContent())?.trim().slice(0, 20)}`, touch: tag === 'BUTTON', box: box! });
    }
    const [scrollHeight, scrollWidth] = await page.locator('html').evaluate((html) => [html.scrollHeight, html.scrollWidth]);
    const boxes = { controls, scroll: { height: scrollHeight, width: scrollWidth } };
    expect(boxes.controls.length).toBeGreaterThan(0);
    const outside = boxes.controls.filter(({ box }) => box.x < 0 || box.y < 0 || box.x + box.width > viewport.width + 0.5 || box.y + box.height > viewport.height + 0.5);
    expect({ screen, viewport, outside }).toEqual({ screen, viewport, outside: [] });
    const small = boxes.controls.filter(({ touch, box }) => touch && (box.width < 48 || box.height < 48));
    expect({ screen, small }).toEqual({ screen, small: [] });
    expect(boxes.scroll.height).toBeLessThanOrEqual(viewport.height);
    expect(boxes.scroll.width).toBeLessThanOrEqual(viewport.width);
  }

  /** Staff connect the tablet once (device grant); each test then opens it with its own camera. */
  beforeAll(async () => {
    await inKiosk([], async (page) => {
      await page.getByTestId('user-code').filter({ hasText: /\w{4}-\w{4}/ }).waitFor();
      await approveDevice(pass.issuer, (await page.getByTestId('verification-link').getAttribute('href'))!, STAFF);
      await page.getByTestId('facility-name').filter({ hasText: 'かがにこにこパーク' }).waitFor();
    });
  }, 60_000);

  test('the resident walks up and is checked in with no button, once per visit', async () => {
    await inKiosk(walkUp, async (page) => {
      const times: Array<{ total: number; detect: number; server: number }> = [];
      for (let visit = 1; visit <= VISITS; visit += 1) {
        await page.getByTestId('result-message').filter({ hasText: 'チェックインしました。' }).waitFor({ timeout: 30_000 });
        expect(await page.getByTestId('result-title').textContent()).toBe('太郎 さま');
        if (visit === 1) await shot(page, 'accepted-1024x768');
        times.push(await page.evaluate(() => {
          const at = (name: string, before: number) => performance.getEntriesByName(name).filter((e) => e.startTime <= before).at(-1)!.startTime;
          const result = performance.getEntriesByName('kiosk:result').at(-1)!.startTime;
          const seen = at('kiosk:face-seen', result);
          const sent = at('kiosk:face-sent', result);
          return { total: result - seen, detect: sent - seen, server: result - sent };
        }));
        // Each visit is one check-in: the resident stays seconds after the result and is not checked in again.
        expect(await faceCheckins()).toHaveLength(visit);
        await page.getByRole('button', { name: 'OK' }).click();
      }
      await page.waitForTimeout(1000);
      expect((await faceCheckins()).every((c: { result: string }) => c.result === 'accepted')).toBe(true);
      expect((await faceCheckins()).length).toBeLessThanOrEqual(VISITS + 1);

      const p95 = (key: 'total' | 'detect' | 'server') => [...times.map((t) => t[key])].sort((a, b) => a - b)[Math.ceil(0.95 * times.length) - 1]!.toFixed(0);
      const p50 = (key: 'total' | 'detect' | 'server') => [...times.map((t) => t[key])].sort((a, b) => a - b)[Math.floor(0.5 * times.length)]!.toFixed(0);
      console.log(
        `kiosk walk-up, face in view → result on screen, ${times.length} visits: p50 ${p50('total')} ms, p95 ${p95('total')} ms ` +
          `(seeing a steady face: p50 ${p50('detect')} / p95 ${p95('detect')} ms; PASS deciding and the screen: p50 ${p50('server')} / p95 ${p95('server')} ms)\n` +
          times.map((t) => `${t.total.toFixed(0)} (${t.detect.toFixed(0)} + ${t.server.toFixed(0)})`).join(', '),
      );
    });
    expect(problems).toEqual([]);
  }, 240_000);

  test('the check-in screens fit a 1024×768 and a 768×1024 tablet with the camera on', async () => {
    // The resident stays in front of the camera: checked in once on arrival, then only by the button.
    await inKiosk(standing, async (page) => {
      await page.getByTestId('result-message').filter({ hasText: 'チェックインしました。' }).waitFor({ timeout: 30_000 });
      await page.locator('#result-ok').click();
      for (const viewport of [{ width: 1024, height: 768 }, { width: 768, height: 1024 }]) {
        const size = `${viewport.width}x${viewport.height}`;
        await page.setViewportSize(viewport);
        await page.locator('#ready').waitFor();
        await cameraShowing(page, 'camera');
        await allInView(page, 'ready', viewport);
        await shot(page, `ready-${size}`);

        await page.locator('#go-qr').click();
        await cameraShowing(page, 'qr-camera');
        expect(await page.locator('#qr-text').isVisible()).toBe(false);
        await allInView(page, 'qr', viewport);
        await shot(page, `qr-${size}`);
        await page.locator('#qr button.back').click();

        // A result, as the resident sees it from a step away; the button stays as a fallback.
        await page.getByRole('button', { name: '顔でチェックイン' }).click();
        await page.locator('#result').waitFor();
        await page.getByTestId('result-message').filter({ hasText: /./ }).waitFor();
        await allInView(page, 'result', viewport);
        await shot(page, `result-${size}`);
        await page.locator('#result-ok').click();
      }
    });
    expect(problems).toEqual([]);
  }, 120_000);

  test('a method chosen by button is the visit: the face in view is not checked in as well, then or when the screen comes back', async () => {
    // The detector is held back until the button is pressed, so the press surely comes before the watch could act.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const before = (await faceCheckins()).length;
    await inKiosk(
      standing,
      async (page) => {
        await page.locator('#go-qr').click();
        release();
        await cameraShowing(page, 'qr-camera');
        await page.waitForTimeout(2000);
        await page.locator('#qr button.back').click();
        await page.locator('#ready').waitFor();
        await cameraShowing(page, 'camera');
        // Long enough for the watch to see a steady face several times over (a walk-up takes < 0.5 s).
        await page.waitForTimeout(3000);
        expect(await page.locator('#ready').isVisible()).toBe(true);
      },
      undefined,
      async (context) => {
        await context.route('**/kiosk/detector/detector.json', async (route) => (await held, route.continue()));
      },
    );
    expect(await faceCheckins()).toHaveLength(before);
    expect(problems).toEqual([]);
  }, 60_000);

  test('QR mode shows the camera and reads a code held up to it, on the tablet', async () => {
    const qr = await fetch(`${pass.issuer}/api/checkins/qr-token`, { method: 'POST', headers: { authorization: `Bearer ${await residentApiToken(pass, 'resident@pass.localhost')}` } });
    expect(qr.ok).toBe(true);
    const { token } = (await qr.json()) as { token: string };
    const png = path.join(dir.path, 'code.png');
    await QRCode.toFile(png, token, { errorCorrectionLevel: 'M', margin: 4, width: 420 });
    const camera = await photoToY4m(png, path.join(dir.path, 'code.y4m'));
    const before = await pass.platform.db('checkins').where({ method: 'qr', person_id: resident.personId });
    await inKiosk(camera, async (page) => {
      await page.getByRole('button', { name: 'QRコード', exact: true }).click();
      await page.getByTestId('result-message').filter({ hasText: 'チェックインしました。' }).waitFor();
      expect(await page.getByTestId('result-title').textContent()).toBe('太郎 さま');
      await shot(page, 'qr-accepted');
    });
    const after = await pass.platform.db('checkins').where({ method: 'qr', person_id: resident.personId, result: 'accepted' });
    expect(after.length).toBe(before.length + 1);
    expect(problems).toEqual([]);
  }, 120_000);
});

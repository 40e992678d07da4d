/**
 * The kiosk app in Chromium, with a fake camera playing a photo from ../shared/faces: a staff
 * member approves its provisioning at the verification URL, an enrolled and registered resident
 * in front of the camera is checked in by face with no button, and — after a kiosk restart with
 * another camera — a stranger is refused with a retry button and a failure event for staff. Then the device-code check-in: the resident scans
 * the kiosk's code with a phone, signs in, consents, and the kiosk shows the check-in.
 */
import '../face/realm.ts';
import path from 'node:path';
import { readFile } from 'node:fs/promises';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { createStorage, startPass, type TestStorage } from '../helpers/pass.ts';
import { storageModes, tempDir } from '../helpers/services.ts';
import { faceEnv, SHARED_FACES } from '../face/platform.ts';
import { browserAvailable, CHROMIUM, launch, screenshotter } from '../browser/browser.ts';
import { photoToY4m } from '../browser/fake-camera.ts';
import { passCodeStep } from '../browser/journey-helpers.ts';
import { PASSWORD, staffAccount, withFacilities, type Pass } from './helpers.ts';
import { failureEvents, proofedResident, register } from './fixtures.ts';

const mode = storageModes().at(-1)!;
const run = browserAvailable() ? describe : describe.skip;
const BASE_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

run(`the kiosk app in the browser (${mode})`, () => {
  const dir = tempDir('pass-kiosk-browser-');
  const profile = path.join(dir.path, 'kiosk-profile');
  let storage: TestStorage;
  let pass: Pass;
  let phones: Browser;
  let resident: { accountId: string; personId: string };
  let events: Array<Record<string, string>>;
  let residentCamera: string[];
  let strangerCamera: string[];
  const shot = screenshotter('kiosk');
  const violations: string[] = [];
  const logs: string[] = [];

  beforeAll(async () => {
    [residentCamera, strangerCamera] = await Promise.all([
      photoToY4m(path.join(SHARED_FACES, 'obama', '2.jpg'), path.join(dir.path, 'resident.y4m')),
      photoToY4m(path.join(SHARED_FACES, 'paul_allen', '1.jpg'), path.join(dir.path, 'stranger.y4m')),
    ]);
    storage = await createStorage(mode);
    [pass, phones] = await Promise.all([startPass(faceEnv(storage.env)), launch()]);
    await withFacilities(pass);
    await staffAccount(pass, 'staff@niconico.example.jp', 'facility_staff', { facilityId: 'kaga-niconico-park' });
    resident = await proofedResident(pass);
    await pass.provided.face!.enroll(resident.personId, await readFile(path.join(SHARED_FACES, 'obama', '1.jpg')));
    await register(pass, resident.personId, 'kaga-niconico-park', ['name', 'age']);
    await pass.provided.face!.addToGallery('facility:kaga-niconico-park', resident.personId);
    events = await failureEvents(pass);
  }, 120_000);

  afterAll(async () => {
    await phones?.close();
    await pass?.close();
    await storage?.cleanup();
    dir.remove();
  });

  async function kioskBrowser(camera: string[]): Promise<{ context: BrowserContext; page: Page }> {
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      args: [...BASE_ARGS, ...camera],
      locale: 'ja-JP',
      viewport: { width: 1024, height: 768 },
      permissions: ['camera'],
    });
    context.setDefaultTimeout(20_000);
    const page = context.pages()[0] ?? (await context.newPage());
    page.on('pageerror', (e) => logs.push(`pageerror: ${e.message}`));
    page.on('response', (r) => {
      if (r.url().includes('/api/')) logs.push(`${r.request().method()} ${new URL(r.url()).pathname} ${r.status()}`);
    });
    page.on('console', (m) => {
      logs.push(`${m.type()}: ${m.text()}`);
      if (m.type() === 'error' && /Content Security Policy|Refused to/i.test(m.text())) violations.push(m.text());
    });
    await page.goto(`${pass.issuer}/kiosk`);
    return { context, page };
  }

  /** A phone: sign in to PASS (password and code), then press whichever of the given buttons each page shows, until `done` holds. */
  async function onPhone(url: string, email: string, buttons: string[], done: (page: Page) => Promise<boolean>): Promise<Page> {
    const context = await phones.newContext({ locale: 'ja-JP', viewport: { width: 390, height: 844 } });
    context.setDefaultTimeout(15_000);
    const page = await context.newPage();
    await page.goto(url);
    const phoneShot = screenshotter('kiosk-phone');
    for (let step = 0; step < 20; step += 1) {
      await page.waitForLoadState();
      if (await done(page)) return page;
      if (await page.getByLabel('メールアドレスまたは携帯電話番号').isVisible()) {
        await page.getByLabel('メールアドレスまたは携帯電話番号').fill(email);
        await page.getByLabel('パスワード', { exact: true }).fill(PASSWORD);
        await page.getByRole('button', { name: 'ログイン', exact: true }).click();
        await passCodeStep(page, pass.issuer, email);
        continue;
      }
      let pressed = false;
      for (const name of buttons) {
        const candidate = page.getByRole('button', { name, exact: true });
        if (await candidate.isVisible()) {
          await phoneShot(page, name);
          await candidate.click();
          pressed = true;
          break;
        }
      }
      if (!pressed) await page.waitForTimeout(250);
    }
    await phoneShot(page, 'stuck');
    throw new Error(`the phone got stuck at ${page.url()}: ${(await page.textContent('body'))?.slice(0, 300)}`);
  }

  test('provisioning approved by staff, a face check-in, then a stranger refused after a restart', async () => {
    let { context, page } = await kioskBrowser(residentCamera);
    try {
      await page.getByTestId('user-code').filter({ hasText: /\w{4}-\w{4}/ }).waitFor();
      await shot(page, 'setup');
      const verification = await page.getByTestId('verification-link').getAttribute('href');
      expect(verification).toContain('/device?user_code=');
      await onPhone(verification!, 'staff@niconico.example.jp', ['Continue', '接続する', '同意する'], (p) => p.getByRole('heading', { name: '接続しました' }).isVisible());
      await page.getByTestId('facility-name').filter({ hasText: 'かがにこにこパーク' }).waitFor();
      await page.getByRole('button', { name: '顔でチェックイン' }).waitFor();
      await shot(page, 'ready');
      const kioskRow = await pass.platform.db('kiosks').first();
      expect(kioskRow).toMatchObject({ facility_id: 'kaga-niconico-park', revoked_at: null });

      // No button: the kiosk sees the resident in front of it and sends one frame.
      await page.getByTestId('result-message').filter({ hasText: 'チェックインしました。' }).waitFor();
      expect(await page.getByTestId('result-title').textContent()).toBe('太郎 さま');
      await shot(page, 'face-accepted');
      const accepted = await pass.platform.db('checkins').where({ method: 'face', result: 'accepted' });
      expect(accepted).toHaveLength(1);
      expect(accepted[0]).toMatchObject({ person_id: resident.personId, kiosk_id: kioskRow.id, facility_id: 'kaga-niconico-park' });

      // The resident is still there: checked in once, the button is how to check again.
      // The network drops: the check-in waits in IndexedDB under its id and is sent once it is back.
      await page.getByRole('button', { name: 'OK' }).click();
      await context.setOffline(true);
      await page.getByRole('button', { name: '顔でチェックイン' }).click();
      await page.getByTestId('result-message').filter({ hasText: '受け付けました' }).waitFor();
      await shot(page, 'face-queued');
      expect(await pass.platform.db('checkins').where({ method: 'face' })).toHaveLength(1);
      await context.setOffline(false);
      for (let i = 0; i < 100 && (await pass.platform.db('checkins').where({ method: 'face' })).length < 2; i += 1) await page.waitForTimeout(200);
      const replayed = await pass.platform.db('checkins').where({ method: 'face', result: 'accepted' });
      expect(replayed).toHaveLength(2);
    } catch (error) {
      await shot(page, 'failure').catch(() => undefined);
      throw new Error(`${(error as Error).message}\nkiosk console:\n${logs.join('\n')}`);
    } finally {
      await context.close();
    }

    // The kiosk restarts with another face in front of it: still provisioned (key and tokens in IndexedDB).
    ({ context, page } = await kioskBrowser(strangerCamera));
    try {
      await page.getByTestId('result-message').filter({ hasText: '顔を確認できませんでした' }).waitFor();
      expect(await page.getByTestId('result-title').textContent()).toBe('もう一度');
      expect(await page.getByRole('button', { name: 'もう一度 顔で確認する' }).isVisible()).toBe(true);
      await shot(page, 'face-stranger');
      // Test files share one Redis and its event bus: only this kiosk's failures are this test's.
      const kioskId = (await pass.platform.db('kiosks').first()).id;
      expect(events.filter((e) => e.kioskId === kioskId)).toEqual([expect.objectContaining({ method: 'face', reason: 'no_match', facilityId: 'kaga-niconico-park' })]);
      const refused = await pass.platform.db('checkins').where({ method: 'face', result: 'rejected' });
      expect(refused).toHaveLength(1);
      expect(refused[0].person_id).toBeNull();

      // Device-code check-in: the resident scans the kiosk's code with a phone, signs in and consents.
      await page.getByRole('button', { name: 'OK' }).click();
      await page.getByRole('button', { name: 'スマホで読み取る' }).click();
      await page.getByTestId('phone-code').filter({ hasText: /\w{4}-\w{4}/ }).waitFor();
      await shot(page, 'device-code');
      const link = await page.getByTestId('phone-link').getAttribute('href');
      expect(link).toMatch(/\/checkin\/[A-Z]{8}$/);
      const phone = await onPhone(link!, 'resident@pass.localhost', ['同意する'], (p) => p.getByText('チェックインしました。').first().isVisible());
      expect(await phone.getByTestId('entry-facility').textContent()).toContain('かがにこにこパーク');
      await page.getByTestId('result-message').filter({ hasText: 'チェックインしました。' }).waitFor();
      expect(await page.getByTestId('result-title').textContent()).toBe('太郎 さま');
      await shot(page, 'device-code-accepted');
      const byPhone = await pass.platform.db('checkins').where({ method: 'device-code' });
      expect(byPhone).toHaveLength(1);
      expect(byPhone[0]).toMatchObject({ person_id: resident.personId, result: 'accepted', kiosk_id: (await pass.platform.db('kiosks').first()).id });
      expect(violations).toEqual([]);
    } catch (error) {
      await shot(page, 'failure').catch(() => undefined);
      throw new Error(`${(error as Error).message}\nkiosk console:\n${logs.join('\n')}`);
    } finally {
      await context.close();
    }
  }, 120_000);
});

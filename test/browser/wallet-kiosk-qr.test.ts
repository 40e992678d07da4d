/**
 * Issue 19, the PASS app presenting to a kiosk by QR with no network on either side. A proofed
 * resident registered at a facility receives a residency credential in the PASS app (a phone-sized
 * Chromium context); the facility's kiosk (its own context, provisioned by staff) loads its trust
 * material and is cut off, then shows its request QR. The phone, cut off too, opens the request URL
 * from the kiosk's QR text as its camera app would: the service worker's copy of the approval page
 * checks the request on the phone, shows 「この施設のキオスク」 with the facility's name and exactly
 * 「住民である市区町村」, and 「提供する」 makes the presentation with the device key and shows it as
 * a QR code. That code, decoded from a screenshot of the phone's screen with jsQR (the kiosk's
 * camera decoder), goes to the kiosk's staff box: the kiosk checks the resident in offline, and
 * back online the check-in reaches PASS exactly once. The wallet's history keeps the presentation.
 */
import { createRequire } from 'node:module';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import sharp from 'sharp';
import { createStorage, startPass, type TestStorage } from '../helpers/pass.ts';
import { storageModes } from '../helpers/services.ts';
import { browserAvailable, launch, screenshotter } from './browser.ts';
import { cspViolations, signInToApp } from './journey-helpers.ts';
import { STAFF, staffWorld, type Pass } from '../manager/helpers.ts';
import { proofedResident, register } from '../kiosk/fixtures.ts';
import { PASSWORD } from '../kiosk/helpers.ts';
import { kioskPage, resultSays, type KioskPage } from '../kiosk/card-page.ts';

// The page's globals, in the functions page.evaluate runs there.
declare const indexedDB: { open(name: string): any };
declare function dispatchEvent(event: Event): boolean;
declare const caches: { match(key: string): Promise<unknown> };

/** jsQR, the kiosk's camera decoder (CommonJS). */
const jsQR = createRequire(import.meta.url)('jsqr') as (data: Uint8ClampedArray, width: number, height: number) => { data: string } | null;

const mode = storageModes().at(-1)!;
const run = browserAvailable() ? describe : describe.skip;
const PARK = 'kaga-niconico-park';
const RESIDENT = 'resident@pass.localhost';

run(`the PASS app answers a kiosk by QR, both offline (${mode})`, () => {
  let storage: TestStorage;
  let pass: Pass;
  let browser: Browser;
  let kiosk: KioskPage;
  let phoneContext: BrowserContext;
  let phone: Page;
  const problems: string[] = [];
  const shot = screenshotter('wallet-kiosk-qr');

  beforeAll(async () => {
    storage = await createStorage(mode);
    pass = await startPass(storage.env);
    await staffWorld(pass);
    const resident = await proofedResident(pass);
    await register(pass, resident.personId, PARK, ['name', 'age', 'resident_of']);
    browser = await launch(['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream']);
    // A phone: its screen's pixel density is what a kiosk's camera sees.
    phoneContext = await browser.newContext({ locale: 'ja-JP', viewport: { width: 390, height: 844 }, deviceScaleFactor: 3, isMobile: true, hasTouch: true });
    phoneContext.setDefaultTimeout(20_000);
    phone = await phoneContext.newPage();
    cspViolations(phone, problems);
    phone.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
  }, 180_000);

  afterAll(async () => {
    await phoneContext?.close();
    await kiosk?.context.close();
    await browser?.close();
    await pass?.close();
    await storage?.cleanup();
  });

  const credentialRows = async () => (await pass.platform.db('checkins').where({ method: 'credential', kiosk_id: kiosk.kioskId })) as Array<Record<string, any>>;

  /** How many status lists the kiosk holds in its IndexedDB (its trust material, loaded while online). */
  const heldLists = () =>
    kiosk.page.evaluate(
      () =>
        new Promise<number>((resolve, reject) => {
          const opened = indexedDB.open('pass-kiosk');
          opened.onerror = () => reject(opened.error);
          opened.onsuccess = () => {
            const read = opened.result.transaction('kv').objectStore('kv').get('wallet-trust');
            read.onsuccess = () => resolve(Object.keys((read.result as { lists?: object } | undefined)?.lists ?? {}).length);
          };
        }),
    );

  async function waitFor(check: () => Promise<boolean>, ms = 20_000): Promise<void> {
    const until = Date.now() + ms;
    while (!(await check())) {
      if (Date.now() > until) throw new Error('timed out waiting');
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  /** The phone's screen where the answer QR is, decoded as a camera's frame would be. */
  async function decodeAnswer(): Promise<string> {
    const png = await phone.getByTestId('present-answer-qr').screenshot();
    const { data, info } = await sharp(png).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
    const found = jsQR(new Uint8ClampedArray(data), info.width, info.height);
    if (!found) throw new Error(`no QR code found in the phone's ${info.width}×${info.height} screenshot`);
    return found.data;
  }

  test('offline on both sides: the phone shows its presentation as a QR code, the kiosk reads it and checks the resident in; it reaches PASS once', async () => {
    // The phone, online: sign in and receive the residency credential (the service worker installs meanwhile).
    await signInToApp(phone, pass.issuer, RESIDENT, PASSWORD);
    await phone.getByRole('heading', { name: 'ホーム', level: 1 }).waitFor();
    await phone.goto(`${pass.issuer}/app/wallet`);
    await phone.locator('#wallet[data-ready="true"]').waitFor();
    await phone.getByTestId('receive-self').getByRole('button', { name: '住民であることの証明' }).click();
    await phone.getByTestId('wallet-message').filter({ hasText: '「住民であることの証明」を受け取りました。' }).waitFor();
    await phone.waitForFunction('navigator.serviceWorker.controller !== null');
    // The worker keeps the approval page's offline copy with the wallet page.
    await waitFor(() => phone.evaluate(async () => Boolean(await caches.match('/app/wallet/present/offline'))));

    // The kiosk, online: provisioned, its trust material loaded; then cut off.
    kiosk = await kioskPage(pass, browser, STAFF.niconico.email);
    await waitFor(async () => (await heldLists()) > 0);
    await kiosk.context.setOffline(true);
    await kiosk.page.getByRole('button', { name: 'ウォレット', exact: true }).click();
    const requestText = kiosk.page.getByTestId('wallet-request');
    await waitFor(async () => /nonce=/.test((await requestText.textContent()) ?? ''));
    const requestUrl = (await requestText.textContent())!;
    const asked = new URL(requestUrl);
    expect(asked.searchParams.get('response_mode')).toBe('qr');
    expect(asked.searchParams.get('client_id')).toBe(`pass-kiosk:${kiosk.kioskId}`);
    expect(JSON.parse(asked.searchParams.get('client_metadata')!)).toEqual({ client_name: expect.stringContaining('にこにこ') });
    await shot(kiosk.page, 'kiosk-request');

    // The phone, offline: its camera app opens the kiosk's request; the worker's copy answers.
    await phoneContext.setOffline(true);
    try {
      await phone.goto(requestUrl);
      await phone.locator('#present[data-ready="true"]').waitFor();
      expect(await phone.locator('#present').getAttribute('data-mode')).toBe('qr');
      expect(await phone.getByTestId('present-verifier-name').textContent()).toBe('この施設のキオスク');
      expect(await phone.getByTestId('present-facility').textContent()).toContain('にこにこ');
      expect(await phone.getByTestId('present-verifier-origin').isVisible()).toBe(false);
      const facts = phone.getByTestId('present-facts');
      expect(await facts.locator('dt').allTextContents()).toEqual(['住民である市区町村']);
      expect(await facts.locator('dd').allTextContents()).toEqual([expect.stringMatching(/\S/)]);
      await shot(phone, 'phone-approve');

      await phone.getByRole('button', { name: '提供する' }).click();
      await phone.locator('#present[data-answered="true"]').waitFor();
      await phone.getByRole('heading', { name: 'キオスクのカメラにかざしてください' }).waitFor();
      expect(await phone.getByRole('button', { name: '閉じる' }).isVisible()).toBe(true);
      // The text for staff is there, folded away.
      expect(await phone.locator('[data-testid="present-answer-staff"]').evaluate((d) => (d as unknown as { open: boolean }).open)).toBe(false);
      const staffText = await phone.locator('#present-answer-text').inputValue();
      await shot(phone, 'phone-answer-qr');

      // What the kiosk's camera would read: the screenshot of the phone's QR element, decoded.
      const decoded = await decodeAnswer();
      expect(decoded).toBe(staffText);
      // Error correction L keeps the code small enough for a phone's screen (docs/wallet.md, "Presenting").
      const modules = Number(await phone.getByTestId('present-answer-qr').getAttribute('data-modules'));
      console.info(`the answer: ${decoded.length} characters, ${modules}×${modules} modules`);
      expect(modules).toBeLessThanOrEqual(137);
      const answer = JSON.parse(decoded) as { vp_token: { residency: string[] } };
      expect(Object.keys(answer.vp_token)).toEqual(['residency']);
      expect(answer.vp_token.residency).toHaveLength(1);
      const presentation = answer.vp_token.residency[0]!;
      expect(presentation.length).toBeGreaterThan(500);
      // The key binding is for this kiosk and this request's one-time nonce.
      const kb = JSON.parse(Buffer.from(presentation.slice(presentation.lastIndexOf('~') + 1).split('.')[1]!, 'base64url').toString()) as { aud: string; nonce: string };
      expect(kb).toMatchObject({ aud: `pass-kiosk:${kiosk.kioskId}`, nonce: asked.searchParams.get('nonce') });

      // The kiosk, still offline, reads it (a scanner typing into the staff box) and checks the resident in.
      await kiosk.page.locator('#wallet-staff summary').click();
      await kiosk.page.locator('#wallet-text').fill(decoded);
      await kiosk.page.locator('#wallet-form button[type="submit"]').click();
      await resultSays(kiosk.page, 'デジタル証明書を確認しました。');
      await kiosk.page.getByTestId('result-person').filter({ hasText: '通信が戻りしだい送信します' }).waitFor();
      await shot(kiosk.page, 'kiosk-accepted-offline');
      expect(await credentialRows()).toEqual([]);

      // 「閉じる」: the code leaves the phone's screen.
      await phone.getByRole('button', { name: '閉じる' }).click();
      expect(await phone.getByTestId('present-answer').isVisible()).toBe(false);
      expect(await phone.locator('#present-answer-text').inputValue()).toBe('');
    } finally {
      await phoneContext.setOffline(false);
    }

    // Back online, the kiosk's queued check-in reaches PASS exactly once.
    await kiosk.context.setOffline(false);
    await kiosk.page.evaluate(() => dispatchEvent(new Event('online')));
    await waitFor(async () => (await credentialRows()).length === 1);
    await kiosk.page.waitForTimeout(6000);
    const rows = await credentialRows();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ result: 'accepted', person_id: expect.any(String) });
    expect(kiosk.errors).toEqual([]);

    // The wallet's history on the phone: the kiosk, by QR, the one fact.
    await phone.goto(`${pass.issuer}/app/wallet/history`);
    await phone.locator('#history[data-ready="true"]').waitFor();
    const entry = phone.getByTestId('presentation').first();
    expect(await entry.getAttribute('data-result')).toBe('sent');
    expect(await entry.getByRole('heading', { level: 2 }).textContent()).toContain('この施設のキオスク');
    expect(await entry.getByTestId('presentation-origin').textContent()).toContain('QR');
    expect(await entry.getByTestId('presentation-facts').locator('dt').allTextContents()).toEqual(['住民である市区町村']);
    expect(problems).toEqual([]);
  }, 240_000);

  test('online, the server draws a kiosk request alike; 「やめる」 sends nothing anywhere and is recorded', async () => {
    const request = new URLSearchParams({
      client_id: 'pass-kiosk:another-kiosk',
      response_type: 'vp_token',
      response_mode: 'qr',
      nonce: 'online-nonce-0123456789',
      dcql_query: JSON.stringify({ credentials: [{ id: 'residency', format: 'dc+sd-jwt', meta: { vct_values: ['urn:pass:vct:residency:1'] }, claims: [{ path: ['resident_of'] }] }] }),
    });
    const answer = await phone.goto(`${pass.issuer}/app/wallet/present?${request}`);
    expect(answer?.status()).toBe(200);
    await phone.locator('#present[data-ready="true"]').waitFor();
    expect(await phone.getByTestId('present-verifier-name').textContent()).toBe('この施設のキオスク');
    // No client_metadata: no facility name to show.
    expect(await phone.getByTestId('present-facility').isVisible()).toBe(false);
    const posts: string[] = [];
    phone.on('request', (r) => {
      if (r.method() !== 'GET') posts.push(r.url());
    });
    await phone.getByRole('button', { name: 'やめる' }).click();
    await phone.getByTestId('present-message').filter({ hasText: '提供をやめました。' }).waitFor();
    expect(await phone.getByTestId('present-answer').isVisible()).toBe(false);
    expect(posts).toEqual([]);
    await phone.goto(`${pass.issuer}/app/wallet/history`);
    await phone.locator('#history[data-ready="true"]').waitFor();
    expect(await phone.getByTestId('presentation').first().getAttribute('data-result')).toBe('declined');
    expect(problems).toEqual([]);
  }, 60_000);

  test('offline, a malformed kiosk request is refused on the phone, clearly, and nothing is made', async () => {
    await phone.goto(`${pass.issuer}/app/wallet`);
    await phone.locator('#wallet[data-ready="true"]').waitFor();
    await phoneContext.setOffline(true);
    try {
      const bad = new URLSearchParams({ client_id: 'pass-kiosk:x', response_type: 'vp_token', response_mode: 'qr', nonce: 'n'.repeat(24), response_uri: 'https://evil.example.jp/', dcql_query: '{"credentials":[]}' });
      await phone.goto(`${pass.issuer}/app/wallet/present?${bad}`);
      await phone.locator('#present[data-refused]').waitFor();
      expect(await phone.locator('#present').getAttribute('data-refused')).toBe('present.bad.kiosk');
      expect(await phone.getByTestId('present-message').textContent()).toContain('キオスク向けの要求');
      expect(await phone.getByTestId('present-nothing-sent').textContent()).toBe('何も送信していません。');
      expect(await phone.getByRole('button', { name: '提供する' }).isVisible()).toBe(false);
      await shot(phone, 'phone-refused-offline');
    } finally {
      await phoneContext.setOffline(false);
    }
    // Online, the server says the same on its own page.
    const bad = new URLSearchParams({ client_id: 'pass-kiosk:x', response_type: 'vp_token', response_mode: 'qr', nonce: 'n'.repeat(24), response_uri: 'https://evil.example.jp/', dcql_query: '{"credentials":[]}' });
    const online = await phone.goto(`${pass.issuer}/app/wallet/present?${bad}`);
    expect(online?.status()).toBe(400);
    expect(await phone.getByRole('alert').textContent()).toContain('キオスク向けの要求');
    expect(problems).toEqual([]);
  }, 60_000);
});

/**
 * Issue 19 in Chromium: the kiosk verifies wallet presentations itself, with its network to PASS
 * cut. The kiosk page loads its trust material (PASS's issuer keys and status lists) while online;
 * then the browser context goes offline and a resident's residency credential, presented for the
 * kiosk's own request (made here with the SD-JWT core's holder code, as the PASS app makes it, and
 * handed over through the staff text box), checks them in at once; when the network returns the
 * check-in reaches PASS exactly once. Offline, a replayed presentation, one for another nonce or
 * audience, and a tampered disclosure are refused with their reasons on screen. A credential revoked
 * (its card revoked) is still accepted offline while the kiosk's list is within the facility's
 * maximum age — and refused by PASS when the check-in syncs, staff told — refused once the list is
 * older than that (status_list_stale), and refused by the kiosk itself once its list is refreshed.
 */
import type { Browser, Page } from 'playwright-core';
import { createStorage, startPass, type TestStorage } from '../helpers/pass.ts';
import { storageModes } from '../helpers/services.ts';
import { browserAvailable, launch, screenshotter } from '../browser/browser.ts';
import { STAFF, staffWorld, type Pass } from '../manager/helpers.ts';
import { failureEvents, proofedResident, register, residentApiToken } from './fixtures.ts';
import { kioskPage, resultSays, type KioskPage } from './card-page.ts';
import { freshNonce, issuedCredential, newHolder, present, statusOf, tamperedDisclosure, type Holder } from './wallet-fixtures.ts';
import { statusBit } from '../wallet/issuer-helpers.ts';

// The page's globals, in the functions page.evaluate runs there.
declare const indexedDB: { open(name: string): any };
declare function dispatchEvent(event: Event): boolean;

const mode = storageModes().at(-1)!;
const run = browserAvailable() ? describe : describe.skip;
const PARK = 'kaga-niconico-park';
const MAX_AGE = 3600;

interface HeldTrust {
  audience: string;
  maxStatusListAgeSeconds: number;
  lists: Record<string, { token: string; fetchedAt: number }>;
}

run(`the kiosk verifies wallet presentations offline, and they sync once (${mode})`, () => {
  let storage: TestStorage;
  let pass: Pass;
  let browser: Browser;
  let kiosk: KioskPage;
  let page: Page;
  let holder: Holder;
  let residency: string;
  let events: Array<Record<string, string>>;
  const shot = screenshotter('kiosk-wallet');

  beforeAll(async () => {
    storage = await createStorage(mode);
    // Status list tokens live a day here, so the facility's maximum age is what bounds the kiosk (docs/wallet.md, "Offline kiosk").
    pass = await startPass({ ...storage.env, WALLET_REVIEW_SECONDS: '1' });
    await staffWorld(pass);
    await pass.platform.facilities.setStatusListMaxAge(PARK, MAX_AGE);
    const resident = await proofedResident(pass);
    await register(pass, resident.personId, PARK, ['name', 'age', 'resident_of']);
    holder = await newHolder();
    residency = await issuedCredential(pass, await residentApiToken(pass, 'resident@pass.localhost'), 'pass_residency', holder);
    events = await failureEvents(pass);
    browser = await launch(['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream']);
    kiosk = await kioskPage(pass, browser, STAFF.niconico.email);
    page = kiosk.page;
  }, 180_000);

  afterAll(async () => {
    await kiosk?.context.close();
    await browser?.close();
    await pass?.close();
    await storage?.cleanup();
  });

  afterEach(() => {
    expect(kiosk.errors).toEqual([]);
  });

  const credentialRows = async () => (await pass.platform.db('checkins').where({ method: 'credential', kiosk_id: kiosk.kioskId }).orderBy('recorded_at')) as Array<Record<string, any>>;

  /** The kiosk's IndexedDB, read in the page. */
  const held = () =>
    page.evaluate(
      () =>
        new Promise<HeldTrust | null>((resolve, reject) => {
          const opened = indexedDB.open('pass-kiosk');
          opened.onerror = () => reject(opened.error);
          opened.onsuccess = () => {
            const read = opened.result.transaction('kv').objectStore('kv').get('wallet-trust');
            read.onsuccess = () => resolve((read.result as HeldTrust | undefined) ?? null);
          };
        }),
    );

  /** Makes every list the kiosk holds look fetched `seconds` ago (the page's clock is the tablet's). */
  const listsFetchedAgo = (seconds: number) =>
    page.evaluate(
      (ago) =>
        new Promise<void>((resolve, reject) => {
          const opened = indexedDB.open('pass-kiosk');
          opened.onsuccess = () => {
            const tx = opened.result.transaction('kv', 'readwrite');
            const store = tx.objectStore('kv');
            const read = store.get('wallet-trust');
            read.onsuccess = () => {
              const trust = read.result as HeldTrust;
              for (const list of Object.values(trust.lists)) list.fetchedAt = Date.now() - ago * 1000;
              store.put(trust, 'wallet-trust');
            };
            tx.oncomplete = () => resolve();
            tx.onerror = () => reject(tx.error);
          };
        }),
      seconds,
    );

  async function waitFor(check: () => Promise<boolean>, ms = 20_000): Promise<void> {
    const until = Date.now() + ms;
    while (!(await check())) {
      if (Date.now() > until) throw new Error('timed out waiting');
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  /** 「ウォレット」 on the ready screen: the request the kiosk shows (its audience and fresh nonce). */
  async function openWallet(): Promise<{ aud: string; nonce: string }> {
    await page.getByRole('button', { name: 'ウォレット', exact: true }).click();
    const request = page.getByTestId('wallet-request');
    await waitFor(async () => /nonce=/.test((await request.textContent()) ?? ''));
    const url = new URL((await request.textContent())!);
    expect(url.pathname).toBe('/app/wallet/present');
    expect(JSON.parse(url.searchParams.get('dcql_query')!)).toEqual({ credentials: [{ id: 'residency', format: 'dc+sd-jwt', meta: { vct_values: ['urn:pass:vct:residency:1'] }, claims: [{ path: ['resident_of'] }] }] });
    return { aud: url.searchParams.get('client_id')!, nonce: url.searchParams.get('nonce')! };
  }

  /** What a scanner types into the staff box: the phone's answer. */
  async function hand(presentation: string): Promise<void> {
    await page.locator('#wallet-staff summary').click();
    await page.locator('#wallet-text').fill(presentation);
    await page.locator('#wallet-form button[type="submit"]').click();
  }

  /** Back to the ready screen: by OK, or by itself (the result screen goes back after 8 s). */
  async function startOver(): Promise<void> {
    const ok = page.getByRole('button', { name: 'OK' });
    if (await ok.isVisible()) await ok.click({ timeout: 2000 }).catch(() => undefined);
    await page.getByRole('button', { name: 'ウォレット', exact: true }).waitFor();
  }

  let accepted: string;

  test('offline, a resident checks in by presentation at once; back online, it reaches PASS exactly once', async () => {
    await waitFor(async () => Boolean((await held())?.lists[statusOf(residency).uri]));
    expect((await held())!.maxStatusListAgeSeconds).toBe(MAX_AGE);
    await kiosk.context.setOffline(true);
    const request = await openWallet();
    expect(request.aud).toBe(`pass-kiosk:${kiosk.kioskId}`);
    await page.getByTestId('wallet-asks').filter({ hasText: 'お住まいの市区町村' }).waitFor();
    await shot(page, 'request');
    accepted = await present(residency, holder, { ...request, disclose: ['resident_of'] });
    await hand(accepted);
    await resultSays(page, 'デジタル証明書を確認しました。');
    await page.getByTestId('result-person').filter({ hasText: '通信が戻りしだい送信します' }).waitFor();
    await shot(page, 'accepted-offline');
    expect(await credentialRows()).toEqual([]);

    await kiosk.context.setOffline(false);
    await page.evaluate(() => dispatchEvent(new Event('online')));
    await waitFor(async () => (await credentialRows()).length === 1);
    // Another flush or two come and go (every 5 s): still one.
    await page.waitForTimeout(6000);
    const rows = await credentialRows();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ result: 'accepted', person_id: expect.any(String) });
    await startOver();
  });

  test('offline: a replayed presentation, another nonce, another audience, a tampered disclosure — each refused with its reason', async () => {
    await kiosk.context.setOffline(true);
    const cases: Array<[string, (request: { aud: string; nonce: string }) => Promise<string>]> = [
      ['この提示はすでに使われています。', async () => accepted],
      ['この提示は今回の確認要求に対するものではありません', (request) => present(residency, holder, { aud: request.aud, nonce: freshNonce(), disclose: ['resident_of'] })],
      ['この提示は別の確認先に宛てたものです。', (request) => present(residency, holder, { aud: 'pass-kiosk:another', nonce: request.nonce, disclose: ['resident_of'] })],
      ['提示された情報の一部が証明書と一致しません。', async (request) => tamperedDisclosure(await present(residency, holder, { ...request, disclose: ['resident_of'] }))],
    ];
    for (const [words, make] of cases) {
      const request = await openWallet();
      await hand(await make(request));
      await resultSays(page, words).catch(async (e) => {
        throw new Error(`${words}: the kiosk says ${await page.getByTestId('result-message').textContent()} / ${await page.getByTestId('wallet-status').textContent()} ${kiosk.errors.join(' ')} ${String(e)}`);
      });
      await startOver();
    }
    await shot(page, 'refused');
    await kiosk.context.setOffline(false);
    await page.evaluate(() => dispatchEvent(new Event('online')));
    // The refusals were recorded when the network came back, and staff told.
    await waitFor(async () => (await credentialRows()).filter((r) => r.result === 'rejected').length === 4);
    // The queue sends by id, not in the order they happened.
    expect((await credentialRows()).filter((r) => r.result === 'rejected').map((r) => r.reason).sort()).toEqual(['disclosure_invalid', 'presentation_audience_mismatch', 'presentation_nonce_mismatch', 'presentation_replayed']);
    await waitFor(async () => events.filter((e) => e.kioskId === kiosk.kioskId).length >= 4);
  });

  test("a revoked credential: accepted offline within the facility's maximum age (PASS refuses it at sync), refused once the list is older, and refused by the kiosk once its list is refreshed", async () => {
    await kiosk.context.setOffline(true);
    await pass.provided.proofing!.pki.dev!.revoke('kaga-taro');
    const { uri, idx } = statusOf(residency);
    await waitFor(async () => (await statusBit(pass.issuer, uri, idx)) === 1);

    // Within the maximum age, the kiosk cannot know yet.
    await listsFetchedAgo(MAX_AGE - 120);
    let request = await openWallet();
    await hand(await present(residency, holder, { ...request, disclose: ['resident_of'] }));
    await resultSays(page, 'デジタル証明書を確認しました。');
    await startOver();

    // Past it, the kiosk refuses and tells staff to reconnect it.
    await listsFetchedAgo(MAX_AGE + 60);
    request = await openWallet();
    await hand(await present(residency, holder, { ...request, disclose: ['resident_of'] }));
    await resultSays(page, 'キオスクをネットワークにつないでください');
    await shot(page, 'stale');
    await startOver();

    // Back online: the offline check-in is refused at sync (revoked meanwhile), staff told; the list is refreshed.
    const before = Date.now();
    await kiosk.context.setOffline(false);
    await page.evaluate(() => dispatchEvent(new Event('online')));
    await waitFor(async () => (await credentialRows()).some((r) => r.reason === 'credential_revoked'));
    await waitFor(async () => events.some((e) => e.kioskId === kiosk.kioskId && e.reason === 'credential_revoked'));
    await waitFor(async () => ((await held())?.lists[uri]?.fetchedAt ?? 0) >= before - 5000);
    expect((await credentialRows()).filter((r) => r.result === 'accepted')).toHaveLength(1);

    request = await openWallet();
    await hand(await present(residency, holder, { ...request, disclose: ['resident_of'] }));
    await resultSays(page, 'このデジタル証明書は失効しています。');
    await shot(page, 'revoked');
  });
});

/**
 * Development without a reader (KIOSK_CARD_SIMULATOR): PASS runs the card bridge itself with the
 * card simulator, and a developer checks in by card at the kiosk page with the real APDU sequence —
 * the reader connected through PASS Manager like a real one, a demo resident's development card
 * put on the simulator's reader from the page, the PIN typed on the pad. Taking the card off
 * mid-way ends in card_removed. Runs wherever Chromium does (no PC/SC needed).
 */
import type { Browser } from 'playwright-core';
import { createStorage, freePort, startPass, type TestStorage } from '../helpers/pass.ts';
import { browserAvailable, launch, screenshotter } from '../browser/browser.ts';
import { STAFF, staffWorld, type Pass } from '../manager/helpers.ts';
import { proofedResident, register } from './fixtures.ts';
import { connectCardReader, enterPin, kioskPage, pinPadShown, resultSays, type KioskPage } from './card-page.ts';

const run = browserAvailable() ? describe : describe.skip;
const PARK = 'kaga-niconico-park';

run('card check-in with the development card simulator, in Chromium', () => {
  let storage: TestStorage;
  let pass: Pass;
  let browser: Browser;
  let kiosk: KioskPage;
  let resident: { accountId: string; personId: string };
  let bridgeUrl: string;
  const shot = screenshotter('kiosk-card-simulator');

  beforeAll(async () => {
    storage = await createStorage('embedded');
    bridgeUrl = `http://127.0.0.1:${await freePort()}`;
    pass = await startPass({ ...storage.env, KIOSK_CARD_SIMULATOR: 'true', KIOSK_CARD_BRIDGE_URL: bridgeUrl });
    await staffWorld(pass);
    resident = await proofedResident(pass);
    await register(pass, resident.personId, PARK, ['name', 'age']);
    browser = await launch(['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream']);
    kiosk = await kioskPage(pass, browser, STAFF.niconico.email);
  }, 180_000);

  afterAll(async () => {
    await kiosk?.context.close();
    await browser?.close();
    await pass?.close();
    await storage?.cleanup();
  });

  test('PASS runs the bridge on the configured loopback port; it answers only with its pairing', async () => {
    const status = await fetch(`${bridgeUrl}/status`, { headers: { Origin: new URL(pass.issuer).origin } });
    expect(status.status).toBe(401);
    expect(((await status.json()) as { reason: string }).reason).toBe('not_paired');
    expect((await fetch(`${bridgeUrl}/simulator/put`, { method: 'POST', headers: { Origin: new URL(pass.issuer).origin, 'Content-Type': 'application/json' }, body: '{"id":"kaga-taro"}' })).status).toBe(401);
  });

  test("the demo resident's card, put on the simulator's reader from the page, checks them in", async () => {
    const { page } = kiosk;
    await connectCardReader(pass, kiosk, STAFF.niconico.email);
    await page.getByRole('complementary', { name: '開発用カードシミュレーター' }).waitFor();
    await page.getByLabel('デモ住民のカード').selectOption('kaga-taro');
    await shot(page, 'simulator');
    await page.getByRole('button', { name: 'リーダーに置く' }).click();
    await pinPadShown(page, 3);
    await enterPin(page, '1234');
    await resultSays(page, 'チェックインしました。');
    expect(await page.getByTestId('result-title').textContent()).toBe('太郎 さま');
    await shot(page, 'accepted');
    const [row] = await pass.platform.db('checkins').where({ method: 'card' });
    expect(row).toMatchObject({ result: 'accepted', person_id: resident.personId, kiosk_id: kiosk.kioskId });
  });

  test('the card taken off the reader before the PIN is sent: card_removed, recorded', async () => {
    const { page } = kiosk;
    await page.getByRole('button', { name: 'OK' }).click();
    await page.getByRole('button', { name: 'マイナンバーカード', exact: true }).click();
    await pinPadShown(page, 3); // the card is still on the reader
    await page.getByRole('button', { name: 'リーダーから取る' }).click();
    await enterPin(page, '1234');
    await resultSays(page, 'カードが読み取り機から離れました。もう一度カードを置いてください。');
    const rows = await pass.platform.db('checkins').where({ method: 'card' }).orderBy('recorded_at');
    expect(rows.at(-1)).toMatchObject({ result: 'rejected', reason: 'card_removed' });
    expect(kiosk.errors).toEqual([]);
  });
});

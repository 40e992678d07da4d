/**
 * Card check-in at the kiosk through the real reader stack, in Chromium at 1024×768: the kiosk page
 * runs the card library (served from src/card) against a card bridge started here on loopback →
 * pcsclite → pcscd → vpcd → the APDU simulator holding a demo resident's development card. The
 * bridge is connected with a code from PASS Manager. Each case ends on its screen and its record:
 * a proofed resident checked in; a wrong PIN (tries left shown, never retried by itself); a card
 * locked by wrong PINs, and a locked card placed again (refused before any PIN is asked); a revoked
 * card (PASS refuses it); a card pulled off mid-sequence. Refusals are recorded check-ins with a
 * failure event for staff. No PIN reaches PASS or the bridge's log.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import type { Browser } from 'playwright-core';
import { createStorage, freePort, startPass, type TestStorage } from '../helpers/pass.ts';
import { storageModes } from '../helpers/services.ts';
import { browserAvailable, launch, screenshotter } from '../browser/browser.ts';
import { STAFF, staffWorld, type Pass } from '../manager/helpers.ts';
import { demoCard, failureEvents, proofedResident, register } from './fixtures.ts';
import { connectCardReader, enterPin, kioskPage, pinPadShown, resultSays, type KioskPage } from './card-page.ts';
import { holdSlot, pcscStackAvailable, pullCard, putCard, SECOND_READER } from '../card/pcsc/pcsc-stack.ts';
import { toHex } from '../../src/card/bytes.ts';
import { createBridgeServer } from '../../src/card/bridge/bridge-server.ts';
import { BridgeCardSession } from '../../src/card/bridge/card-session.ts';
import { loadBridgeConfig } from '../../src/card/bridge/config.ts';
import { Pairing } from '../../src/card/bridge/pairing.ts';
import { passAssertionVerifier } from '../../src/card/bridge/pass-verifier.ts';
import { PcscReaders } from '../../src/card/pcsc/pcsc-transport.ts';
import { VPCD_PORT, VpcdSlot } from '../../src/card/simulator/vpcd-card.ts';

const mode = storageModes().at(-1)!;
const available = pcscStackAvailable() && browserAvailable();
const run = available ? describe : describe.skip;
const PARK = 'kaga-niconico-park';

run(`card check-in at the kiosk through pcscd, vpcd and the simulator, in Chromium (${mode})`, () => {
  let storage: TestStorage;
  let pass: Pass;
  let browser: Browser;
  let readers: PcscReaders;
  let bridge: http.Server;
  let kiosk: KioskPage;
  let resident: { accountId: string; personId: string };
  let events: Array<Record<string, string>>;
  let releaseSlot: (() => void) | undefined;
  const slot = new VpcdSlot({ port: VPCD_PORT + 1 });
  const bridgeLog: string[] = [];
  const shot = screenshotter('kiosk-card');

  const rows = async () => (await pass.platform.db('checkins').where({ method: 'card' }).orderBy('recorded_at')) as Array<Record<string, any>>;
  const lastRow = async () => (await rows()).at(-1)!;
  const place = async (cardId: string) => putCard(slot, readers, await demoCard(pass, cardId), SECOND_READER);
  const cardEvents = () => events.filter((e) => e.method === 'card').map((e) => e.reason);
  /** The last resident takes their card; the next one goes from the result screen to the card screen. */
  const startOver = async () => {
    await pullCard(slot, readers, SECOND_READER);
    await kiosk.page.getByRole('button', { name: 'OK' }).click();
    await kiosk.page.getByRole('button', { name: 'マイナンバーカード', exact: true }).click();
    await kiosk.page.getByTestId('card-prompt').filter({ hasText: 'カードをリーダーに置いてください' }).waitFor();
  };

  beforeAll(async () => {
    releaseSlot = await holdSlot(1);
    storage = await createStorage(mode);
    const bridgePort = await freePort();
    pass = await startPass({ ...storage.env, KIOSK_CARD_BRIDGE_URL: `http://127.0.0.1:${bridgePort}` });
    await staffWorld(pass);
    resident = await proofedResident(pass);
    await register(pass, resident.personId, PARK, ['name', 'age']);
    events = await failureEvents(pass);

    // The kiosk machine: its card bridge on loopback, pinned to PASS's origin, on vpcd's second reader.
    const config = loadBridgeConfig({ CARD_BRIDGE_ORIGIN: new URL(pass.issuer).origin, CARD_BRIDGE_PORT: String(bridgePort), CARD_BRIDGE_READER: SECOND_READER, NODE_ENV: 'test' });
    readers = PcscReaders.open();
    await pullCard(slot, readers, SECOND_READER);
    const log = pino({ level: 'debug' }, new Writable({ write: (chunk, _enc, done) => (bridgeLog.push(String(chunk)), done()) }));
    bridge = createBridgeServer({ config, session: new BridgeCardSession(readers, { reader: config.reader }), pairing: new Pairing(passAssertionVerifier(config.origin)), log });
    await new Promise<void>((resolve) => bridge.listen(bridgePort, '127.0.0.1', resolve));
    browser = await launch(['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream']);
    kiosk = await kioskPage(pass, browser, STAFF.niconico.email);
  }, 300_000);

  afterAll(async () => {
    await kiosk?.context.close();
    await browser?.close();
    await slot.remove();
    bridge?.closeAllConnections();
    await new Promise((resolve) => bridge?.close(resolve));
    await readers?.close();
    await pass?.close();
    await storage?.cleanup();
    releaseSlot?.();
  });

  afterEach(() => {
    expect(kiosk.errors).toEqual([]);
  });

  test('staff connect the reader with a code from PASS Manager; the page then asks for the card', async () => {
    await connectCardReader(pass, kiosk, STAFF.niconico.email);
    await shot(kiosk.page, 'place-card');
  });

  test('a proofed resident: tries left read first, then the PIN, and the check-in is theirs', async () => {
    await place('kaga-taro');
    await pinPadShown(kiosk.page, 3);
    await shot(kiosk.page, 'pin-pad');
    await enterPin(kiosk.page, '1234');
    await resultSays(kiosk.page, 'チェックインしました。');
    expect(await kiosk.page.getByTestId('result-title').textContent()).toBe('太郎 さま');
    await shot(kiosk.page, 'accepted');
    expect(await lastRow()).toMatchObject({ result: 'accepted', person_id: resident.personId, kiosk_id: kiosk.kioskId, facility_id: PARK });
  });

  test('a wrong PIN: the tries left are shown, and only the resident tries again', async () => {
    await startOver();
    await place('kaga-sora');
    await pinPadShown(kiosk.page, 3);
    await enterPin(kiosk.page, '0000');
    await resultSays(kiosk.page, '暗証番号が違います。あと 2 回間違えるとロックされます。');
    await shot(kiosk.page, 'wrong-pin');
    expect(await lastRow()).toMatchObject({ result: 'rejected', reason: 'wrong_pin', person_id: null, kiosk_id: kiosk.kioskId });
    expect(cardEvents()).toEqual(['wrong_pin']);
    // Nothing more goes to the card until the resident asks: the counter still says 2.
    await kiosk.page.waitForTimeout(1000);
    expect((await rows()).filter((r) => r.reason === 'wrong_pin')).toHaveLength(1);
    await kiosk.page.getByRole('button', { name: '暗証番号を入れ直す' }).click();
    await pinPadShown(kiosk.page, 2);
  });

  test('the last wrong PIN locks the card; placed again, it is refused before any PIN is asked for', async () => {
    await enterPin(kiosk.page, '0000');
    await resultSays(kiosk.page, 'あと 1 回間違えるとロックされます。');
    await kiosk.page.getByRole('button', { name: '暗証番号を入れ直す' }).click();
    await pinPadShown(kiosk.page, 1);
    await enterPin(kiosk.page, '0000');
    await resultSays(kiosk.page, /暗証番号がロックされています/);
    await shot(kiosk.page, 'locked');
    expect(await lastRow()).toMatchObject({ result: 'rejected', reason: 'pin_locked' });

    await startOver();
    await place('kaga-sora');
    await resultSays(kiosk.page, /暗証番号がロックされています/);
    expect(await kiosk.page.getByRole('button', { name: '暗証番号を入れ直す' }).isVisible()).toBe(false);
    expect((await rows()).filter((r) => r.reason === 'pin_locked')).toHaveLength(2);
    expect(cardEvents()).toEqual(['wrong_pin', 'wrong_pin', 'pin_locked', 'pin_locked']);
  });

  test("a revoked card: the card signs, and PASS refuses it on the development CA's CRL", async () => {
    await startOver();
    await place('kaga-jiro-lost');
    await pinPadShown(kiosk.page, 3);
    await enterPin(kiosk.page, '1234');
    await resultSays(kiosk.page, /失効/);
    await shot(kiosk.page, 'revoked');
    expect(await lastRow()).toMatchObject({ result: 'rejected', reason: 'card_revoked', person_id: null });
    expect(cardEvents().at(-1)).toBe('card_revoked');
  });

  test('a card pulled off the reader mid-sequence: card_removed, recorded', async () => {
    await startOver();
    await place('kaga-hanako');
    await pinPadShown(kiosk.page, 3);
    // select AP, select PIN EF, tries left, VERIFY — then the card is gone at the certificate.
    slot.pullAfter(4);
    await enterPin(kiosk.page, '1234');
    await resultSays(kiosk.page, 'カードが読み取り機から離れました。もう一度カードを置いてください。');
    await shot(kiosk.page, 'card-removed');
    expect(await lastRow()).toMatchObject({ result: 'rejected', reason: 'card_removed' });
    expect(cardEvents().at(-1)).toBe('card_removed');
  });

  test('no PIN went to PASS or into the bridge log', async () => {
    const bodies = kiosk.toPass.map((r) => r.body).join('\n');
    expect(bodies).not.toMatch(/"pin"/i);
    for (const request of kiosk.toPass.filter((r) => r.path === '/api/kiosk/checkins/card')) {
      expect(Object.keys(JSON.parse(request.body)).sort()).toEqual(expect.not.arrayContaining(['pin', 'authPin']));
    }
    const log = bridgeLog.join('');
    expect(log).toMatch(/"header":"00 20 00 80","lc":4/);
    for (const pin of ['1234', '0000']) expect(log.toUpperCase()).not.toContain(toHex(new TextEncoder().encode(pin)));
  });
});

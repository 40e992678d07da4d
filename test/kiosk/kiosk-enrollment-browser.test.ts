/**
 * Kiosk-assisted enrollment in Chromium at 1024×768 (issue 16, "誰一人取り残さない"), through the real
 * reader stack: the kiosk page runs the card library against a card bridge on loopback → pcsclite →
 * pcscd → vpcd → the APDU simulator holding the card of 加賀 太郎's mother, issued by this PASS's
 * development JPKI CA and text-AP issuer with a card photo made from ../shared/faces (obama/1). Her
 * son pre-registered her from the PASS app. At the kiosk, 「マイナンバーカードで登録」, the card, the PIN
 * on the same pad as card check-in, then the question whose household she joins (his name, the
 * relation), then the camera (Chromium's fake camera playing a photo):
 *   - 「いいえ」: nothing sent to be stored, the staff to ask named, still pending;
 *   - another person's face (biden/2): refused `face_not_card_holder`, nothing stored, still pending;
 *   - her own face in another photo (obama/2): proofed as a member of his household, her face
 *     enrolled, her card linked, the pre-registration completed, his household named.
 * No PIN reaches PASS. The expiry after 24 hours and the bad-input cases are test/kiosk/kiosk-enrollment.test.ts's.
 */
import '../face/realm.ts';
import http from 'node:http';
import path from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import type { Browser } from 'playwright-core';
import { createStorage, freePort, startPass, type TestStorage } from '../helpers/pass.ts';
import { storageModes, tempDir } from '../helpers/services.ts';
import { faceEnv } from '../face/platform.ts';
import { browserAvailable, launch, screenshotter } from '../browser/browser.ts';
import { photoToY4m } from '../browser/fake-camera.ts';
import { callApi, STAFF, staffWorld, type Pass } from '../manager/helpers.ts';
import { proofedResident } from './fixtures.ts';
import { apiToken } from './helpers.ts';
import { connectCardReader, enterPin, kioskPage, pinPadShown, resultSays, type KioskPage } from './card-page.ts';
import { FACES, facesAvailable, memberCard, TOME } from './kiosk-enrollment-helpers.ts';
import { holdSlot, pcscStackAvailable, pullCard, putCard, SECOND_READER } from '../card/pcsc/pcsc-stack.ts';
import { toHex } from '../../src/card/bytes.ts';
import type { IssuedSimulatedCard } from '../../src/card/simulator/index.ts';
import { createBridgeServer } from '../../src/card/bridge/bridge-server.ts';
import { BridgeCardSession } from '../../src/card/bridge/card-session.ts';
import { loadBridgeConfig } from '../../src/card/bridge/config.ts';
import { Pairing } from '../../src/card/bridge/pairing.ts';
import { passAssertionVerifier } from '../../src/card/bridge/pass-verifier.ts';
import { PcscReaders } from '../../src/card/pcsc/pcsc-transport.ts';
import { VPCD_PORT, VpcdSlot } from '../../src/card/simulator/vpcd-card.ts';

const mode = storageModes().at(-1)!;
const CARD_READ_MS = 60_000;
const available = facesAvailable() && pcscStackAvailable() && browserAvailable();
const run = available ? describe : describe.skip;

run(`kiosk-assisted enrollment in Chromium through pcscd, vpcd and the simulator (${mode})`, () => {
  let storage: TestStorage;
  let pass: Pass;
  let browser: Browser;
  let readers: PcscReaders;
  let bridge: http.Server;
  let kiosk: KioskPage;
  let card: IssuedSimulatedCard;
  let taroToken: string;
  let camera: string;
  let dir: { path: string; remove(): void };
  let releaseSlot: (() => void) | undefined;
  const slot = new VpcdSlot({ port: VPCD_PORT + 1 });
  const bridgeLog: string[] = [];
  const shot = screenshotter('kiosk-enrollment');

  const count = async (table: string) => Number(((await pass.platform.db(table).count({ n: '*' })) as Array<{ n: string }>)[0]!.n);
  const preregistrations = async () => (await callApi(pass, taroToken, '/api/households/preregistrations')).body.preregistrations as Array<Record<string, any>>;

  /** From the ready screen: 「マイナンバーカードで登録」, her card on the reader, the PIN, whose household she joins. */
  async function askedToConfirm(): Promise<void> {
    const { page } = kiosk;
    await page.getByRole('button', { name: 'マイナンバーカードで登録' }).click();
    await page.getByRole('heading', { name: 'マイナンバーカードで登録' }).first().waitFor();
    await page.getByTestId('card-prompt').filter({ hasText: 'カードをリーダーに置いてください' }).waitFor();
    await putCard(slot, readers, card.card, SECOND_READER);
    await pinPadShown(page, 3);
    await enterPin(page, '1234');
    // Three card reads in one session (the proof, the text AP, a ~30 KB photo: some 150 APDUs), each through
    // pcscd and vpcd, whose every exchange costs tens of milliseconds on a busy machine.
    await page.getByTestId('enroll-confirm-question').filter({ hasText: /./ }).waitFor({ timeout: CARD_READ_MS });
    await page.getByTestId('enroll-confirm-question').filter({ hasText: '加賀　太郎 さまが、あなたを ご家族（親）として PASS に登録しようとしています。よろしいですか？' }).waitFor();
    expect(await page.locator('#enroll-confirm-other').textContent()).toBe('加賀　太郎 asked to register you as their family member (parent) in PASS. Is that right?');
  }

  /** …and 「はい、登録します」: the camera. */
  async function register(): Promise<void> {
    await askedToConfirm();
    await kiosk.page.getByRole('button', { name: 'はい、登録します' }).click();
    await kiosk.page.getByTestId('enroll-face-prompt').filter({ hasText: 'カメラを見てください' }).waitFor();
  }

  beforeAll(async () => {
    releaseSlot = await holdSlot(1);
    storage = await createStorage(mode);
    dir = tempDir('kiosk-enrollment-');
    const bridgePort = await freePort();
    pass = await startPass(faceEnv({ ...storage.env, KIOSK_CARD_BRIDGE_URL: `http://127.0.0.1:${bridgePort}` }));
    await staffWorld(pass);
    await proofedResident(pass);
    taroToken = await apiToken(pass, 'resident@pass.localhost');
    const created = await callApi(pass, taroToken, '/api/households/preregistrations', { relation: 'parent', name: TOME.name, birthdate: TOME.birthdate });
    if (created.status !== 201) throw new Error(`pre-registration: ${created.status} ${created.text}`);
    card = await memberCard(pass, TOME, 'obama/1.jpg');

    const config = loadBridgeConfig({ CARD_BRIDGE_ORIGIN: new URL(pass.issuer).origin, CARD_BRIDGE_PORT: String(bridgePort), CARD_BRIDGE_READER: SECOND_READER, NODE_ENV: 'test' });
    readers = PcscReaders.open();
    await pullCard(slot, readers, SECOND_READER);
    const log = pino({ level: 'debug' }, new Writable({ write: (chunk, _enc, done) => (bridgeLog.push(String(chunk)), done()) }));
    bridge = createBridgeServer({ config, session: new BridgeCardSession(readers, { reader: config.reader }), pairing: new Pairing(passAssertionVerifier(config.origin)), log });
    await new Promise<void>((resolve) => bridge.listen(bridgePort, '127.0.0.1', resolve));

    // The camera first shows a stranger; the file is rewritten, and the page reloaded, for her own face.
    camera = path.join(dir.path, 'camera.y4m');
    browser = await launch(await photoToY4m(path.join(FACES, 'biden/2.jpg'), camera));
    kiosk = await kioskPage(pass, browser, STAFF.niconico.email);
    await connectCardReader(pass, kiosk, STAFF.niconico.email);
    await kiosk.page.getByRole('button', { name: '戻る' }).first().click();
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
    dir?.remove();
    releaseSlot?.();
  });

  afterEach(() => {
    expect(kiosk.errors).toEqual([]);
  });

  test("「いいえ」: she does not know him; nothing is sent to be stored, staff are named, the pre-registration still pending", async () => {
    const before = { persons: await count('persons'), templates: await count('face_templates'), cards: await count('card_links'), audit: await count('audit_log') };
    await askedToConfirm();
    await shot(kiosk.page, 'confirm');
    await kiosk.page.getByRole('button', { name: 'いいえ' }).click();
    await resultSays(kiosk.page, '登録しませんでした。何も保存されていません。この方に心当たりがない場合は、市区町村の職員にお知らせください。');
    expect(kiosk.toPass.filter((r) => r.path === '/api/kiosk/enrollments')).toHaveLength(0);
    expect(kiosk.toPass.filter((r) => r.path === '/api/kiosk/enrollments/preview')).toHaveLength(1);
    expect({ persons: await count('persons'), templates: await count('face_templates'), cards: await count('card_links'), audit: await count('audit_log') }).toEqual(before);
    expect(await preregistrations()).toEqual([expect.objectContaining({ state: 'pending' })]);
    await pullCard(slot, readers, SECOND_READER);
    await kiosk.page.getByRole('button', { name: 'OK' }).click();
  }, 3 * CARD_READ_MS);

  test("another person's face: refused face_not_card_holder, nothing stored, the pre-registration still pending", async () => {
    const before = { persons: await count('persons'), templates: await count('face_templates'), cards: await count('card_links') };
    await register();
    await shot(kiosk.page, 'camera');
    await resultSays(kiosk.page, /カードの写真と顔が一致しません/);
    await shot(kiosk.page, 'not-card-holder');
    expect(await kiosk.page.getByRole('button', { name: 'もう一度 登録する' }).isVisible()).toBe(true);
    expect({ persons: await count('persons'), templates: await count('face_templates'), cards: await count('card_links') }).toEqual(before);
    expect(await preregistrations()).toEqual([expect.objectContaining({ state: 'pending' })]);
    const sent = kiosk.toPass.filter((r) => r.path === '/api/kiosk/enrollments');
    expect(sent).toHaveLength(1);
    expect(Object.keys(JSON.parse(sent[0]!.body)).sort()).toEqual(['authentication', 'challengeId', 'confirmation', 'live', 'surface', 'textAp']);
  }, 3 * CARD_READ_MS);

  test('her own face: proofed and enrolled as a member of the household, her card linked', async () => {
    await pullCard(slot, readers, SECOND_READER);
    await photoToY4m(path.join(FACES, 'obama/2.jpg'), camera);
    await kiosk.page.reload();
    await register();
    await resultSays(kiosk.page, '加賀　太郎 さまのご家族として登録しました。ご家族の PASS アプリにも表示されます。');
    expect(await kiosk.page.getByTestId('result-title').textContent()).toBe('トメ さま');
    await shot(kiosk.page, 'enrolled');

    const household = await callApi(pass, taroToken, '/api/households/me');
    const mother = (household.body.members as Array<Record<string, any>>).find((m) => m.relation === 'parent');
    expect(mother).toMatchObject({ name: TOME.name, birthdate: TOME.birthdate, face_enrolled: true, assurance: 'low' });
    expect(await pass.platform.db('face_templates').where({ person_id: mother!.person_id }).first()).toBeDefined();
    expect(await pass.platform.db('card_links').where({ person_id: mother!.person_id, linked_via: 'text_ap' }).whereNull('replaced_at').first()).toBeDefined();
    expect(await preregistrations()).toEqual([expect.objectContaining({ state: 'completed', person_id: mother!.person_id })]);
  }, 3 * CARD_READ_MS);

  test('no PIN went to PASS or into the bridge log', async () => {
    expect(kiosk.toPass.map((r) => r.body).join('\n')).not.toMatch(/"pin"/i);
    const log = bridgeLog.join('');
    expect(log).toMatch(/"header":"00 20 00 80","lc":4/);
    expect(log.toUpperCase()).not.toContain(toHex(new TextEncoder().encode('1234')));
  });
});

// The card bridge over the real PC/SC stack: the kiosk page's transport (as Node's fetch with the
// PASS origin) → the bridge's HTTP API → pcsclite → pcscd → vpcd → the APDU simulator as the card.
// Certificates and signatures are checked with node:crypto and PASS's own JPKI verifier.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { createPublicKey, verify, X509Certificate } from 'node:crypto';
import { pino } from 'pino';
import { ApduChannel, describeCardError, isCardError, readAuthenticationProof } from '../../../src/card/index.ts';
import { toHex } from '../../../src/card/bytes.ts';
import { createBridgeServer } from '../../../src/card/bridge/bridge-server.ts';
import { BridgeTransport, pairWithBridge, requestPairingNonce } from '../../../src/card/bridge/bridge-transport.ts';
import { BridgeCardSession } from '../../../src/card/bridge/card-session.ts';
import { loadBridgeConfig } from '../../../src/card/bridge/config.ts';
import { Pairing } from '../../../src/card/bridge/pairing.ts';
import { PcscReaders } from '../../../src/card/pcsc/pcsc-transport.ts';
import { AUTHENTICATION_PIN_TRIES } from '../../../src/card/simulator/index.ts';
import { VpcdSlot } from '../../../src/card/simulator/vpcd-card.ts';
import { challenge, createPki, issueCard, reasonOf, type Pki } from '../card-fixtures.ts';
import { holdSlot, pcscStackAvailable, pullCard, putCard, readerState, VIRTUAL_READER } from './pcsc-stack.ts';
import { testPassSigner, type TestPassSigner } from './pass-signer.ts';

const ORIGIN = 'https://pass.example.jp';
const reasonIn = async (answer: Response) => ((await answer.json()) as { reason?: string }).reason;
const available = pcscStackAvailable();
const describeStack = available ? describe : describe.skip;

describeStack('the card bridge through pcscd, vpcd and the simulator', () => {
  let pki: Pki;
  let readers: PcscReaders;
  let slot: VpcdSlot;
  let server: http.Server;
  let base: string;
  let pass: TestPassSigner;
  let token: string;
  const logLines: string[] = [];

  /** Node's fetch as the kiosk page's browser: it sends the page's Origin. */
  const fromPage =
    (origin = ORIGIN): typeof fetch =>
    (input, init) =>
      fetch(input, { ...init, headers: { ...(init?.headers as Record<string, string>), Origin: origin } });
  const transport = () => new BridgeTransport({ baseUrl: base, token, fetch: fromPage() });
  const channel = () => new ApduChannel(transport(), { timeoutMs: 5000 });
  const call = (path: string, init: RequestInit & { origin?: string } = {}) =>
    fetch(`${base}${path}`, { ...init, headers: { ...(init.origin === undefined ? { Origin: ORIGIN } : init.origin ? { Origin: init.origin } : {}), ...(init.headers as Record<string, string>) } });
  const authorised = { Authorization: '' };

  let releaseSlot: (() => void) | undefined;

  beforeAll(async () => {
    releaseSlot = await holdSlot(0);
    pki = createPki();
    readers = PcscReaders.open();
    slot = new VpcdSlot();
    await readerState(readers, false).catch(async () => pullCard(slot, readers));
    const config = loadBridgeConfig({ CARD_BRIDGE_ORIGIN: ORIGIN, CARD_BRIDGE_PORT: '0', CARD_BRIDGE_READER: VIRTUAL_READER, NODE_ENV: 'test' });
    pass = await testPassSigner(ORIGIN);
    const pairing = new Pairing(pass.verifier);
    const log = pino({ level: 'debug' }, new Writable({ write: (chunk, _enc, done) => (logLines.push(String(chunk)), done()) }));
    server = createBridgeServer({ config, session: new BridgeCardSession(readers, { reader: config.reader }), pairing, log });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }, 300_000); // a slot another test file holds is waited for

  afterAll(async () => {
    await slot?.remove();
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
    await readers?.close();
    releaseSlot?.();
  });

  test("pairing: PASS's signed answer for the bridge's nonce gives the token once, a forged one nothing, and nothing else gets in unpaired", async () => {
    const forged = await pass.sign('kiosk-entrance', await requestPairingNonce(base, fromPage()), { aud: 'someone-else' });
    const refused = await call('/pair', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ assertion: forged }) });
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({ reason: 'pairing_refused', message: { ja: 'PASS の承認を確認できなかったため、カードリーダーと接続できませんでした。' } });
    const assertion = await pass.sign('kiosk-entrance', await requestPairingNonce(base, fromPage()));
    token = await pairWithBridge(base, assertion, fromPage());
    authorised.Authorization = `Bearer ${token}`;
    expect(await reasonOf(pairWithBridge(base, assertion, fromPage()))).toBe('pairing_expired');

    for (const headers of [{}, { Authorization: 'Bearer ' + 'A'.repeat(43) }, { Authorization: token }]) {
      const status = await call('/status', { headers });
      expect(status.status).toBe(401);
      expect(await reasonIn(status)).toBe('not_paired');
      const apdu = await call('/apdu', { method: 'POST', headers: { ...headers, 'Content-Type': 'application/json' }, body: JSON.stringify({ apdu: '00A4040C0AD392F000260100000001' }) });
      expect(apdu.status).toBe(401);
    }
    expect((await call('/status', { headers: authorised })).status).toBe(200);
  });

  test('another origin, no origin, or another host name is refused without a CORS grant; the PASS origin is granted', async () => {
    for (const origin of ['https://evil.example', 'https://pass.example.jp.evil.example', 'http://pass.example.jp', '']) {
      const answer = await call('/status', { origin, headers: authorised });
      expect(answer.status).toBe(403);
      expect(answer.headers.get('access-control-allow-origin')).toBeNull();
      expect(await reasonIn(answer)).toBe('origin_not_allowed');
      const preflight = await call('/apdu', { method: 'OPTIONS', origin, headers: { 'Access-Control-Request-Method': 'POST' } });
      expect(preflight.status).toBe(403);
      expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
    }
    const preflight = await call('/apdu', { method: 'OPTIONS', headers: { 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'authorization,content-type', 'Access-Control-Request-Private-Network': 'true' } });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    expect(preflight.headers.get('access-control-allow-headers')).toMatch(/Authorization/);
    expect(preflight.headers.get('access-control-allow-private-network')).toBe('true');
    // DNS rebinding: a page of another site that resolves its own name to 127.0.0.1 sends its own Host.
    const rebound = await new Promise<http.IncomingMessage>((resolve, reject) => {
      const port = (server.address() as AddressInfo).port;
      http.get({ host: '127.0.0.1', port, path: '/status', headers: { Host: `evil.example:${port}`, Origin: ORIGIN, ...authorised } }, resolve).on('error', reject);
    });
    expect(rebound.statusCode).toBe(403);
    expect(rebound.headers['access-control-allow-origin']).toBeUndefined();
    rebound.resume();
  });

  test('no card on the reader: the status says so and an APDU is refused with 409 no_card', async () => {
    await pullCard(slot, readers);
    expect(await transport().status()).toEqual({ reader: VIRTUAL_READER, card_present: false });
    const answer = await call('/apdu', { method: 'POST', headers: { ...authorised, 'Content-Type': 'application/json' }, body: JSON.stringify({ apdu: '00A4040C0AD392F000260100000001' }) });
    expect(answer.status).toBe(409);
    expect(await answer.json()).toMatchObject({ reason: 'no_card', message: { ja: 'カードが置かれていません。カードを読み取り機に置いてください。' } });
  });

  test('a card check-in: the user-authentication certificate is read and the challenge signed with the PIN; the log has no PIN and no card data', async () => {
    const issued = await issueCard(pki);
    await putCard(slot, readers, issued.card);
    expect(await transport().status()).toEqual({ reader: VIRTUAL_READER, card_present: true });
    logLines.length = 0;
    const bytes = challenge('PASS-JPKI-CHALLENGE/1\npurpose=card_checkin\nnonce=bridge');
    const proof = await readAuthenticationProof(channel(), { pin: issued.authenticationPin, challenge: bytes });

    expect(proof.certificate).toEqual(issued.authenticationCertificate);
    const publicKey = createPublicKey(new X509Certificate(proof.certificate).publicKey.export({ type: 'spki', format: 'pem' }));
    expect(verify('sha256', bytes, publicKey, proof.signature)).toBe(true);
    expect(verify('sha256', challenge('another challenge'), publicKey, proof.signature)).toBe(false);
    const verified = await pki.verifier.verifyAuthenticationProof({ ...proof, challenge: bytes });
    expect(verified.type).toBe('user_authentication');

    const log = logLines.join('');
    const pinHex = toHex(new TextEncoder().encode(issued.authenticationPin));
    expect(log).toMatch(/"header":"00 20 00 80","lc":4/); // the VERIFY is logged, as a header and a length
    expect(log).not.toContain(pinHex);
    expect(log.toUpperCase()).not.toContain(pinHex);
    expect(log).not.toContain(toHex(proof.certificate.subarray(0, 32)));
    expect(log).not.toContain(toHex(proof.signature.subarray(0, 16)));
    expect(log).toContain('D392F000260100000001'); // SELECT's data (the JPKI-AP's AID) is kept
  });

  test('a batch carries several commands in one request, in order', async () => {
    const issued = await issueCard(pki);
    await putCard(slot, readers, issued.card);
    const responses = await transport().transmitBatch([
      Uint8Array.of(0x00, 0xa4, 0x04, 0x0c, 0x0a, 0xd3, 0x92, 0xf0, 0x00, 0x26, 0x01, 0x00, 0x00, 0x00, 0x01),
      Uint8Array.of(0x00, 0xa4, 0x02, 0x0c, 0x02, 0x00, 0x18),
      Uint8Array.of(0x00, 0x20, 0x00, 0x80),
    ]);
    expect(responses.map(toHex)).toEqual(['9000', '9000', `63C${AUTHENTICATION_PIN_TRIES}`]);
  });

  test('a wrong PIN shows the tries left; after the last one the card is locked and the right PIN is no longer sent', async () => {
    const issued = await issueCard(pki);
    await putCard(slot, readers, issued.card);
    const bytes = challenge();
    let error: unknown;
    for (let left = AUTHENTICATION_PIN_TRIES - 1; left >= 1; left--) {
      error = await readAuthenticationProof(channel(), { pin: '0000', challenge: bytes }).catch((e: unknown) => e);
      expect(isCardError(error, 'wrong_pin')).toBe(true);
      expect((error as { triesLeft?: number }).triesLeft).toBe(left);
    }
    expect(describeCardError(error as never, 'ja')).toBe('暗証番号が違います。あと 1 回間違えるとロックされます。');
    expect(await reasonOf(readAuthenticationProof(channel(), { pin: '0000', challenge: bytes }))).toBe('pin_locked');
    expect(await reasonOf(readAuthenticationProof(channel(), { pin: issued.authenticationPin, challenge: bytes }))).toBe('pin_locked');
    expect(issued.card.triesLeft('jpki', 0x0018)).toBe(0);
  });

  test('a card pulled off the reader mid-sequence ends in card_removed; put back, it starts a fresh session', async () => {
    const issued = await issueCard(pki);
    await putCard(slot, readers, issued.card);
    slot.pullAfter(4); // select AP, select PIN EF, tries left, VERIFY — then gone at the certificate
    expect(await reasonOf(readAuthenticationProof(channel(), { pin: issued.authenticationPin, challenge: challenge() }))).toBe('card_removed');
    await readerState(readers, false);
    expect((await transport().status()).card_present).toBe(false);

    await slot.insert(issued.card);
    await readerState(readers, true);
    const proof = await readAuthenticationProof(channel(), { pin: issued.authenticationPin, challenge: challenge() });
    expect(proof.certificate).toEqual(issued.authenticationCertificate);
  });

  test('release resets the card: a PIN verified before it no longer opens the key', async () => {
    const issued = await issueCard(pki);
    await putCard(slot, readers, issued.card);
    const t = transport();
    const sign = Uint8Array.of(0x80, 0x2a, 0x00, 0x80, 0x33, ...new Uint8Array(51), 0x00);
    const selectJpki = Uint8Array.of(0x00, 0xa4, 0x04, 0x0c, 0x0a, 0xd3, 0x92, 0xf0, 0x00, 0x26, 0x01, 0x00, 0x00, 0x00, 0x01);
    const pinEf = Uint8Array.of(0x00, 0xa4, 0x02, 0x0c, 0x02, 0x00, 0x18);
    const keyEf = Uint8Array.of(0x00, 0xa4, 0x02, 0x0c, 0x02, 0x00, 0x17);
    const verifyPin = Uint8Array.of(0x00, 0x20, 0x00, 0x80, 0x04, ...new TextEncoder().encode(issued.authenticationPin));
    const before = await t.transmitBatch([selectJpki, pinEf, verifyPin, keyEf]);
    expect(before.map(toHex)).toEqual(['9000', '9000', '9000', '9000']);
    // Across requests the session holds: the key opened above signs in the next one.
    const signed = await t.transmitBatch([keyEf, sign]);
    expect(toHex(signed[0]!)).toBe('9000');
    expect(signed[1]!.length).toBe(258);
    await t.release();
    // The next request opens a new connection to a card that was reset: nothing selected, no PIN verified.
    const after = await t.transmitBatch([keyEf, sign]);
    expect(after.map(toHex)).toEqual(['6986', '6A88']);
  });

  test('the transport connects with the protocol the card offers: T=1 or T=0', async () => {
    const selectJpki = Uint8Array.of(0x00, 0xa4, 0x04, 0x0c, 0x0a, 0xd3, 0x92, 0xf0, 0x00, 0x26, 0x01, 0x00, 0x00, 0x00, 0x01);
    const issued = await issueCard(pki);
    await putCard(slot, readers, issued.card); // its ATR offers T=1 only
    const refused = await readers.connect(VIRTUAL_READER, { protocol: 'T=0' }).catch((e: unknown) => e);
    expect(isCardError(refused, 'transport_error')).toBe(true);
    const t1 = await readers.connect(VIRTUAL_READER, { protocol: 'T=1' });
    expect(t1.protocol).toBe('T=1');
    expect(toHex(await t1.transmit(selectJpki))).toBe('9000');
    await t1.disconnect();

    await pullCard(slot, readers);
    const t0Slot = new VpcdSlot({ atr: Uint8Array.of(0x3b, 0x00) }); // TS, T0: no interface bytes, so T=0
    try {
      await t0Slot.insert(issued.card);
      await readerState(readers, true);
      const t0 = await readers.connect(VIRTUAL_READER);
      expect(t0.protocol).toBe('T=0');
      expect(toHex(await t0.transmit(selectJpki))).toBe('9000');
      await t0.disconnect();
    } finally {
      await t0Slot.remove();
    }
    await readerState(readers, false);
  });

  test('requests in the wrong form are refused before anything reaches the card', async () => {
    const post = (body: string, type = 'application/json') => call('/apdu', { method: 'POST', headers: { ...authorised, 'Content-Type': type }, body });
    const cases: Array<[string, string, number, string]> = [
      ['not hex', JSON.stringify({ apdu: '00A4ZZ' }), 400, 'invalid_request'],
      ['lengths that do not add up', JSON.stringify({ apdu: '00A4040C0AD392' }), 400, 'invalid_request'],
      ['too many commands', JSON.stringify({ apdus: Array(33).fill('00A4040C0AD392F000260100000001') }), 400, 'invalid_request'],
      ['unknown fields', JSON.stringify({ apdu: '00B0000008', extra: 1 }), 400, 'invalid_request'],
      ['not JSON', '{', 400, 'invalid_request'],
      ['a body over 16 KiB', JSON.stringify({ apdus: ['00'.repeat(9000)] }), 413, 'body_too_large'],
    ];
    for (const [name, body, status, reason] of cases) {
      const answer = await post(body);
      expect([name, answer.status, await reasonIn(answer)]).toEqual([name, status, reason]);
    }
    expect((await post('{}', 'text/plain')).status).toBe(415);
    expect((await call('/apdu', { headers: authorised })).status).toBe(405);
    expect((await call('/nothing', { headers: authorised })).status).toBe(404);
  });
});

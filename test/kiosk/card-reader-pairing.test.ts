/**
 * Connecting a kiosk's card reader (docs/card.md, "Pairing"): staff of the kiosk's facility get a
 * one-time code in PASS Manager (API and console; audited); the kiosk's own page spends it with
 * its bridge's nonce for PASS's signed answer, which a real bridge checks against PASS's JWKS (found
 * by discovery at the pinned origin) before giving the page its token. Another kiosk, a wrong or
 * spent code, a replayed or forged answer: each refused, nothing paired.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeProtectedHeader, decodeJwt, exportJWK, generateKeyPair, SignJWT } from 'jose';
import { pino } from 'pino';
import { createStorage, startPass, type TestStorage } from '../helpers/pass.ts';
import { csrfOf, request } from '../helpers/browserless.ts';
import { callApi, managerSession, managerToken, STAFF, staffWorld, storageEnds, type Pass } from '../manager/helpers.ts';
import { provisionKiosk, type TestKiosk } from './helpers.ts';
import { createBridgeServer } from '../../src/card/bridge/bridge-server.ts';
import { pairWithBridge, requestPairingNonce } from '../../src/card/bridge/bridge-transport.ts';
import { loadBridgeConfig } from '../../src/card/bridge/config.ts';
import { Pairing } from '../../src/card/bridge/pairing.ts';
import { passAssertionVerifier } from '../../src/card/bridge/pass-verifier.ts';
import { SimulatorReader } from '../../src/card/simulator/simulator-reader.ts';
import { CardReaderPairing, MAX_WRONG_READER_CODES, READER_CODE_SECONDS } from '../../src/kiosk/card-reader-pairing.ts';
import type { TransientStore } from '../../src/identity/proofing/transient-store.ts';

const NICONICO = 'kaga-niconico-park';
const reasonOf = (p: Promise<unknown>) => p.then(() => 'ok', (e: { reason?: string }) => e.reason ?? String(e));

describe.each(storageEnds())("connecting a kiosk's card reader (%s)", (mode) => {
  let storage: TestStorage;
  let pass: Pass;
  let park: TestKiosk;
  let sakai: TestKiosk;
  let tokens: { niconico: string; sakai: string };
  let bridge: http.Server;
  let base: string;

  /** Node's fetch as the kiosk page: it sends PASS's origin. */
  const fromPage: typeof fetch = (input, init) => fetch(input, { ...init, headers: { ...(init?.headers as Record<string, string>), Origin: new URL(pass.issuer).origin } });
  const codeFor = async (kiosk: TestKiosk, who: keyof typeof tokens = 'niconico') => callApi(pass, tokens[who], `/api/manager/admin/kiosks/${kiosk.id}/card-reader-code`, undefined, 'POST');
  const spend = (kiosk: TestKiosk, code: string, nonce: string) => kiosk.call('POST', '/api/kiosk/card-reader/pairing', { json: { code, nonce } });
  const wrongOf = (code: string) => `${code.slice(0, 7)}${(Number(code[7]) + 1) % 10}`;

  beforeAll(async () => {
    storage = await createStorage(mode);
    pass = await startPass(storage.env);
    await staffWorld(pass);
    [park, sakai] = [await provisionKiosk(pass, STAFF.niconico.email), await provisionKiosk(pass, STAFF.sakai.email)];
    tokens = { niconico: await managerToken(pass, STAFF.niconico.email), sakai: await managerToken(pass, STAFF.sakai.email) };
    // A kiosk machine's bridge, pinned to this PASS and checking its answers the way `npm run card-bridge` does.
    const config = loadBridgeConfig({ CARD_BRIDGE_ORIGIN: new URL(pass.issuer).origin, CARD_BRIDGE_PORT: '0', NODE_ENV: 'test' });
    bridge = createBridgeServer({ config, session: new SimulatorReader(), pairing: new Pairing(passAssertionVerifier(config.origin)), log: pino({ level: 'silent' }) });
    await new Promise<void>((resolve) => bridge.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(bridge.address() as AddressInfo).port}`;
  }, 120_000);

  afterAll(async () => {
    bridge?.closeAllConnections();
    await new Promise((resolve) => bridge?.close(resolve));
    await pass?.close();
    await storage?.cleanup();
  });

  test("staff of the kiosk's facility get a code for it, audited; staff of another facility get nothing", async () => {
    const foreign = await codeFor(park, 'sakai');
    expect(foreign).toMatchObject({ status: 403, body: { reason: 'facility_not_permitted' } });
    expect(foreign.text).not.toMatch(/"code"/);
    expect((await callApi(pass, tokens.niconico, '/api/manager/admin/kiosks/kiosk-nosuch/card-reader-code', undefined, 'POST')).status).toBe(404);

    const issued = await codeFor(park);
    expect(issued.status).toBe(201);
    expect(issued.body).toMatchObject({ code: expect.stringMatching(/^\d{8}$/), kiosk: { id: park.id, facilityId: NICONICO } });
    const lifetime = new Date(issued.body.expiresAt).getTime() - Date.now();
    expect(lifetime).toBeGreaterThan((READER_CODE_SECONDS - 30) * 1000);
    expect(lifetime).toBeLessThanOrEqual(READER_CODE_SECONDS * 1000);
    const audited = await pass.platform.db('audit_log').where({ action: 'manager.kiosk_card_reader_code', facility_id: NICONICO });
    expect(audited.map((row: { details: unknown }) => (typeof row.details === 'string' ? JSON.parse(row.details) : row.details))).toContainEqual({ kioskId: park.id });
    // Only its HMAC is kept, nowhere the code itself.
    const stored = JSON.stringify(await pass.platform.db('jpki_transients').select('value').catch(() => []));
    expect(stored).not.toContain(issued.body.code);
  });

  test("the kiosk's page spends the code for PASS's signed answer; the bridge then admits that page alone", async () => {
    const { code } = (await codeFor(park)).body as { code: string };
    await codeFor(sakai, 'sakai');
    // The other kiosk typing this kiosk's code: it is not its code.
    const other = await spend(sakai, code, await requestPairingNonce(base, fromPage));
    expect(other).toMatchObject({ status: 403, body: { reason: 'reader_code_wrong', details: { attempts_left: MAX_WRONG_READER_CODES - 1 } } });
    expect(other.body.message.ja).toContain('接続コードが違います');
    const wrong = await spend(park, wrongOf(code), await requestPairingNonce(base, fromPage));
    expect(wrong).toMatchObject({ status: 403, body: { reason: 'reader_code_wrong', details: { attempts_left: MAX_WRONG_READER_CODES - 1 } } });

    const nonce = await requestPairingNonce(base, fromPage);
    const answer = await spend(park, `${code.slice(0, 4)} ${code.slice(4)}`, nonce);
    expect(answer.status).toBe(201);
    expect(decodeProtectedHeader(answer.body.assertion)).toMatchObject({ alg: 'ES256', typ: 'pass-card-bridge+jwt' });
    expect(decodeJwt(answer.body.assertion)).toMatchObject({ iss: pass.issuer, aud: 'pass-card-bridge', sub: park.id, nonce });
    expect((await spend(park, code, nonce)).body.reason).toBe('reader_code_expired');
    expect(await pass.platform.db('audit_log').where({ action: 'kiosk.card_reader_paired', facility_id: NICONICO })).toHaveLength(1);

    // The bridge checks it against PASS's JWKS and gives the token; the same answer twice pairs nothing more.
    const token = await pairWithBridge(base, answer.body.assertion, fromPage);
    const status = await fromPage(`${base}/status`, { headers: { Authorization: `Bearer ${token}` } });
    expect(status.status).toBe(200);
    expect(await reasonOf(pairWithBridge(base, answer.body.assertion, fromPage))).toBe('pairing_expired');
    // An answer PASS did not sign: a key of its own, PASS's claims.
    const { privateKey, publicKey } = await generateKeyPair('ES256');
    const forged = await new SignJWT({ nonce: await requestPairingNonce(base, fromPage) })
      .setProtectedHeader({ alg: 'ES256', kid: (await exportJWK(publicKey)).x!, typ: 'pass-card-bridge+jwt' })
      .setIssuer(pass.issuer)
      .setAudience('pass-card-bridge')
      .setSubject(park.id)
      .setIssuedAt()
      .setExpirationTime('2m')
      .sign(privateKey);
    expect(await reasonOf(pairWithBridge(base, forged, fromPage))).toBe('pairing_refused');
    expect((await fromPage(`${base}/status`, { headers: { Authorization: `Bearer ${token}` } })).status).toBe(200);
  });

  test(`${MAX_WRONG_READER_CODES} wrong codes void it; a new code replaces the last`, async () => {
    const first = (await codeFor(park)).body.code as string;
    const second = (await codeFor(park)).body.code as string;
    if (first !== second) expect((await spend(park, first, await requestPairingNonce(base, fromPage))).body.reason).toBe('reader_code_wrong');
    expect((await spend(park, second, await requestPairingNonce(base, fromPage))).status).toBe(201);

    const code = (await codeFor(park)).body.code as string;
    for (let left = MAX_WRONG_READER_CODES - 1; left >= 1; left--) {
      expect((await spend(park, wrongOf(code), 'A'.repeat(43))).body).toMatchObject({ reason: 'reader_code_wrong', details: { attempts_left: left } });
    }
    expect((await spend(park, wrongOf(code), 'A'.repeat(43))).body.reason).toBe('reader_code_expired');
    expect((await spend(park, code, 'A'.repeat(43))).body.reason).toBe('reader_code_expired');
  });

  test('a code is void after its ten minutes', async () => {
    const values = new Map<string, string>();
    const store: TransientStore = {
      put: async (key, value) => void values.set(key, value),
      take: async (key) => {
        const value = values.get(key);
        values.delete(key);
        return value;
      },
      peek: async (key) => values.get(key),
      claim: async (key) => !values.has(key) && Boolean(values.set(key, '1')),
    };
    let now = Date.now();
    const pairing = new CardReaderPairing({ db: pass.platform.db, store, keys: pass.platform.keys, issuer: pass.issuer, secret: 'a test secret of enough length', now: () => new Date(now) });
    const kiosk = { id: park.id, facilityId: NICONICO, name: 'PASS Face' };
    const { code } = await pairing.issue(kiosk, (await pass.platform.accounts.findByEmail(STAFF.niconico.email))!.id);
    now += READER_CODE_SECONDS * 1000 + 1;
    expect(await reasonOf(pairing.pair(kiosk, code, 'A'.repeat(43)))).toBe('reader_code_expired');
  });

  test("PASS Manager: 「カードリーダーを接続」 on the kiosk's row shows the code for that kiosk", async () => {
    const { jar } = await managerSession(pass.issuer, STAFF.niconico.email);
    const list = await (await request(jar, `${pass.issuer}/manager/kiosks/?facility=${NICONICO}`)).text();
    expect(list).toContain(`action="/manager/kiosks/${park.id}/card-reader"`);
    expect(list).toContain('カードリーダーを接続');
    const shown = await request(jar, `${pass.issuer}/manager/kiosks/${park.id}/card-reader`, { method: 'POST', body: new URLSearchParams({ csrf: csrfOf(list), facility: NICONICO }) });
    expect(shown.status).toBe(200);
    const page = await shown.text();
    const code = /data-testid="reader-code">(\d{4}) (\d{4})</.exec(page);
    expect(code).not.toBeNull();
    expect(page).toContain('カードリーダーの接続');
    // The code shown is this kiosk's: its page spends it.
    expect((await spend(park, `${code![1]}${code![2]}`, await requestPairingNonce(base, fromPage))).status).toBe(201);
    // No code without the form's CSRF token.
    expect((await request(jar, `${pass.issuer}/manager/kiosks/${park.id}/card-reader`, { method: 'POST', body: new URLSearchParams({ facility: NICONICO }) })).status).toBe(403);
  });
});

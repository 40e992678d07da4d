// The card bridge's parts that need no reader: its settings (validated at start, ja/en), pairing
// (a nonce, PASS's signed answer, a token), the log view of APDUs, and how pcsclite's failures are
// read. These run everywhere; bridge.test.ts needs the PC/SC stack.
import { generateKeyPair } from 'jose';
import { commandForLog, responseForLog } from '../../../src/card/bridge/apdu-log.ts';
import { DEFAULT_BRIDGE_PORT, loadBridgeConfig } from '../../../src/card/bridge/config.ts';
import { MAX_OPEN_NONCES, NONCE_TTL_MS, Pairing } from '../../../src/card/bridge/pairing.ts';
import { testPassSigner } from './pass-signer.ts';
import { fromHex } from '../../../src/card/bytes.ts';
import { classifyScardFailure } from '../../../src/card/pcsc/scard-codes.ts';
import { ConfigurationError } from '../../../src/core/errors.ts';

const problemsOf = (env: Record<string, string>): string[] => {
  try {
    loadBridgeConfig(env);
    return [];
  } catch (error) {
    if (error instanceof ConfigurationError) return error.problems;
    throw error;
  }
};

describe('card bridge settings', () => {
  test('an https origin is taken as its origin; the defaults are loopback and port 47213', () => {
    const config = loadBridgeConfig({ CARD_BRIDGE_ORIGIN: 'https://Pass.Example.jp:8443/', NODE_ENV: 'production' });
    expect(config).toMatchObject({ origin: 'https://pass.example.jp:8443', host: '127.0.0.1', port: DEFAULT_BRIDGE_PORT, reader: undefined });
    expect(loadBridgeConfig({ CARD_BRIDGE_ORIGIN: 'http://localhost:3000' }).origin).toBe('http://localhost:3000');
  });

  test.each([
    ['no origin', {}, /CARD_BRIDGE_ORIGIN: PASS のオリジン.* \/ set the PASS origin/],
    ['not a URL', { CARD_BRIDGE_ORIGIN: 'pass.example.jp' }, /URL として読み取れません \/ is not a URL/],
    ['plain http to another host', { CARD_BRIDGE_ORIGIN: 'http://pass.example.jp' }, /https:\/\/ .* \/ must be https:\/\//],
    ['http://localhost in production', { CARD_BRIDGE_ORIGIN: 'http://localhost:3000', NODE_ENV: 'production' }, /本番では .* \/ must be https:\/\/ in production/],
    ['a path', { CARD_BRIDGE_ORIGIN: 'https://pass.example.jp/kiosk' }, /must be an origin only/],
    ['credentials', { CARD_BRIDGE_ORIGIN: 'https://a:b@pass.example.jp' }, /must be an origin only/],
    ['another scheme', { CARD_BRIDGE_ORIGIN: 'file:///tmp/x' }, /must be https:\/\//],
    ['a port out of range', { CARD_BRIDGE_ORIGIN: 'https://pass.example.jp', CARD_BRIDGE_PORT: '70000' }, /CARD_BRIDGE_PORT: ポート番号は 0～65535 にしてください \/ must be 0 to 65535/],
    ['an unknown log level', { CARD_BRIDGE_ORIGIN: 'https://pass.example.jp', LOG_LEVEL: 'loud' }, /LOG_LEVEL: /],
  ])('%s is refused at start, in Japanese and English', (_name, env, expected) => {
    const problems = problemsOf(env);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(expected);
  });
});

describe('pairing', () => {
  const ISSUER = 'https://pass.example.jp';
  const reasonOf = (p: Promise<unknown>) => p.then(() => 'ok', (e: { reason?: string }) => e.reason ?? String(e));

  test("PASS's signed answer echoing a nonce gives a token once; the token is admitted only as a Bearer value", async () => {
    const pass = await testPassSigner(ISSUER);
    const pairing = new Pairing(pass.verifier);
    expect(pairing.paired).toBe(false);
    const { nonce } = pairing.nonce();
    expect(nonce).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const assertion = await pass.sign('kiosk-entrance', nonce);
    const { token, kioskId, kioskName } = await pairing.pair(assertion);
    expect({ kioskId, kioskName }).toEqual({ kioskId: 'kiosk-entrance', kioskName: '入口' });
    expect(pairing.kiosk).toEqual({ id: 'kiosk-entrance', name: '入口' });
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(pairing.admits(`Bearer ${token}`)).toBe(true);
    expect(pairing.admits(token)).toBe(false);
    expect(pairing.admits(`Bearer ${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`)).toBe(false);
    // The same answer again: its nonce is spent.
    expect(await reasonOf(pairing.pair(assertion))).toBe('pairing_expired');
    // A new pairing (staff connect the reader again) replaces the token.
    const again = await pairing.pair(await pass.sign('kiosk-entrance', pairing.nonce().nonce));
    expect(pairing.admits(`Bearer ${again.token}`)).toBe(true);
    expect(pairing.admits(`Bearer ${token}`)).toBe(false);
  });

  test('an answer PASS did not sign, or signed for something else, is refused and pairs nothing', async () => {
    const pass = await testPassSigner(ISSUER);
    const pairing = new Pairing(pass.verifier);
    const other = await generateKeyPair('ES256');
    const now = Math.floor(Date.now() / 1000);
    const nonce = () => pairing.nonce().nonce;
    const cases: Array<[string, Promise<string>, string]> = [
      ['another key', pass.sign('kiosk-a', nonce(), { key: other.privateKey }), 'pairing_refused'],
      ['another type (a QR check-in token)', pass.sign('kiosk-a', nonce(), { typ: 'pass-checkin+jwt' }), 'pairing_refused'],
      ['another audience', pass.sign('kiosk-a', nonce(), { aud: 'pass-kiosk' }), 'pairing_refused'],
      ['another issuer', pass.sign('kiosk-a', nonce(), { iss: 'https://evil.example' }), 'pairing_refused'],
      ['expired', pass.sign('kiosk-a', nonce(), { iat: now - 600, exp: now - 300 }), 'pairing_refused'],
      ['not a kiosk', pass.sign('someone', nonce()), 'pairing_refused'],
      ['a nonce this bridge never gave', pass.sign('kiosk-a', 'A'.repeat(43)), 'pairing_expired'],
      ['junk', Promise.resolve('not.a.jws'), 'pairing_refused'],
    ];
    for (const [name, assertion, reason] of cases) expect([name, await reasonOf(pairing.pair(await assertion))]).toEqual([name, reason]);
    expect(pairing.paired).toBe(false);
  });

  test(`a nonce lasts ${NONCE_TTL_MS / 60_000} minutes, and only the latest ${MAX_OPEN_NONCES} are open`, async () => {
    const pass = await testPassSigner(ISSUER);
    let now = Date.now();
    const pairing = new Pairing(pass.verifier, () => now);
    const late = pairing.nonce().nonce;
    now += NONCE_TTL_MS + 1;
    expect(await reasonOf(pairing.pair(await pass.sign('kiosk-a', late)))).toBe('pairing_expired');
    const first = pairing.nonce().nonce;
    for (let i = 0; i < MAX_OPEN_NONCES; i++) pairing.nonce();
    expect(await reasonOf(pairing.pair(await pass.sign('kiosk-a', first)))).toBe('pairing_expired');
    expect(pairing.paired).toBe(false);
  });
});

describe('what the bridge logs of an APDU', () => {
  test('a VERIFY is its header and length only; SELECT keeps its id; a response is its status word and length', () => {
    expect(commandForLog(fromHex('00 20 00 80 04 31323334'))).toEqual({ header: '00 20 00 80', lc: 4, le: undefined });
    expect(commandForLog(fromHex('00 20 00 80 10 41424344454631323334414243444546'))).toEqual({ header: '00 20 00 80', lc: 16, le: undefined });
    expect(commandForLog(fromHex('00 A4 04 0C 0A D392F000260100000001'))).toEqual({ header: '00 A4 04 0C', lc: 10, le: undefined, data: 'D392F000260100000001' });
    expect(commandForLog(fromHex('80 2A 00 80 03 010203 00'))).toEqual({ header: '80 2A 00 80', lc: 3, le: 256 });
    expect(commandForLog(fromHex('00 20 00 80 09 3132'))).toBeUndefined();
    expect(responseForLog(fromHex('30820101 9000'))).toEqual({ sw: '9000', bytes: 4 });
    expect(responseForLog(fromHex('63C2'))).toEqual({ sw: '63C2', bytes: 0 });
  });
});

describe('pcsclite failures', () => {
  test.each([
    ['SCardTransmit error: Card was removed.(0x80100069)', 'removed'],
    ['SCardConnect error: No smart card inserted.(0x8010000c)', 'removed'],
    ['SCardTransmit error: Transaction failed.(0x80100016)', 'link'],
    ['SCardTransmit error: Reader is unavailable.(0x80100017)', 'reader'],
    ['SCardTransmit error: Card was reset.(0x80100068)', 'reset'],
    ['Card Reader not connected', 'other'],
  ])('%s → %s', (message, kind) => {
    expect(classifyScardFailure(new Error(message))).toBe(kind);
  });
});

/**
 * The server never plays the card at the kiosk: the development card routes are gone (404 to a
 * kiosk and to a resident alike), no module of the kiosk or check-in capabilities can sign as a
 * card, no source outside the APDU simulator (src/card/simulator) signs as one at all (issue 16:
 * the development cards are simulated cards read over APDUs), the development simulator's bridge is
 * loaded only on demand behind its switch, and production refuses that switch.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import Koa from 'koa';
import { devCardRoutes } from '../../src/identity/proofing/dev-routes.ts';
import type { DevCardStore } from '../../src/identity/proofing/dev-cards.ts';
import { loadConfig } from '../../src/config/load-config.ts';
import { createStorage, REPO_ROOT, startPass, type TestStorage } from '../helpers/pass.ts';
import { apiToken, PASSWORD, provisionKiosk, staffAccount, withFacilities, type Pass, type TestKiosk } from './helpers.ts';
import { configProblems, PRODUCTION } from '../helpers/production-config.ts';

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? sources(full) : full.endsWith('.ts') ? [full] : [];
  });
}

describe('the card simulator in the configuration', () => {
  test('production refuses it, with a reason; development has it by default, tests and production do not', () => {
    const refused = configProblems({ ...PRODUCTION, KIOSK_CARD_SIMULATOR: 'true' });
    expect(refused).toContainEqual(expect.stringMatching(/^KIOSK_CARD_SIMULATOR: the development card simulator is refused in production/));
    expect(configProblems(PRODUCTION).some((p) => p.startsWith('KIOSK_CARD_SIMULATOR'))).toBe(false);
    expect(loadConfig({ NODE_ENV: 'development' }, REPO_ROOT).kiosk).toEqual({ cardBridgeUrl: 'http://127.0.0.1:47213', cardSimulator: true });
    expect(loadConfig({ NODE_ENV: 'test' }, REPO_ROOT).kiosk.cardSimulator).toBe(false);
    expect(loadConfig({ NODE_ENV: 'development', KIOSK_CARD_SIMULATOR: 'false' }, REPO_ROOT).kiosk.cardSimulator).toBe(false);
  });

  test('the bridge the kiosk page calls is on loopback only', () => {
    expect(loadConfig({ KIOSK_CARD_BRIDGE_URL: 'http://localhost:5000/' }, REPO_ROOT).kiosk.cardBridgeUrl).toBe('http://localhost:5000');
    for (const url of ['https://bridge.example.jp', 'http://192.168.0.10:47213', 'http://127.0.0.1:47213/apdu', 'not a url']) {
      expect(configProblems({ KIOSK_CARD_BRIDGE_URL: url })).toEqual([expect.stringMatching(/^KIOSK_CARD_BRIDGE_URL: must be the loopback URL of the card bridge/)]);
    }
  });
});

describe('no server-side card', () => {
  test('no module of the kiosk or check-in capabilities signs as a card; the simulator is reached only through its switch', () => {
    const SIGNING = /\b(signChallenge|signDigestInfo|privateEncrypt|VirtualMyNumberCard)\b|virtual-card\.ts|\/simulator\//;
    const offenders = [...sources(path.join(REPO_ROOT, 'src/kiosk')), ...sources(path.join(REPO_ROOT, 'src/checkins'))]
      .filter((file) => SIGNING.test(readFileSync(file, 'utf8')))
      .map((file) => path.relative(REPO_ROOT, file));
    // The development bridge holds the demo cards' signers; it is the simulator, loaded only when it is on.
    expect(offenders).toEqual(['src/kiosk/dev-card-bridge.ts']);
    const capability = readFileSync(path.join(REPO_ROOT, 'src/kiosk/capability.ts'), 'utf8');
    // Its type only is imported up front (erased); its code comes in by a dynamic import under the switch.
    expect(capability).not.toMatch(/^import (?!type )[^\n]*from '\.\/dev-card-bridge\.ts'/m);
    expect(capability).toMatch(/if \(config\.kiosk\.cardSimulator && !config\.production\) \{[\s\S]*?await import\('\.\/dev-card-bridge\.ts'\)/);
  });

  test('outside the APDU simulator no source signs as a card, and the server-side virtual card is gone', () => {
    expect(existsSync(path.join(REPO_ROOT, 'src/jpki/virtual-card.ts'))).toBe(false);
    const simulator = path.join(REPO_ROOT, 'src/card/simulator') + path.sep;
    const outside = sources(path.join(REPO_ROOT, 'src')).filter((file) => !file.startsWith(simulator));
    // The card's raw RSA operation, or the card classes that did it on the server.
    const CARD_SIGNING = /\bprivateEncrypt\b|\bVirtualMyNumberCard\b|\bsignDigestInfo\b|virtual-card\.ts/;
    expect(outside.filter((file) => CARD_SIGNING.test(readFileSync(file, 'utf8'))).map((file) => path.relative(REPO_ROOT, file))).toEqual([]);
    // Node's signing primitive with a private key: only the development CA, which issues
    // certificates and CRLs, and the wallet's credential issuer, which signs SD-JWT VCs with PASS's own
    // issuer keys (ES256, src/wallet/issuer-keys.ts) — neither ever answers for a card.
    const NODE_SIGN = /import \{[^}]*\b(sign|createSign)\b[^}]*\} from 'node:crypto'|\bcrypto\.(sign|createSign)\(/;
    expect(outside.filter((file) => NODE_SIGN.test(readFileSync(file, 'utf8'))).map((file) => path.relative(REPO_ROOT, file))).toEqual(['src/jpki/dev-ca.ts', 'src/wallet/issuance.ts']);
  });

  test('the development card stores hand their keys to the simulated card and read it over APDUs', () => {
    for (const file of ['src/identity/proofing/dev-cards.ts', 'src/households/text-ap/dev-card.ts']) {
      const text = readFileSync(path.join(REPO_ROOT, file), 'utf8');
      expect(text).toMatch(/new ApduChannel\(/);
      expect(text).toMatch(/from '\.\.\/\.\.\/card\/simulator\/(jpki|text-ap)-card\.ts'/);
    }
  });

  test('in production the development card routes of the PASS app refuse before they reach a card', async () => {
    // Production never mounts them (no development CA there, capability.ts); mounted anyway, they refuse.
    const cards = new Proxy({}, { get: () => () => Promise.reject(new Error('a card was reached')) }) as unknown as DevCardStore;
    const app = new Koa();
    app.use(devCardRoutes(cards, async (_ctx, next) => next(), true).routes());
    const server = app.listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/identity/jpki/dev`;
      const list = await fetch(`${base}/cards`);
      expect(list.status).toBe(403);
      expect(await list.json()).toMatchObject({ reason: 'development_only' });
      const sign = await fetch(`${base}/cards/kaga-taro/sign`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ pin: 'PASS1234', challenge: 'Y2hhbGxlbmdl' }) });
      expect(sign.status).toBe(403);
      expect(await sign.text()).not.toMatch(/certificate|signature/);
    } finally {
      server.close();
    }
  });

  describe('the development card routes are gone', () => {
    let storage: TestStorage;
    let pass: Pass;
    let kiosk: TestKiosk;
    let resident: string;

    beforeAll(async () => {
      storage = await createStorage('embedded');
      pass = await startPass(storage.env);
      await withFacilities(pass);
      await staffAccount(pass, 'staff@nocard.example.jp', 'facility_staff', { facilityId: 'kaga-niconico-park' });
      kiosk = await provisionKiosk(pass, 'staff@nocard.example.jp');
      await pass.platform.accounts.create({ email: 'resident@nocard.example.jp', password: PASSWORD, verified: true });
      resident = await apiToken(pass, 'resident@nocard.example.jp');
    }, 120_000);

    afterAll(async () => {
      await pass?.close();
      await storage?.cleanup();
    });

    test('a kiosk asking for the development cards, or for one to sign, gets 404', async () => {
      // With the kiosk's own token and proof, as the kiosk page would send them.
      const as = async (method: string, pathname: string, body?: unknown) => {
        const url = `${pass.issuer}${pathname}`;
        const headers: Record<string, string> = { authorization: `DPoP ${kiosk.accessToken}`, DPoP: await kiosk.proof(method, url, kiosk.accessToken) };
        if (body !== undefined) headers['content-type'] = 'application/json';
        return fetch(url, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
      };
      expect((await as('GET', '/api/kiosk/dev/cards')).status).toBe(404);
      const sign = await as('POST', '/api/kiosk/dev/cards/kaga-taro/authenticate', { pin: '1234', challenge: Buffer.from('challenge').toString('base64') });
      expect(sign.status).toBe(404);
      expect(await sign.text()).not.toMatch(/certificate|signature/);
      // The kiosk API itself still answers this kiosk.
      expect((await kiosk.call('GET', '/api/kiosk/me')).status).toBe(200);
    });

    test('so does the PASS app', async () => {
      const headers = { authorization: `Bearer ${resident}`, 'content-type': 'application/json' };
      expect((await fetch(`${pass.issuer}/api/checkins/dev/cards`, { headers })).status).toBe(404);
      const sign = await fetch(`${pass.issuer}/api/checkins/dev/cards/kaga-taro/authenticate`, { method: 'POST', headers, body: JSON.stringify({ pin: '1234', challenge: 'Y2hhbGxlbmdl' }) });
      expect(sign.status).toBe(404);
    });
  });
});

// The card bridge as Chromium meets it: the PASS page (http://localhost:P) pairs and sends an APDU
// through CORS preflights to the bridge on 127.0.0.1, down to the simulated card in vpcd's second
// slot (bridge.test.ts uses the first, and jest runs the files side by side); a page of another
// origin (http://127.0.0.1:P, the same server under another name) can read nothing from it.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import type { Browser } from 'playwright-core';
import { createBridgeServer } from '../../../src/card/bridge/bridge-server.ts';
import { BridgeCardSession } from '../../../src/card/bridge/card-session.ts';
import { loadBridgeConfig } from '../../../src/card/bridge/config.ts';
import { Pairing } from '../../../src/card/bridge/pairing.ts';
import { testPassSigner, type TestPassSigner } from './pass-signer.ts';
import { PcscReaders } from '../../../src/card/pcsc/pcsc-transport.ts';
import { VPCD_PORT, VpcdSlot } from '../../../src/card/simulator/vpcd-card.ts';
import { browserAvailable, launch } from '../../browser/browser.ts';
import { createPki, issueCard } from '../card-fixtures.ts';
import { holdSlot, pcscStackAvailable, SECOND_READER } from './pcsc-stack.ts';

const available = pcscStackAvailable() && browserAvailable();
const describeStack = available ? describe : describe.skip;

describeStack('the card bridge from Chromium', () => {
  let pages: http.Server;
  let bridge: http.Server;
  let readers: PcscReaders;
  let browser: Browser;
  let pass: TestPassSigner;
  const slot = new VpcdSlot({ port: VPCD_PORT + 1 });

  let releaseSlot: (() => void) | undefined;

  beforeAll(async () => {
    releaseSlot = await holdSlot(1);
    pages = http.createServer((_req, res) => res.writeHead(200, { 'Content-Type': 'text/html' }).end('<!doctype html><title>kiosk</title>'));
    await new Promise<void>((resolve) => pages.listen(0, '127.0.0.1', resolve));
    const pagePort = (pages.address() as AddressInfo).port;
    const config = loadBridgeConfig({ CARD_BRIDGE_ORIGIN: `http://localhost:${pagePort}`, CARD_BRIDGE_PORT: '0', CARD_BRIDGE_READER: SECOND_READER, NODE_ENV: 'development' });
    readers = PcscReaders.open();
    pass = await testPassSigner(config.origin);
    bridge = createBridgeServer({ config, session: new BridgeCardSession(readers, { reader: config.reader }), pairing: new Pairing(pass.verifier), log: pino({ level: 'silent' }) });
    const [, launched] = await Promise.all([new Promise<void>((resolve) => bridge.listen(0, '127.0.0.1', resolve)), launch(), slot.insert((await issueCard(createPki())).card)]);
    browser = launched;
    await readers.waitFor((s) => s.name === SECOND_READER && s.cardPresent, 5000);
  }, 300_000); // a slot another test file holds is waited for

  afterAll(async () => {
    await browser?.close();
    await slot.remove();
    bridge?.closeAllConnections();
    await new Promise((resolve) => bridge?.close(resolve));
    await new Promise((resolve) => pages?.close(resolve));
    await readers?.close();
    releaseSlot?.();
  });

  test('the PASS page pairs and reaches the card; a page of another origin reads nothing', async () => {
    const bridgeUrl = `http://127.0.0.1:${(bridge.address() as AddressInfo).port}`;
    const pagePort = (pages.address() as AddressInfo).port;
    const context = await browser.newContext();
    try {
      const kiosk = await context.newPage();
      await kiosk.goto(`http://localhost:${pagePort}/`);
      // The page asks the bridge for a nonce, PASS signs it (here the test, as PASS), the page hands the answer over.
      const nonce = await kiosk.evaluate(async (bridgeUrl) => ((await (await fetch(`${bridgeUrl}/pair/nonce`, { method: 'POST' })).json()) as { nonce: string }).nonce, bridgeUrl);
      const result = await kiosk.evaluate(
        async ({ bridgeUrl, assertion }) => {
          const json = { 'Content-Type': 'application/json' };
          const { token } = (await (await fetch(`${bridgeUrl}/pair`, { method: 'POST', headers: json, body: JSON.stringify({ assertion }) })).json()) as { token: string };
          const auth = { Authorization: `Bearer ${token}` };
          const status = await (await fetch(`${bridgeUrl}/status`, { headers: auth })).json();
          const apdu = await (await fetch(`${bridgeUrl}/apdu`, { method: 'POST', headers: { ...auth, ...json }, body: JSON.stringify({ apdu: '00A4040C0AD392F000260100000001' }) })).json();
          return { token, status, apdu };
        },
        { bridgeUrl, assertion: await pass.sign('kiosk-browser', nonce) },
      );
      expect(result.status).toEqual({ reader: SECOND_READER, card_present: true });
      expect(result.apdu).toEqual({ response: '9000' });

      const other = await context.newPage();
      await other.goto(`http://127.0.0.1:${pagePort}/`);
      const outcomes = await other.evaluate(
        async ({ bridgeUrl, token }) => {
          const attempt = (init?: RequestInit, path = '/status') =>
            fetch(`${bridgeUrl}${path}`, init).then(
              async (r) => `read ${r.status} ${await r.text()}`,
              (e: Error) => `blocked: ${e.name}`,
            );
          return [
            await attempt(), // a simple request: sent, but its answer is not the page's to read
            await attempt({ headers: { Authorization: `Bearer ${token}` } }), // preflighted, refused
            await attempt({ method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' }, body: '{"apdu":"00A4040C0AD392F000260100000001"}' }, '/apdu'),
          ];
        },
        { bridgeUrl, token: result.token },
      );
      expect(outcomes).toEqual(['blocked: TypeError', 'blocked: TypeError', 'blocked: TypeError']);
    } finally {
      await context.close();
    }
  });
});

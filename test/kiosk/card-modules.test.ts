// The card library as the kiosk page loads it (clients/kiosk/card-modules.ts): the import closure
// of its entry points, types stripped, as JavaScript with an ETag; nothing of the simulator, PC/SC or
// the bridge's server side, and nothing that needs Node. A module the page must not have is refused
// before anything is served.
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import { buildCardModules, cardModules, CARD_MODULE_ENTRIES } from '../../clients/kiosk/card-modules.ts';

describe('the card modules of the kiosk page', () => {
  test('the closure of the entry points, within src/card and src/core/errors|reasons, stripped of types', () => {
    const modules = buildCardModules();
    const names = [...modules.keys()].sort();
    for (const entry of CARD_MODULE_ENTRIES) expect(names).toContain(entry);
    expect(names).toEqual(expect.arrayContaining(['core/errors.ts', 'core/reasons.ts', 'card/reasons.ts', 'card/bridge/reasons.ts']));
    expect(names.filter((n) => /simulator|pcsc|bridge-server|pairing|pass-verifier|card-session|config\.ts|apdu-log|main\.ts/.test(n))).toEqual([]);
    for (const [name, { body }] of modules) {
      expect([name, /\bimport type\b|:\s*Uint8Array\b|\binterface\s+\w+\s*\{/.test(body)]).toEqual([name, false]);
      expect([name, /from\s*['"](?!\.\.?\/)/.test(body)]).toEqual([name, false]);
    }
  });

  test('a module the page must not load stops it from serving at all', () => {
    expect(() => buildCardModules(['card/simulator/simulated-card.ts'])).toThrow(/may not load card\/simulator/);
    expect(() => buildCardModules(['card/pcsc/pcsc-transport.ts'])).toThrow(/may not load card\/pcsc/);
    // The bridge's server is Node's (Buffer, node:http): refused as soon as it is reached.
    expect(() => buildCardModules(['card/bridge/bridge-server.ts'])).toThrow(/uses a Node-only API|imports node:http/);
  });

  test('served as JavaScript with an ETag, revalidated with 304; anything else is not found', async () => {
    const app = new Koa();
    app.use(cardModules());
    app.use((ctx) => {
      ctx.status = 404;
    });
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const first = await fetch(`${base}/kiosk/lib/card/jpki-proofs.ts`);
      expect(first.status).toBe(200);
      expect(first.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
      expect(first.headers.get('cache-control')).toBe('no-cache');
      const body = await first.text();
      expect(body).toContain("from './jpki-ap.ts'");
      // Types become blanks, so a line and column in the browser are the source's.
      expect(body).toMatch(/export async function readAuthenticationProof\(channel\s*,\s*input\s*\)\s*\{/);
      const again = await fetch(`${base}/kiosk/lib/card/jpki-proofs.ts`, { headers: { 'If-None-Match': first.headers.get('etag')! } });
      expect(again.status).toBe(304);
      for (const path of ['/kiosk/lib/card/simulator/simulated-card.ts', '/kiosk/lib/card/pcsc/pcsc-transport.ts', '/kiosk/lib/../card/bytes.ts', '/kiosk/lib/card/bridge/main.ts', '/kiosk/lib/config/schema.ts']) {
        expect([path, (await fetch(`${base}${path}`)).status]).toEqual([path, 404]);
      }
    } finally {
      server.close();
    }
  });
});

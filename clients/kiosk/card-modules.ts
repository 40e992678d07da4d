/**
 * The card library and the SD-JWT core for the kiosk page, without a bundler: GET /kiosk/lib/<path>
 * serves the modules of src/card, src/wallet/sd-jwt and src/core the page needs
 * (clients/shared/browser-modules.ts; the card core's rule, docs/architecture.md), and the `qrcode`
 * package's encoder wrapped as one module.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Middleware } from 'koa';
import { buildPageModules, etagOf, pageModulesRoute, type ServedModule } from '../shared/browser-modules.ts';

export const CARD_MODULES_PREFIX = '/kiosk/lib/';

/**
 * What the kiosk page imports: the channel, the JPKI-AP, its proofs and errors, the bridge's fetch
 * transport, for enrollment the text AP and the card photo, and for wallet presentations the SD-JWT core.
 */
export const CARD_MODULE_ENTRIES = ['card/apdu-channel.ts', 'card/jpki-ap.ts', 'card/jpki-proofs.ts', 'card/errors.ts', 'card/bridge/bridge-transport.ts', 'card/text-ap.ts', 'card/card-photo.ts', 'wallet/sd-jwt/index.ts'];

const KIOSK_PAGE = {
  page: 'the kiosk page',
  allowed: [/^card\/(?!simulator\/|pcsc\/)[a-z0-9/-]+\.ts$/, /^wallet\/sd-jwt\/[a-z0-9-]+\.ts$/, /^core\/(errors|reasons)\.ts$/],
  allowedInWords: 'src/card (not its simulator or PC/SC), src/wallet/sd-jwt and src/core/errors|reasons',
};

/** The stripped closure of the entries, by path under src; throws on anything that must not reach a browser. */
export function buildCardModules(entries: readonly string[] = CARD_MODULE_ENTRIES): Map<string, ServedModule> {
  return buildPageModules(entries, KIOSK_PAGE);
}

/** Where the page finds the QR encoder (qrEncoderModule). */
export const QR_ENCODER_MODULE = 'qr-encoder.js';

/**
 * The QR encoder of the `qrcode` package (its core only: no renderer, no Node stream) as one ES
 * module exporting `create(text, options)`: the kiosk draws a wallet request with a fresh nonce on
 * its own canvas, offline too, where /kiosk/qr.svg would need PASS. The package is CommonJS, so its
 * modules are wrapped, each with the requires it names resolved here, in a small loader.
 */
export function qrEncoderModule(): ServedModule {
  const require = createRequire(import.meta.url);
  const entry = require.resolve('qrcode/lib/core/qrcode.js');
  const ids = new Map<string, number>();
  const wrapped: string[] = [];
  const pending = [entry];
  ids.set(entry, 0);
  while (pending.length) {
    const file = pending.shift()!;
    const code = readFileSync(file, 'utf8');
    const local = createRequire(file);
    const map: Record<string, number> = {};
    for (const [, specifier] of code.matchAll(/\brequire\(\s*['"]([^'"]+)['"]\s*\)/g)) {
      const resolved = local.resolve(specifier!);
      if (!resolved.startsWith('/') || resolved.includes('node:')) throw new Error(`the QR encoder requires ${specifier}, which a browser lacks`);
      if (!ids.has(resolved)) {
        ids.set(resolved, ids.size);
        pending.push(resolved);
      }
      map[specifier!] = ids.get(resolved)!;
    }
    wrapped[ids.get(file)!] = `[${JSON.stringify(map)}, function (module, exports, require) {\n${code}\n}]`;
  }
  const body = [
    '// qrcode (npm, MIT): lib/core only, wrapped for the kiosk page by clients/kiosk/card-modules.ts.',
    `const modules = [\n${wrapped.join(',\n')}\n];`,
    'const cache = [];',
    'function load(id) {',
    '  if (cache[id]) return cache[id].exports;',
    '  const module = (cache[id] = { exports: {} });',
    '  const [map, factory] = modules[id];',
    '  factory(module, module.exports, (name) => load(map[name]));',
    '  return module.exports;',
    '}',
    'export const create = (text, options) => load(0).create(text, options);',
    '',
  ].join('\n');
  return { body, etag: etagOf(body) };
}

/** The route itself; the modules are built at the first request and kept. */
export function cardModules(): Middleware {
  let modules: Map<string, ServedModule> | undefined;
  return pageModulesRoute(CARD_MODULES_PREFIX, () => (modules ??= new Map([...buildCardModules(), [QR_ENCODER_MODULE, qrEncoderModule()]])));
}

/**
 * The `qrcode` package's encoder as one browser ES module, for the pages that draw QR codes with no
 * server: the kiosk (/kiosk/lib/qr-encoder.js, a wallet request) and the PASS app
 * (/app/lib/qr-encoder.js, a presentation for a kiosk's camera).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { etagOf, type ServedModule } from './browser-modules.ts';

/** Where a page finds the QR encoder, under its modules prefix. */
export const QR_ENCODER_MODULE = 'qr-encoder.js';

/**
 * The QR encoder of the `qrcode` package (its core only: no renderer, no Node stream) as one ES
 * module exporting `create(text, options)`: the kiosk draws a wallet request with a fresh nonce on
 * its own canvas, offline too, where /kiosk/qr.svg would need PASS, and the PASS app draws its
 * answer to a kiosk on the phone. The package is CommonJS, so its modules are wrapped, each with the requires it names resolved here, in a small loader.
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
    '// qrcode (npm, MIT): lib/core only, wrapped for the pages by clients/shared/qr-encoder-module.ts.',
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

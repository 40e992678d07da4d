/**
 * The SD-JWT core for the wallet page, without a bundler: GET /app/lib/<path> serves the modules of
 * src/wallet/sd-jwt (and the src/core/errors|reasons they use) as ES modules
 * (clients/shared/browser-modules.ts), with the wallet page's own allow-list; beside them the
 * approval page's request check (clients/app/present/request.ts, so the page checks a request
 * offline exactly as the server does) and the QR encoder (its answer to a kiosk). The wallet's
 * service worker keeps a copy of them for offline use.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { stripTypeScriptTypes } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Middleware } from 'koa';
import { buildPageModules, etagOf, pageModulesRoute, SRC, type ServedModule } from '../../shared/browser-modules.ts';
import { QR_ENCODER_MODULE, qrEncoderModule } from '../../shared/qr-encoder-module.ts';

export type { ServedModule } from '../../shared/browser-modules.ts';

export const WALLET_MODULES_PREFIX = '/app/lib/';
/** Where the SD-JWT core lives, under src/. */
export const SD_JWT_FOLDER = 'wallet/sd-jwt';

const WALLET_PAGE = {
  page: 'the wallet page',
  allowed: [/^wallet\/sd-jwt\/[a-z0-9/-]+\.ts$/, /^core\/(errors|reasons)\.ts$/],
  allowedInWords: 'src/wallet/sd-jwt and src/core/errors|reasons',
};

/** Every module of the SD-JWT core's folder (not its tests, which live under test/). */
export function sdJwtEntries(): string[] {
  const dir = path.join(SRC, SD_JWT_FOLDER);
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.ts') && !name.endsWith('.d.ts'))
    .map((name) => `${SD_JWT_FOLDER}/${name.split(path.sep).join('/')}`)
    .sort();
}

/** The stripped closure of the entries, by path under src; throws on anything that must not reach a browser. */
export function buildWalletModules(entries: readonly string[] = sdJwtEntries()): Map<string, ServedModule> {
  return buildPageModules(entries, WALLET_PAGE);
}

/** The approval page's request check, by its name under /app/lib/. */
export const PRESENT_REQUEST_MODULE = 'present/request.ts';
const PRESENT_REQUEST_FILE = path.join(path.dirname(path.dirname(fileURLToPath(import.meta.url))), 'present', 'request.ts');

/** clients/app/present/request.ts stripped of its types; it must stay a leaf (no imports) that a browser runs as it is. */
export function presentRequestModule(): ServedModule {
  const body = stripTypeScriptTypes(readFileSync(PRESENT_REQUEST_FILE, 'utf8'), { mode: 'strip' });
  const code = body.replace(/\/\*[\s\S]*?\*\/|\/\/[^\n]*/g, '');
  if (/(?:^|[\s;])import[\s('"{*]|\bfrom\s*['"]/.test(code) || /\b(?:Buffer|process|require)\b/.test(code)) throw new Error(`${PRESENT_REQUEST_MODULE} must import nothing and use no Node API: the approval page loads it as it is`);
  return { body, etag: etagOf(body) };
}

/** The route itself; the modules are built at the first request (or by `modules()`) and kept. */
export function walletModules(): { middleware: Middleware; modules: () => Map<string, ServedModule> } {
  let built: Map<string, ServedModule> | undefined;
  const modules = () => (built ??= new Map([...buildWalletModules(), [PRESENT_REQUEST_MODULE, presentRequestModule()], [QR_ENCODER_MODULE, qrEncoderModule()]]));
  return { middleware: pageModulesRoute(WALLET_MODULES_PREFIX, modules), modules };
}

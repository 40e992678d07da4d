/**
 * The card library for the kiosk page, without a bundler: GET /kiosk/lib/<path> serves the modules
 * of src/card and src/core the page needs as ES modules, their TypeScript types stripped with
 * Node's own `module.stripTypeScriptTypes` (the project's TypeScript is erasable-only, so stripping
 * is all it takes). The set is the import closure of a few entry points, found by reading the
 * stripped sources; a module outside src/card and src/core, a bare or `node:` import, or a Node-only
 * API in that closure refuses to serve at all (the card core's rule, docs/architecture.md). Each
 * module is stripped once and kept in memory; browsers revalidate by ETag. Relative imports keep
 * their `.ts` names, which the browser fetches as JavaScript by its content type; script-src 'self'
 * allows them as they are.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { stripTypeScriptTypes } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Middleware } from 'koa';

export const CARD_MODULES_PREFIX = '/kiosk/lib/';

const SRC = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src');

/** What the kiosk page imports: the channel, the JPKI-AP, its proofs and errors, the bridge's fetch transport, and for enrollment the text AP and the card photo. */
export const CARD_MODULE_ENTRIES = ['card/apdu-channel.ts', 'card/jpki-ap.ts', 'card/jpki-proofs.ts', 'card/errors.ts', 'card/bridge/bridge-transport.ts', 'card/text-ap.ts', 'card/card-photo.ts'];

/** The only folders whose modules may reach the page. */
const ALLOWED = [/^card\/(?!simulator\/|pcsc\/)[a-z0-9/-]+\.ts$/, /^core\/(errors|reasons)\.ts$/];
/** Node's own modules, and its globals that a browser lacks. */
const NODE_ONLY = /\b(?:Buffer|process|require|__dirname|__filename)\b/;

interface Served {
  body: string;
  etag: string;
}

function importsOf(code: string): string[] {
  return [...code.matchAll(/(?:^|[\s;])(?:import|export)\s[^;]*?from\s*['"]([^'"]+)['"]|(?:^|[\s;])import\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)].map((m) => (m[1] ?? m[2] ?? m[3])!);
}

/** The stripped closure of the entries, by path under src; throws on anything that must not reach a browser. */
export function buildCardModules(entries: readonly string[] = CARD_MODULE_ENTRIES): Map<string, Served> {
  const served = new Map<string, Served>();
  const pending = [...entries];
  while (pending.length) {
    const name = pending.pop()!;
    if (served.has(name)) continue;
    if (!ALLOWED.some((rule) => rule.test(name))) throw new Error(`the kiosk page may not load ${name}: only src/card (not its simulator or PC/SC) and src/core/errors|reasons`);
    const body = stripTypeScriptTypes(readFileSync(path.join(SRC, name), 'utf8'), { mode: 'strip' });
    const code = body.replace(/\/\*[\s\S]*?\*\/|\/\/[^\n]*/g, '');
    if (NODE_ONLY.test(code)) throw new Error(`${name} uses a Node-only API and cannot run in the kiosk page`);
    for (const specifier of importsOf(body)) {
      if (!specifier.startsWith('./') && !specifier.startsWith('../')) throw new Error(`${name} imports ${specifier}: the kiosk page has only relative modules`);
      pending.push(path.posix.normalize(path.posix.join(path.posix.dirname(name), specifier)));
    }
    served.set(name, { body, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"` });
  }
  return served;
}

/** The route itself; the modules are built at the first request and kept. */
export function cardModules(): Middleware {
  let modules: Map<string, Served> | undefined;
  return async (ctx, next) => {
    if (!ctx.path.startsWith(CARD_MODULES_PREFIX) || (ctx.method !== 'GET' && ctx.method !== 'HEAD')) return next();
    modules ??= buildCardModules();
    const found = modules.get(ctx.path.slice(CARD_MODULES_PREFIX.length));
    if (!found) return next();
    ctx.state.route = `${CARD_MODULES_PREFIX}*`;
    ctx.set('Cache-Control', 'no-cache');
    ctx.set('ETag', found.etag);
    ctx.type = 'text/javascript; charset=utf-8';
    if (ctx.get('If-None-Match') === found.etag) {
      ctx.status = 304;
      return;
    }
    ctx.body = found.body;
  };
}

/**
 * PASS's own browser-safe modules for a page, without a bundler: the TypeScript under src/ that uses
 * no Node-only API (the card library, the SD-JWT core) served as ES modules, its types stripped with
 * Node's own `module.stripTypeScriptTypes` (the project's TypeScript is erasable-only, so stripping is
 * all it takes). The set is the import closure of a page's entry points, found by reading the
 * stripped sources; a module outside the page's allow-list, a bare or `node:` import, or a Node-only
 * API anywhere in that closure refuses to serve at all. Each module is stripped once and kept in
 * memory; browsers revalidate by ETag. Relative imports keep their `.ts` names, which the browser
 * fetches as JavaScript by its content type; script-src 'self' allows them as they are.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { stripTypeScriptTypes } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Middleware } from 'koa';

export interface ServedModule {
  body: string;
  etag: string;
}

export interface PageModuleRules {
  /** The page, as errors name it ("the kiosk page"). */
  page: string;
  /** Paths under src/ whose modules may reach the page. */
  allowed: readonly RegExp[];
  /** The allow-list in words, for the error. */
  allowedInWords: string;
}

export const SRC = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src');

/** Node's own modules, and its globals that a browser lacks. */
const NODE_ONLY = /\b(?:Buffer|process|require|__dirname|__filename)\b/;

export const etagOf = (body: string): string => `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;

function importsOf(code: string): string[] {
  return [...code.matchAll(/(?:^|[\s;])(?:import|export)\s[^;]*?from\s*['"]([^'"]+)['"]|(?:^|[\s;])import\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)].map((m) => (m[1] ?? m[2] ?? m[3])!);
}

/** The stripped closure of the entries, by path under src; throws on anything that must not reach a browser. */
export function buildPageModules(entries: readonly string[], rules: PageModuleRules): Map<string, ServedModule> {
  const served = new Map<string, ServedModule>();
  const pending = [...entries];
  while (pending.length) {
    const name = pending.pop()!;
    if (served.has(name)) continue;
    if (!rules.allowed.some((rule) => rule.test(name))) throw new Error(`${rules.page} may not load ${name}: only ${rules.allowedInWords}`);
    const body = stripTypeScriptTypes(readFileSync(path.join(SRC, name), 'utf8'), { mode: 'strip' });
    const code = body.replace(/\/\*[\s\S]*?\*\/|\/\/[^\n]*/g, '');
    if (NODE_ONLY.test(code)) throw new Error(`${name} uses a Node-only API and cannot run in ${rules.page}`);
    for (const specifier of importsOf(body)) {
      if (!specifier.startsWith('./') && !specifier.startsWith('../')) throw new Error(`${name} imports ${specifier}: ${rules.page} has only relative modules`);
      pending.push(path.posix.normalize(path.posix.join(path.posix.dirname(name), specifier)));
    }
    served.set(name, { body, etag: etagOf(body) });
  }
  return served;
}

/** GET/HEAD `<prefix><name>`: the module by name, as JavaScript, revalidated by ETag; anything else passes on. */
export function pageModulesRoute(prefix: string, modules: () => Map<string, ServedModule>): Middleware {
  return async (ctx, next) => {
    if (!ctx.path.startsWith(prefix) || (ctx.method !== 'GET' && ctx.method !== 'HEAD')) return next();
    const found = modules().get(ctx.path.slice(prefix.length));
    if (!found) return next();
    ctx.state.route = `${prefix}*`;
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

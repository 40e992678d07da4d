import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Middleware } from 'koa';

const TYPES: Record<string, string> = { '.css': 'text/css; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.svg': 'image/svg+xml' };
/** Plain names only: nothing with a slash, a dot segment or a second extension is ever served. */
const SERVABLE_NAME = /^[a-z0-9-]+\.[a-z]+$/;

export interface StaticFolder {
  /** The folder whose scripts, styles and images are served (read once at start). */
  dir: string;
  /** The URL path they are served under, ending in '/' (e.g. '/manager/static/'). */
  prefix: string;
  cacheControl: string;
  /** Files from elsewhere served under the same prefix: name → absolute path (e.g. a library's browser build). */
  also?: Record<string, string>;
}

/** PASS's own pages' stylesheet and scripts (src/http/static), which clients may link by URL too. */
export const PASS_STATIC: StaticFolder = {
  dir: path.join(path.dirname(fileURLToPath(import.meta.url)), 'static'),
  prefix: '/static/',
  cacheControl: 'public, max-age=3600',
  // The passkey ceremonies' browser side (startRegistration, startAuthentication), for PASS's pages and the app's.
  also: { 'webauthn.js': path.join(path.dirname(createRequire(import.meta.url).resolve('@simplewebauthn/browser')), '../dist/bundle/index.umd.min.js') },
};

/**
 * Serves one folder's static files: PASS's own and each client's (clients/<app>/static). The set
 * is read once at start, so a request can only ever name one of those files: no path tricks.
 */
export function staticFiles(folder: StaticFolder = PASS_STATIC): Middleware {
  const sources = new Map<string, string>();
  for (const name of readdirSync(folder.dir)) sources.set(name, path.join(folder.dir, name));
  for (const [name, file] of Object.entries(folder.also ?? {})) sources.set(name, file);
  const files = new Map<string, { body: Buffer; type: string }>();
  for (const [name, file] of sources) {
    const type = TYPES[path.extname(name)];
    if (type && SERVABLE_NAME.test(name)) files.set(folder.prefix + name, { body: readFileSync(file), type });
  }
  return async (ctx, next) => {
    const file = ctx.method === 'GET' || ctx.method === 'HEAD' ? files.get(ctx.path) : undefined;
    if (!file) return next();
    ctx.state.route = `${folder.prefix}*`;
    ctx.type = file.type;
    ctx.set('Cache-Control', folder.cacheControl);
    ctx.body = file.body;
  };
}

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Middleware } from 'koa';

const DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'static');
const TYPES: Record<string, string> = { '.css': 'text/css; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.svg': 'image/svg+xml' };

/** The few static assets of the provider's own pages, read once; a fixed list, so no path tricks. */
export function staticFiles(prefix = '/static/'): Middleware {
  const files = new Map<string, { body: Buffer; type: string }>();
  for (const name of ['pass.css', 'app-face.js']) {
    files.set(prefix + name, { body: readFileSync(path.join(DIR, name)), type: TYPES[path.extname(name)] ?? 'application/octet-stream' });
  }
  return async (ctx, next) => {
    const file = ctx.method === 'GET' || ctx.method === 'HEAD' ? files.get(ctx.path) : undefined;
    if (!file) return next();
    ctx.type = file.type;
    ctx.set('Cache-Control', 'public, max-age=3600');
    ctx.body = file.body;
  };
}

/**
 * The kiosk web app (clients/kiosk): GET /kiosk serves the page, /kiosk/static/* its scripts and
 * styles (a fixed list: static JS only under the strict CSP), /kiosk/qr.svg draws a QR code of a
 * PASS URL (the device-grant verification URL or a check-in code URL) so the page needs no QR
 * encoder. The camera is allowed for this origin by the platform's Permissions-Policy.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import Router from '@koa/router';
import QRCode from 'qrcode';
import { render } from '../http/render.ts';
import { MESSAGES as PAGE_MESSAGES } from '../oidc/interactions/messages.ts';
import { CHECKIN_MESSAGES } from '../checkins/messages.ts';
import { KIOSK_UI_MESSAGES } from './page-messages.ts';

const CLIENT_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../clients/kiosk');
const FILES = ['kiosk.js', 'dpop.js', 'store.js', 'api.js', 'camera.js', 'qr-reader.js', 'views.js', 'kiosk.css'];
const TYPES: Record<string, string> = { '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8' };

function loadFiles(): Map<string, { body: Buffer; type: string }> {
  const files = new Map<string, { body: Buffer; type: string }>();
  for (const name of FILES) files.set(name, { body: readFileSync(path.join(CLIENT_DIR, name)), type: TYPES[path.extname(name)]! });
  // The QR decoder for the camera (jsQR): pluggable in qr-reader.js; BarcodeDetector is used when the browser has one.
  const jsqr = createRequire(import.meta.url).resolve('jsqr');
  files.set('jsqr.js', { body: readFileSync(jsqr), type: TYPES['.js']! });
  return files;
}

export function kioskPages(issuer: string): Router {
  const router = new Router();
  const files = loadFiles();
  const messages = { ...PAGE_MESSAGES, ...KIOSK_UI_MESSAGES };

  router.get('/kiosk', async (ctx) => {
    await render(ctx, 'kiosk/kiosk', messages, {
      here: '/kiosk',
      texts: JSON.stringify({ ui: KIOSK_UI_MESSAGES, reasons: CHECKIN_MESSAGES }).replace(/</g, '\\u003c'),
      issuer,
    });
  });

  router.get('/kiosk/static/:name', (ctx) => {
    const file = files.get(String(ctx.params.name));
    if (!file) return;
    ctx.type = file.type;
    ctx.set('Cache-Control', 'no-cache');
    ctx.body = file.body;
  });

  router.get('/kiosk/qr.svg', async (ctx) => {
    const data = typeof ctx.query.data === 'string' ? ctx.query.data : '';
    const allowed = data.length <= 300 && (data.startsWith(`${issuer}/device`) || data.startsWith(`${issuer}/checkin/`));
    if (!allowed) {
      ctx.status = 400;
      ctx.body = { error: 'invalid_request', error_description: 'only PASS device and check-in URLs are drawn' };
      return;
    }
    ctx.type = 'image/svg+xml';
    ctx.set('Cache-Control', 'no-store');
    ctx.body = await QRCode.toString(data, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
  });

  return router;
}

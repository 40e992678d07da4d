/**
 * The kiosk web app (clients/kiosk): GET /kiosk serves its page (clients/kiosk/views), /kiosk/static/*
 * its scripts and styles (clients/kiosk/static: static JS only under the strict CSP), /kiosk/lib/*
 * the card library (card-modules.ts), /kiosk/qr.svg draws a QR code of a PASS URL (the device-grant
 * verification URL or a check-in code URL) so the page needs no QR encoder; /kiosk/detector/* the
 * face detector the page runs on its own camera (detector-files.ts). The camera is allowed
 * for this origin by the platform's Permissions-Policy; the page's own CSP also lets it reach the
 * card bridge on its machine (KIOSK_CARD_BRIDGE_URL), and nothing else beyond PASS.
 */
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import Router from '@koa/router';
import QRCode from 'qrcode';
import { pickLanguage, translator } from '../../src/http/i18n.ts';
import { pageRenderer } from '../../src/http/render.ts';
import { staticFiles } from '../../src/http/static-files.ts';
import { MESSAGES as PAGE_MESSAGES } from '../../src/identity/interactions/messages.ts';
import { CHECKIN_MESSAGES } from '../../src/checkins/messages.ts';
import { KIOSK_UI_MESSAGES } from '../../src/kiosk/page-messages.ts';

const CLIENT_DIR = path.dirname(fileURLToPath(import.meta.url));
const render = pageRenderer(path.join(CLIENT_DIR, 'views'));

export interface KioskPageSettings {
  issuer: string;
  /** The card bridge on the kiosk machine (loopback). */
  cardBridgeUrl: string;
  /** PASS's development start runs the simulator's bridge there: the page shows the control that puts a demo card on it. */
  cardSimulator: boolean;
}

/** The platform's policy (src/http/security-headers.ts) with the card bridge added to what the page may connect to. */
function pageCsp(cardBridgeUrl: string): string {
  return [
    "default-src 'self'",
    // onnxruntime-web compiles its WebAssembly (static/face-watch.js); this page only, and no JS eval.
    "script-src 'self' 'wasm-unsafe-eval'",
    "style-src 'self'",
    "img-src 'self' data: blob:",
    `connect-src 'self' ${new URL(cardBridgeUrl).origin}`,
    "font-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
    "form-action 'self'",
  ].join('; ');
}

export function kioskPages({ issuer, cardBridgeUrl, cardSimulator }: KioskPageSettings): Router {
  const router = new Router();
  const files = staticFiles({
    dir: path.join(CLIENT_DIR, 'static'),
    prefix: '/kiosk/static/',
    cacheControl: 'no-cache',
    // The QR decoder for the camera (jsQR): pluggable in qr-reader.js; BarcodeDetector is used when the browser has one.
    also: { 'jsqr.js': createRequire(import.meta.url).resolve('jsqr') },
  });
  const messages = { ...PAGE_MESSAGES, ...KIOSK_UI_MESSAGES };

  const csp = pageCsp(cardBridgeUrl);

  router.get('/kiosk', async (ctx) => {
    // Residents of every language meet the same tablet: its prompts show the other language too.
    const other = pickLanguage(ctx) === 'ja' ? 'en' : 'ja';
    await render(ctx, 'kiosk', messages, {
      here: '/kiosk',
      other,
      tOther: translator(messages, other),
      texts: JSON.stringify({ ui: KIOSK_UI_MESSAGES, reasons: CHECKIN_MESSAGES }).replace(/</g, '\\u003c'),
      issuer,
      cardBridgeUrl,
      cardSimulator,
    });
    ctx.set('Content-Security-Policy', csp);
  });

  router.get('/kiosk/static/:name', files);

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

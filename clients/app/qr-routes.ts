/**
 * The check-in QR code of the PASS app (/app/qr): a signed, short-lived, single-use code from
 * POST /api/checkins/qr-token, drawn on the server (no script) and renewed by the page itself
 * (HTTP Refresh) well before it expires. The kiosk reads it with its camera.
 */
import Router from '@koa/router';
import QRCode from 'qrcode';
import type { Messages } from '../../src/http/i18n.ts';
import { APP_MESSAGES } from './messages.ts';
import type { FeatureKit } from './feature-kit.ts';
import { refusalText } from './pass-api.ts';

const BASE = '/app/qr';

export const QR_APP_MESSAGES: Messages = {
  'qr.title': { ja: 'チェックイン用QRコード', en: 'Check-in QR code' },
  'qr.lead': { ja: '施設のキオスクのカメラにこのQRコードを向けてください。コードは1回だけ使え、自動で新しくなります。', en: 'Show this QR code to the camera of the kiosk. Each code works once and renews itself.' },
  'qr.expires': { ja: '有効期限', en: 'Valid until' },
  'qr.alt': { ja: 'チェックイン用QRコード', en: 'Check-in QR code' },
  'qr.renew': { ja: '新しいコードを表示', en: 'Show a new code' },
  'qr.failed': { ja: 'QRコードを表示できませんでした。しばらくしてからお試しください。', en: 'The QR code could not be shown. Please try again shortly.' },
  'qr.home': { ja: 'ホームに戻る', en: 'Back to home' },
};

const MESSAGES = { ...APP_MESSAGES, ...QR_APP_MESSAGES };

export function qrAppRoutes(kit: FeatureKit): Router {
  const router = new Router({ prefix: BASE });
  router.get('/', async (ctx) => {
    const session = await kit.signedIn(ctx, 'qr');
    if (!session) return;
    const lang = kit.lang(ctx);
    const answer = await kit.api.call<{ token: string; expiresAt: string; ttlSeconds: number }>(session.token, 'POST', '/api/checkins/qr-token');
    if (!answer.ok) {
      await kit.page(ctx, 'app/qr', MESSAGES, BASE, { image: null, expiresAt: null, error: refusalText(answer, lang, MESSAGES['qr.failed']![lang]) });
      return;
    }
    const image = await QRCode.toDataURL(answer.body.token, { errorCorrectionLevel: 'M', margin: 2, width: 320 });
    // Renewed a little before it expires, so the code on the screen is always usable.
    ctx.set('Refresh', String(Math.max(5, answer.body.ttlSeconds - 8)));
    await kit.page(ctx, 'app/qr', MESSAGES, BASE, { image, expiresAt: new Date(answer.body.expiresAt).toLocaleTimeString(lang === 'ja' ? 'ja-JP' : 'en-GB', { timeZone: 'Asia/Tokyo' }) });
  });
  return router;
}

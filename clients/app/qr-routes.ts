/**
 * The check-in screens of the PASS app:
 * - /app/qr: a signed, short-lived, single-use code from POST /api/checkins/qr-token, drawn on the
 *   server (no script) and renewed by the page itself (HTTP Refresh) well before it expires. The
 *   kiosk reads it with its camera.
 * - /app/qr/card: links the resident's My Number Card, so that holding it to a kiosk checks them in
 *   as themselves: PASS issues a link challenge, the card signs it with its user-authentication key
 *   (4-digit PIN), PASS verifies it (/api/checkins/card-link). In development the card is the
 *   virtual card behind /api/checkins/dev/cards; in production the card reader app answers the
 *   same challenge.
 * The home tile (checkinSection) appears once the resident has a facility registration in use.
 */
import Router from '@koa/router';
import type { Context } from 'koa';
import { koaBody } from 'koa-body';
import QRCode from 'qrcode';
import { translator } from '../../src/http/i18n.ts';
import { APP_MESSAGES } from './messages.ts';
import { QR_APP_MESSAGES } from './qr-messages.ts';
import { formatDateTime } from './format.ts';
import type { FeatureKit, SignedIn } from './feature-kit.ts';
import { refusalText } from './pass-api.ts';
import type { HomeSection, SectionEnv } from './sections.ts';
import type { RpSession } from '../shared/relying-party.ts';

export { QR_APP_MESSAGES };

const BASE = '/app/qr';
const CARD_ID = /^[a-z0-9][a-z0-9-]{0,63}$/;
const AUTH_PIN = /^\d{4}$/;

const MESSAGES = { ...APP_MESSAGES, ...QR_APP_MESSAGES };
const form = koaBody({ urlencoded: true, json: false, multipart: false, text: false, formLimit: '4kb' });

function field(ctx: Context, name: string): string {
  const value = (ctx.request.body as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' ? value.normalize('NFKC').trim().slice(0, 128) : '';
}

/** The home tile: shown only while the resident's own person has a registration in use (else nothing to check in to). */
export async function checkinSection(session: RpSession, { api }: SectionEnv): Promise<HomeSection | undefined> {
  try {
    const answer = await api.call<{ registrations?: Array<{ status: string; relation?: string }> }>(session.tokens!.accessToken, 'GET', '/api/registrations');
    const own = answer.ok && answer.body.registrations?.some((r) => r.status === 'active' && (r.relation ?? 'self') === 'self');
    if (own) return { id: 'qr', titleKey: 'section.qr', textKey: 'section.qr.text', href: BASE, status: { key: 'qr.tile.ready', active: true } };
  } catch {
    // The home screen shows what it can.
  }
  return undefined;
}

export function qrAppRoutes(kit: FeatureKit): Router {
  const router = new Router({ prefix: BASE });

  router.get('/', async (ctx) => {
    const session = await kit.signedIn(ctx, 'qr');
    if (!session) return;
    const lang = kit.lang(ctx);
    const answer = await kit.api.call<{ token: string; expiresAt: string; ttlSeconds: number }>(session.token, 'POST', '/api/checkins/qr-token');
    if (!answer.ok) {
      await kit.page(ctx, 'qr', MESSAGES, BASE, { image: null, expiresAt: null, error: refusalText(answer, lang, MESSAGES['qr.failed']![lang]) });
      return;
    }
    const image = await QRCode.toDataURL(answer.body.token, { errorCorrectionLevel: 'M', margin: 2, width: 320 });
    // Renewed a little before it expires, so the code on the screen is always usable.
    ctx.set('Refresh', String(Math.max(5, answer.body.ttlSeconds - 8)));
    await kit.page(ctx, 'qr', MESSAGES, BASE, { image, expiresAt: new Date(answer.body.expiresAt).toLocaleTimeString(lang === 'ja' ? 'ja-JP' : 'en-GB', { timeZone: 'Asia/Tokyo' }) });
  });

  async function cardPage(ctx: Context, s: SignedIn<unknown>, feedback: { error?: string | null; notice?: string | null } = {}, status = 200): Promise<void> {
    const lang = kit.lang(ctx);
    const link = await kit.api.call<{ linked: boolean; linkedAt?: string }>(s.token, 'GET', '/api/checkins/card-link');
    // The virtual cards exist outside production only; there the card reader app is the card.
    const list = kit.production ? undefined : await kit.api.call<{ cards: Array<{ id: string; label: string; revoked: boolean }> }>(s.token, 'GET', '/api/checkins/dev/cards');
    ctx.status = status;
    await kit.page(ctx, 'qr-card', MESSAGES, `${BASE}/card`, {
      csrf: kit.csrf(s),
      error: feedback.error ?? null,
      notice: feedback.notice ?? null,
      linked: link.ok && link.body.linked,
      linkedAt: link.ok && link.body.linkedAt ? formatDateTime(link.body.linkedAt, lang) : null,
      cards: list?.ok ? list.body.cards : null,
    });
  }

  router.get('/card', async (ctx) => {
    const s = await kit.signedIn(ctx, 'qr');
    if (s) await cardPage(ctx, s, { notice: ctx.query.done === 'linked' ? translator(MESSAGES, kit.lang(ctx))('checkin-card.done') : ctx.query.done === 'unlinked' ? translator(MESSAGES, kit.lang(ctx))('checkin-card.removed') : null });
  });

  /** The (virtual) card signs PASS's link challenge with its user-authentication key; PASS verifies and links it. */
  router.post('/card', form, async (ctx) => {
    const s = await kit.signedIn(ctx, 'qr');
    if (!s) return;
    const lang = kit.lang(ctx);
    const t = translator(MESSAGES, lang);
    if (!kit.csrfOk(ctx, s)) return cardPage(ctx, s, { error: t('checkin-card.error.form') }, 403);
    const cardId = field(ctx, 'card');
    const pin = field(ctx, 'pin');
    if (!CARD_ID.test(cardId)) return cardPage(ctx, s, { error: t('checkin-card.error.generic') }, 422);
    // A PIN that cannot be right is refused before it costs one of the card's three attempts.
    if (!AUTH_PIN.test(pin)) return cardPage(ctx, s, { error: t('checkin-card.error.pin') }, 400);
    const challenge = await kit.api.call<{ challengeId: string; challenge: string }>(s.token, 'POST', '/api/checkins/card-link/challenge');
    if (!challenge.ok) return cardPage(ctx, s, { error: refusalText(challenge, lang, t('checkin-card.error.generic')) }, challenge.status);
    const signed = await kit.api.call<{ certificate: string; signature: string }>(s.token, 'POST', `/api/checkins/dev/cards/${cardId}/authenticate`, { json: { pin, challenge: challenge.body.challenge } });
    if (!signed.ok) return cardPage(ctx, s, { error: refusalText(signed, lang, t('checkin-card.error.generic')) }, signed.status);
    const linked = await kit.api.call(s.token, 'POST', '/api/checkins/card-link', { json: { challengeId: challenge.body.challengeId, certificate: signed.body.certificate, signature: signed.body.signature } });
    if (!linked.ok) return cardPage(ctx, s, { error: refusalText(linked, lang, t('checkin-card.error.generic')) }, linked.status);
    kit.seeOther(ctx, `${BASE}/card?done=linked`);
  });

  router.post('/card/unlink', form, async (ctx) => {
    const s = await kit.signedIn(ctx, 'qr');
    if (!s) return;
    if (!kit.csrfOk(ctx, s)) return cardPage(ctx, s, { error: translator(MESSAGES, kit.lang(ctx))('checkin-card.error.form') }, 403);
    await kit.api.call(s.token, 'DELETE', '/api/checkins/card-link');
    kit.seeOther(ctx, `${BASE}/card?done=unlinked`);
  });

  return router;
}

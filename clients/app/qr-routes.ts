/**
 * The check-in screens of the PASS app:
 * - /app/qr: a signed, short-lived, single-use code from POST /api/checkins/qr-token, drawn on the
 *   server (no script) and renewed by the page itself (HTTP Refresh) well before it expires. The
 *   kiosk reads it with its camera. A household's representative switches between the people the
 *   account acts for (?person=<id>: self or a member); each gets a code naming that person, so the
 *   kiosk checks the child in, not the guardian. PASS refuses anyone else (qr_not_managed).
 * - /app/qr/card: links the resident's own My Number Card (a renewed card, or one not read at
 *   proofing), so that holding it to a kiosk checks them in as themselves: PASS issues a link
 *   challenge, the card signs it with its user-authentication key (4-digit PIN) and its signature
 *   key (signature password) in one session, and PASS links it only when the signature
 *   certificate is the resident's (/api/checkins/card-link). The cards a newer one replaced stay
 *   listed, greyed. In development the card is the virtual card behind /api/identity/jpki/dev/cards;
 *   in production the card reader app answers the same challenge.
 * The home tile (checkinSection) appears once the resident has a facility registration in use.
 */
import Router from '@koa/router';
import type { Context } from 'koa';
import { koaBody } from 'koa-body';
import QRCode from 'qrcode';
import { translator } from '../../src/http/i18n.ts';
import { APP_MESSAGES } from './messages.ts';
import { QR_APP_MESSAGES } from './qr-messages.ts';
import { CARD_LINK_MESSAGES } from './card-link-messages.ts';
import { SIGN_PIN } from './proofing/routes.ts';
import { formatDateTime } from './format.ts';
import type { FeatureKit, SignedIn } from './feature-kit.ts';
import { refusalText } from './pass-api.ts';
import type { HomeSection, SectionEnv } from './sections.ts';
import type { RpSession } from '../shared/relying-party.ts';

export { QR_APP_MESSAGES };

/** A card as the card-link API lists it. */
interface LinkedCardView {
  status: 'current' | 'revoked' | 'replaced' | 'unproven';
  linkedAt: string;
  replacedAt?: string;
  serialNumber?: string;
  notAfter?: string;
}

const BASE = '/app/qr';
const CARD_ID = /^[a-z0-9][a-z0-9-]{0,63}$/;
const PERSON_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Someone whose code the account may show: its own person (representative) or a household member. */
interface QrPerson {
  id: string;
  name: string | null;
  self: boolean;
}
const AUTH_PIN = /^\d{4}$/;

const MESSAGES = { ...APP_MESSAGES, ...QR_APP_MESSAGES };
const form = koaBody({ urlencoded: true, json: false, multipart: false, text: false, formLimit: '4kb' });

function field(ctx: Context, name: string): string {
  const value = (ctx.request.body as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' ? value.normalize('NFKC').trim().slice(0, 128) : '';
}

/** The home tile: shown only while the resident or a member of their household has a registration in use (else nothing to check in to). */
export async function checkinSection(session: RpSession, { api }: SectionEnv): Promise<HomeSection | undefined> {
  try {
    const answer = await api.call<{ registrations?: Array<{ status: string }> }>(session.tokens!.accessToken, 'GET', '/api/registrations');
    const inUse = answer.ok && answer.body.registrations?.some((r) => r.status === 'active');
    if (inUse) return { id: 'qr', titleKey: 'section.qr', textKey: 'section.qr.text', href: BASE, status: { key: 'qr.tile.ready', active: true } };
  } catch {
    // The home screen shows what it can.
  }
  return undefined;
}

export function qrAppRoutes(kit: FeatureKit): Router {
  const router = new Router({ prefix: BASE });

  /** The account's own person and the members of the household it represents, as PASS lists them (none: the resident alone). */
  async function qrPeople(token: string): Promise<QrPerson[]> {
    const household = await kit.api.call<{ members?: Array<{ person_id: string; relation: string; name: string | null }> }>(token, 'GET', '/api/households/me');
    if (!household.ok) return [];
    return (household.body.members ?? []).map((m) => ({ id: m.person_id, name: m.name, self: m.relation === 'representative' }));
  }

  router.get('/', async (ctx) => {
    const session = await kit.signedIn(ctx, 'qr');
    if (!session) return;
    const lang = kit.lang(ctx);
    const asked = typeof ctx.query.person === 'string' && PERSON_ID.test(ctx.query.person) ? ctx.query.person.toLowerCase() : undefined;
    const [people, answer] = await Promise.all([
      qrPeople(session.token),
      kit.api.call<{ token: string; expiresAt: string; ttlSeconds: number }>(session.token, 'POST', '/api/checkins/qr-token', asked ? { json: { personId: asked } } : undefined),
    ]);
    // The switcher appears only for someone who acts for others; the code names whom it is for.
    const holder = people.find((p) => (asked ? p.id === asked : p.self));
    const choice = { people: people.length > 1 ? people : [], current: holder?.id ?? null, holder: people.length > 1 && holder ? holder : null };
    if (!answer.ok) {
      // Another household's person is refused as such; anything else is a page saying to try again.
      if (answer.status === 403) ctx.status = 403;
      await kit.page(ctx, 'qr', MESSAGES, BASE, { image: null, expiresAt: null, ...choice, holder: null, error: refusalText(answer, lang, MESSAGES['qr.failed']![lang]) });
      return;
    }
    const image = await QRCode.toDataURL(answer.body.token, { errorCorrectionLevel: 'M', margin: 2, width: 320 });
    // Renewed a little before it expires (the same URL, so the same person), so the code on the screen is always usable.
    ctx.set('Refresh', String(Math.max(5, answer.body.ttlSeconds - 8)));
    await kit.page(ctx, 'qr', MESSAGES, BASE, { image, expiresAt: new Date(answer.body.expiresAt).toLocaleTimeString(lang === 'ja' ? 'ja-JP' : 'en-GB', { timeZone: 'Asia/Tokyo' }), ...choice });
  });

  /** The card link screen's words: the check-in screens' and its own. */
  const CARD_MESSAGES = { ...MESSAGES, ...CARD_LINK_MESSAGES };

  async function cardPage(ctx: Context, s: SignedIn<unknown>, feedback: { error?: string | null; notice?: string | null } = {}, status = 200): Promise<void> {
    const lang = kit.lang(ctx);
    const link = await kit.api.call<{ linked: boolean; linkedAt?: string; cards?: LinkedCardView[] }>(s.token, 'GET', '/api/checkins/card-link');
    // The virtual cards exist outside production only; there the card reader app is the card.
    const list = kit.production ? undefined : await kit.api.call<{ cards: Array<{ id: string; label: string; revoked: boolean; locked: boolean }> }>(s.token, 'GET', '/api/identity/jpki/dev/cards');
    ctx.status = status;
    await kit.page(ctx, 'qr-card', CARD_MESSAGES, `${BASE}/card`, {
      csrf: kit.csrf(s),
      error: feedback.error ?? null,
      notice: feedback.notice ?? null,
      linked: link.ok && link.body.linked,
      linkedAt: link.ok && link.body.linkedAt ? formatDateTime(link.body.linkedAt, lang) : null,
      // The current card first; the replaced ones stay listed, greyed, and never check anyone in.
      history: link.ok
        ? (link.body.cards ?? []).map((c) => ({
            status: c.status,
            serial: c.serialNumber ?? null,
            validUntil: c.notAfter ? formatDateTime(c.notAfter, lang) : null,
            linkedAt: formatDateTime(c.linkedAt, lang),
            replacedAt: c.replacedAt ? formatDateTime(c.replacedAt, lang) : null,
          }))
        : [],
      cards: list?.ok ? list.body.cards.filter((c) => !c.revoked && !c.locked) : null,
    });
  }

  router.get('/card', async (ctx) => {
    const s = await kit.signedIn(ctx, 'qr');
    const t = translator(CARD_MESSAGES, kit.lang(ctx));
    if (s) await cardPage(ctx, s, { notice: ctx.query.done === 'linked' ? t('checkin-card.done') : ctx.query.done === 'unlinked' ? t('checkin-card.removed') : null });
  });

  /**
   * One card session: the (virtual) card signs PASS's link challenge with its user-authentication
   * key (4-digit PIN) and its signature key (signature password), and PASS links it only if the
   * signature certificate is the resident's own (card_other_person otherwise).
   */
  router.post('/card', form, async (ctx) => {
    const s = await kit.signedIn(ctx, 'qr');
    if (!s) return;
    const lang = kit.lang(ctx);
    const t = translator(CARD_MESSAGES, lang);
    if (!kit.csrfOk(ctx, s)) return cardPage(ctx, s, { error: t('checkin-card.error.form') }, 403);
    const cardId = field(ctx, 'card');
    const pin = field(ctx, 'pin');
    const signPin = field(ctx, 'sign_pin').toUpperCase();
    if (!CARD_ID.test(cardId)) return cardPage(ctx, s, { error: t('checkin-card.error.generic') }, 422);
    // A PIN that cannot be right is refused before it costs one of the card's three attempts.
    if (!AUTH_PIN.test(pin)) return cardPage(ctx, s, { error: t('checkin-card.error.pin') }, 400);
    if (!SIGN_PIN.test(signPin)) return cardPage(ctx, s, { error: t('checkin-card.error.sign-pin') }, 400);
    const challenge = await kit.api.call<{ challengeId: string; challenge: string }>(s.token, 'POST', '/api/checkins/card-link/challenge');
    if (!challenge.ok) return cardPage(ctx, s, { error: refusalText(challenge, lang, t('checkin-card.error.generic')) }, challenge.status);
    const read = await kit.api.call<{ certificate: string; signature: string; authentication?: { certificate: string; signature: string } }>(
      s.token, 'POST', `/api/identity/jpki/dev/cards/${cardId}/sign`, { json: { pin: signPin, auth_pin: pin, challenge: challenge.body.challenge } },
    );
    if (!read.ok || !read.body.authentication) return cardPage(ctx, s, { error: refusalText(read, lang, t('checkin-card.error.generic')) }, read.ok ? 502 : read.status);
    const linked = await kit.api.call(s.token, 'POST', '/api/checkins/card-link', {
      json: {
        challengeId: challenge.body.challengeId,
        certificate: read.body.authentication.certificate,
        signature: read.body.authentication.signature,
        signatureProof: { certificate: read.body.certificate, signature: read.body.signature },
      },
    });
    if (!linked.ok) return cardPage(ctx, s, { error: refusalText(linked, lang, t('checkin-card.error.generic')) }, linked.status);
    kit.seeOther(ctx, `${BASE}/card?done=linked`);
  });

  router.post('/card/unlink', form, async (ctx) => {
    const s = await kit.signedIn(ctx, 'qr');
    if (!s) return;
    if (!kit.csrfOk(ctx, s)) return cardPage(ctx, s, { error: translator(CARD_MESSAGES, kit.lang(ctx))('checkin-card.error.form') }, 403);
    await kit.api.call(s.token, 'DELETE', '/api/checkins/card-link');
    kit.seeOther(ctx, `${BASE}/card?done=unlinked`);
  });

  return router;
}

/**
 * Identity proofing screens of the PASS app (/app/identity): prepare → the card signs the
 * challenge → check the basic four → registered. The card is read once with both PINs: its
 * signature key proves the person, and its user-authentication key (the same card, the same
 * challenge) makes it the person's card for kiosk check-in. Every step calls the proofing API
 * (/api/identity/jpki/...) with the resident's token, on the server. In development the card is
 * the virtual card behind /api/identity/jpki/dev; in production the PASS card reader app sends the
 * certificate and signature to the same /verify, and this screen explains that step instead.
 *
 * On a phone, which cannot talk to the card itself, the first way offered is the Digital Agency's
 * app (デジタル認証アプリ): the browser goes to its authorization server and comes back to
 * /app/identity/digital-agency/callback, whose answer PASS checks (/api/identity/digital-agency/…);
 * the basic four are then confirmed on the same screen as the card's.
 */
import Router from '@koa/router';
import type { Context } from 'koa';
import { koaBody } from 'koa-body';
import { translator } from '../../../src/http/i18n.ts';
import { APP_MESSAGES } from '../messages.ts';
import { formatDate, formatDateTime } from '../format.ts';
import type { FeatureKit, SignedIn } from '../feature-kit.ts';
import { refusalText, type ApiAnswer } from '../pass-api.ts';
import { PROOFING_APP_MESSAGES } from './messages.ts';

const MESSAGES = { ...APP_MESSAGES, ...PROOFING_APP_MESSAGES };
const BASE = '/app/identity';
const API = '/api/identity/jpki';
const DA_API = '/api/identity/digital-agency';
/** Phones and tablets: the Digital Agency's app is their way in (Web NFC cannot speak to the card). */
const PHONE = /Android|iPhone|iPad|iPod|Mobile/i;
/** What an authorization server's redirect may carry on to PASS (PASS checks each strictly). */
const CALLBACK_FIELDS = ['state', 'code', 'iss', 'session_state', 'error', 'error_description'] as const;
const FLOW = 'proofing';
/** The JPKI signature PIN: 6 to 16 capital letters and digits. */
export const SIGN_PIN = /^[A-Z0-9]{6,16}$/;
/** The user-authentication PIN: 4 digits. */
export const AUTH_PIN = /^\d{4}$/;
const CARD_ID = /^[a-z0-9][a-z0-9-]{0,63}$/;

export interface BasicFour {
  name: string;
  birthdate: string;
  gender?: 'male' | 'female';
  address: { formatted: string };
}

interface ProofingFlow {
  challenge?: { id: string; value: string; expiresAt: string };
  /** A request sent to the Digital Agency's app, awaiting the browser's return. */
  digitalAgency?: { requestId: string; expiresAt: string };
  pending?: {
    /** Where the facts came from: the card (default) or the Digital Agency's app. */
    source?: 'card' | 'digital_agency';
    verificationId: string;
    expiresAt: string;
    claims: BasicFour;
    substitution: { name: boolean; address: boolean };
    certificateExpiresAt: string;
    reverification: boolean;
    /** What becomes of the card for check-ins: linked on confirmation, or not one card's two certificates. */
    card: 'linked' | 'not_one_card' | 'not_read';
  };
}

interface DevCard {
  id: string;
  label: string;
  revoked: boolean;
  locked: boolean;
}

type Session = SignedIn<ProofingFlow>;

const form = koaBody({ urlencoded: true, json: false, multipart: false, text: false, formLimit: '4kb' });

function field(ctx: Context, name: string): string {
  const value = (ctx.request.body as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' ? value.trim().slice(0, 128) : '';
}

/** The basic four as the confirmation and status screens show them. */
export function factRows(claims: BasicFour, lang: 'ja' | 'en'): Array<{ key: string; value: string; id: string }> {
  const t = translator(MESSAGES, lang);
  return [
    { id: 'name', key: 'proofing.fact.name', value: claims.name },
    { id: 'birthdate', key: 'proofing.fact.birthdate', value: formatDate(claims.birthdate, lang) },
    { id: 'gender', key: 'proofing.fact.gender', value: t(claims.gender ? `proofing.gender.${claims.gender}` : 'proofing.gender.none') },
    { id: 'address', key: 'proofing.fact.address', value: claims.address.formatted },
  ];
}

export function proofingAppRoutes(kit: FeatureKit): Router {
  const router = new Router({ prefix: BASE });

  async function startPage(ctx: Context, s: Session, error: string | null = null, status = 200): Promise<void> {
    const lang = kit.lang(ctx);
    const [answer, da] = await Promise.all([
      kit.api.call<Record<string, any>>(s.token, 'GET', `${API}/verification`),
      kit.api.call<{ available?: boolean; environment?: string }>(s.token, 'GET', `${DA_API}/availability`),
    ]);
    const verified = answer.ok && answer.body.verified === true;
    const done = ctx.query.done === 'bound' || ctx.query.done === 'updated' ? `proofing.done.${ctx.query.done}` : null;
    ctx.status = status;
    await kit.page(ctx, 'proofing/proofing-start', MESSAGES, BASE, {
      csrf: kit.csrf(s),
      error: error ?? (answer.ok ? null : refusalText(answer, lang, translator(MESSAGES, lang)('proofing.error.generic'))),
      notice: done ? translator(MESSAGES, lang)(done) : null,
      verified,
      phone: PHONE.test(ctx.get('user-agent')),
      digitalAgency: da.ok && da.body.available === true ? { testing: da.body.environment !== 'production' } : null,
      facts: verified ? factRows(answer.body.claims as BasicFour, lang) : [],
      substitution: verified ? answer.body.substitute_characters : { name: false, address: false },
      verifiedAt: verified ? formatDateTime(String(answer.body.verified_at), lang) : null,
      history: verified
        ? (answer.body.history as Array<Record<string, any>>).map((h) => ({
            when: formatDateTime(String(h.verified_at), lang),
            serial: h.method === 'digital_agency_app' ? null : String(h.serial_number),
            revocation: String(h.revocation?.status ?? ''),
            current: h.current === true,
          }))
        : [],
    });
  }

  async function cardPage(ctx: Context, s: Session, error: string | null = null, status = 200, chosen = '', invalid: 'pin' | 'auth_pin' = 'pin'): Promise<void> {
    const challenge = s.flow?.challenge;
    if (!challenge) return kit.seeOther(ctx, BASE);
    const lang = kit.lang(ctx);
    // The virtual card exists outside production only; otherwise the native reader app is the card.
    const list = kit.production ? undefined : await kit.api.call<{ cards: DevCard[]; pin_hint?: string }>(s.token, 'GET', `${API}/dev/cards`);
    const cards = list?.ok ? list.body.cards : null;
    const usable = cards?.filter((c) => !c.locked && !c.revoked) ?? [];
    ctx.status = status;
    await kit.page(ctx, 'proofing/proofing-card', MESSAGES, `${BASE}/card`, {
      csrf: kit.csrf(s),
      error,
      cards,
      pinHint: list?.ok ? list.body.pin_hint : null,
      chosen: chosen || usable[0]?.id || '',
      pinInvalid: status === 400 && invalid === 'pin',
      authPinInvalid: status === 400 && invalid === 'auth_pin',
      expiresAt: formatDateTime(challenge.expiresAt, lang),
    });
  }

  router.get('/', async (ctx) => {
    const s = await kit.signedIn<ProofingFlow>(ctx, FLOW);
    if (s) await startPage(ctx, s);
  });

  router.post('/start', form, async (ctx) => {
    const s = await kit.signedIn<ProofingFlow>(ctx, FLOW);
    if (!s) return;
    const t = translator(MESSAGES, kit.lang(ctx));
    if (!kit.csrfOk(ctx, s)) return startPage(ctx, s, t('proofing.error.form'), 403);
    const answer = await kit.api.call<Record<string, string>>(s.token, 'POST', `${API}/challenge`);
    if (!answer.ok) return startPage(ctx, s, refusalText(answer, kit.lang(ctx), t('proofing.error.generic')), answer.status);
    await kit.saveFlow<ProofingFlow>(s, FLOW, {
      challenge: { id: String(answer.body.challenge_id), value: String(answer.body.challenge), expiresAt: String(answer.body.expires_at) },
    });
    kit.seeOther(ctx, `${BASE}/card`);
  });

  router.get('/card', async (ctx) => {
    const s = await kit.signedIn<ProofingFlow>(ctx, FLOW);
    if (s) await cardPage(ctx, s);
  });

  /** The virtual card signs the challenge (PIN checked by the card), then PASS verifies it. */
  router.post('/card', form, async (ctx) => {
    const s = await kit.signedIn<ProofingFlow>(ctx, FLOW);
    if (!s) return;
    const lang = kit.lang(ctx);
    const t = translator(MESSAGES, lang);
    const challenge = s.flow?.challenge;
    if (!kit.csrfOk(ctx, s)) return cardPage(ctx, s, t('proofing.error.form'), 403);
    if (!challenge || Date.parse(challenge.expiresAt) <= Date.now()) {
      await kit.saveFlow<ProofingFlow>(s, FLOW, undefined);
      return startPage(ctx, s, t('proofing.error.nochallenge'), 400);
    }
    const cardId = field(ctx, 'card');
    const pin = field(ctx, 'pin').toUpperCase();
    const authPin = field(ctx, 'auth_pin');
    if (!CARD_ID.test(cardId)) return cardPage(ctx, s, t('proofing.error.card'), 422);
    // A PIN that cannot be right is refused here, before it costs one of the card's attempts.
    if (!SIGN_PIN.test(pin)) return cardPage(ctx, s, t('proofing.error.pin_format'), 400, cardId);
    if (!AUTH_PIN.test(authPin)) return cardPage(ctx, s, t('proofing.error.authpin_format'), 400, cardId, 'auth_pin');

    // One card session: both keys sign the challenge, both certificates are read.
    const signed = await kit.api.call<{ certificate: string; signature: string; authentication?: { certificate: string; signature: string }; attempts_left?: number }>(
      s.token, 'POST', `${API}/dev/cards/${cardId}/sign`, { json: { pin, auth_pin: authPin, challenge: challenge.value } },
    );
    if (!signed.ok) {
      let text = refusalText(signed, lang, t('proofing.error.generic'));
      if ((signed.body.reason === 'wrong_pin' || signed.body.reason === 'wrong_auth_pin') && typeof signed.body.attempts_left === 'number') {
        text += `${lang === 'ja' ? '' : ' '}${t('proofing.error.attempts').replace('{n}', String(signed.body.attempts_left))}`;
      }
      return cardPage(ctx, s, text, signed.status === 400 ? 400 : signed.status, cardId, signed.body.reason === 'wrong_auth_pin' ? 'auth_pin' : 'pin');
    }
    const verified = await kit.api.call<Record<string, any>>(s.token, 'POST', `${API}/verify`, {
      json: { challenge_id: challenge.id, certificate: signed.body.certificate, signature: signed.body.signature, ...(signed.body.authentication ? { authentication: signed.body.authentication } : {}) },
    });
    if (!verified.ok) {
      // The challenge is used up by any verification attempt: the next try starts again.
      await kit.saveFlow<ProofingFlow>(s, FLOW, undefined);
      return startPage(ctx, s, refusalText(verified, lang, t('proofing.error.generic')), verified.status);
    }
    await kit.saveFlow<ProofingFlow>(s, FLOW, {
      pending: {
        verificationId: String(verified.body.verification_id),
        expiresAt: String(verified.body.expires_at),
        claims: verified.body.claims as BasicFour,
        substitution: verified.body.substitute_characters as { name: boolean; address: boolean },
        certificateExpiresAt: String(verified.body.certificate_expires_at),
        reverification: verified.body.reverification === true,
        card: verified.body.card?.linked === true ? 'linked' : verified.body.card?.read === true ? 'not_one_card' : 'not_read',
      },
    });
    kit.seeOther(ctx, `${BASE}/confirm`);
  });

  router.get('/confirm', async (ctx) => {
    const s = await kit.signedIn<ProofingFlow>(ctx, FLOW);
    if (!s) return;
    const pending = s.flow?.pending;
    if (!pending) return kit.seeOther(ctx, BASE);
    const lang = kit.lang(ctx);
    await kit.page(ctx, 'proofing/proofing-confirm', MESSAGES, `${BASE}/confirm`, {
      csrf: kit.csrf(s),
      source: pending.source ?? 'card',
      facts: factRows(pending.claims, lang),
      substitution: pending.substitution,
      reverification: pending.reverification,
      card: pending.card,
      certificateUntil: formatDateTime(pending.certificateExpiresAt, lang),
    });
  });

  router.post('/confirm', form, async (ctx) => {
    const s = await kit.signedIn<ProofingFlow>(ctx, FLOW);
    if (!s) return;
    const t = translator(MESSAGES, kit.lang(ctx));
    const pending = s.flow?.pending;
    if (!kit.csrfOk(ctx, s)) return startPage(ctx, s, t('proofing.error.form'), 403);
    if (!pending) return kit.seeOther(ctx, BASE);
    const confirmAt = pending.source === 'digital_agency' ? `${DA_API}/confirm` : `${API}/confirm`;
    const answer: ApiAnswer<Record<string, any>> = await kit.api.call(s.token, 'POST', confirmAt, { json: { verification_id: pending.verificationId } });
    await kit.saveFlow<ProofingFlow>(s, FLOW, undefined);
    if (!answer.ok) return startPage(ctx, s, refusalText(answer, kit.lang(ctx), t('proofing.error.generic')), answer.status);
    kit.seeOther(ctx, `${BASE}?done=${answer.body.status === 'updated' ? 'updated' : 'bound'}`);
  });

  /** The phone way: PASS makes the authorization request; the browser is sent to the Digital Agency's app. */
  router.post('/digital-agency/start', form, async (ctx) => {
    const s = await kit.signedIn<ProofingFlow>(ctx, FLOW);
    if (!s) return;
    const lang = kit.lang(ctx);
    const t = translator(MESSAGES, lang);
    if (!kit.csrfOk(ctx, s)) return startPage(ctx, s, t('proofing.error.form'), 403);
    const answer = await kit.api.call<Record<string, string>>(s.token, 'POST', `${DA_API}/start`);
    if (!answer.ok) return startPage(ctx, s, refusalText(answer, lang, t('proofing.error.generic')), answer.status);
    await kit.saveFlow<ProofingFlow>(s, FLOW, { digitalAgency: { requestId: String(answer.body.request_id), expiresAt: String(answer.body.expires_at) } });
    kit.seeOther(ctx, String(answer.body.authorization_url));
  });

  /** Back from the Digital Agency's app: PASS checks the answer; the facts are then confirmed like the card's. */
  router.get('/digital-agency/callback', async (ctx) => {
    const s = await kit.signedIn<ProofingFlow>(ctx, FLOW);
    if (!s) return;
    const lang = kit.lang(ctx);
    const t = translator(MESSAGES, lang);
    const request = s.flow?.digitalAgency;
    // Each return is used once: the flow is cleared whatever PASS says.
    await kit.saveFlow<ProofingFlow>(s, FLOW, undefined);
    if (!request) return startPage(ctx, s, t('proofing.error.da_callback'), 400);
    const answer: Record<string, string> = { request_id: request.requestId };
    for (const name of CALLBACK_FIELDS) {
      const value = ctx.query[name];
      if (typeof value === 'string') answer[name] = value.slice(0, 4096);
    }
    const verified = await kit.api.call<Record<string, any>>(s.token, 'POST', `${DA_API}/callback`, { json: answer });
    if (!verified.ok) return startPage(ctx, s, refusalText(verified, lang, t('proofing.error.generic')), verified.status);
    await kit.saveFlow<ProofingFlow>(s, FLOW, {
      pending: {
        source: 'digital_agency',
        verificationId: String(verified.body.verification_id),
        expiresAt: String(verified.body.expires_at),
        claims: verified.body.claims as BasicFour,
        substitution: { name: false, address: false },
        certificateExpiresAt: String(verified.body.expires_at),
        reverification: verified.body.reverification === true,
        card: 'not_read',
      },
    });
    kit.seeOther(ctx, `${BASE}/confirm`);
  });

  router.post('/cancel', form, async (ctx) => {
    const s = await kit.signedIn<ProofingFlow>(ctx, FLOW);
    if (!s) return;
    if (kit.csrfOk(ctx, s)) await kit.saveFlow<ProofingFlow>(s, FLOW, undefined);
    kit.seeOther(ctx, BASE);
  });

  return router;
}

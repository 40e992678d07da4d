/**
 * Family screens of the PASS app (/app/family): the household, adding a child (the card's
 * text-input-support AP and its 4-digit PIN) or an adult family member (signature certificate),
 * confirming the facts read from the card, and removing a member. Every step calls the household
 * API (/api/households/...) with the resident's token. In development the card is a virtual card;
 * in production the PASS smartphone app reads it and sends the same data to /verify. A member
 * without a phone that reads cards (a grandparent) is pre-registered here by name and birthdate and
 * finishes at a municipal kiosk with their card, PIN and face within 24 hours (docs/card.md).
 */
import Router from '@koa/router';
import type { Context } from 'koa';
import { koaBody } from 'koa-body';
import { translator, type Lang } from '../../../src/http/i18n.ts';
import { APP_MESSAGES } from '../messages.ts';
import { formatDate } from '../format.ts';
import type { FeatureKit, SignedIn } from '../feature-kit.ts';
import { refusalText } from '../pass-api.ts';
import { FAMILY_APP_MESSAGES } from './messages.ts';

export const MESSAGES = { ...APP_MESSAGES, ...FAMILY_APP_MESSAGES };
const BASE = '/app/family';
const API = '/api/households';
const FLOW = 'family';
const CARD_ID = /^[a-z0-9][a-z0-9-]{0,63}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

interface Claims {
  name: string;
  birthdate: string;
  gender?: string;
  address: { formatted: string };
}

interface FamilyFlow {
  pending?: { verificationId: string; relation: string; assurance: string; claims: Claims };
}

type Session = SignedIn<FamilyFlow>;
type Kind = 'text' | 'signature';

const form = koaBody({ urlencoded: true, json: false, multipart: false, text: false, formLimit: '4kb' });

function field(ctx: Context, name: string, max = 128): string {
  const value = (ctx.request.body as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' ? value.trim().slice(0, max) : '';
}

export function factRows(claims: Claims, assurance: string, lang: Lang): Array<{ id: string; key: string; value: string }> {
  const t = translator(MESSAGES, lang);
  return [
    { id: 'name', key: 'fact.name', value: claims.name },
    { id: 'birthdate', key: 'fact.birthdate', value: formatDate(claims.birthdate, lang) },
    { id: 'gender', key: 'fact.gender', value: t(claims.gender ? `gender.${claims.gender}` : 'gender.none') },
    { id: 'address', key: 'fact.address', value: claims.address.formatted },
    { id: 'assurance', key: 'fact.assurance', value: t(`family.assurance.${assurance}`) },
  ];
}

export function familyAppRoutes(kit: FeatureKit): Router {
  const router = new Router({ prefix: BASE });

  async function listPage(ctx: Context, s: Session, problem: string | null = null, status = 200): Promise<void> {
    const lang = kit.lang(ctx);
    const t = translator(MESSAGES, lang);
    const answer = await kit.api.call<{ members: Array<Record<string, any>>; representative: boolean }>(s.token, 'GET', `${API}/me`);
    const pre = await kit.api.call<{ preregistrations: Array<Record<string, any>> }>(s.token, 'GET', `${API}/preregistrations`);
    const news = ctx.query.added ? t('family.added') : ctx.query.removed ? t('family.removed') : ctx.query.preregistered ? t('family.pre.done') : ctx.query.cancelled ? t('family.pre.cancelled') : null;
    ctx.status = status;
    await kit.page(ctx, 'family/family', MESSAGES, BASE, {
      csrf: kit.csrf(s),
      error: problem ?? (answer.ok ? null : refusalText(answer, lang, t('family.error'))),
      notice: news,
      members: (answer.ok ? answer.body.members : []).map((m) => ({
        id: String(m.person_id),
        relation: String(m.relation),
        name: m.name ? String(m.name) : '—',
        birthdate: m.birthdate ? formatDate(String(m.birthdate), lang) : '',
        age: m.age,
        assurance: m.assurance,
        face: m.face_enrolled === true,
      })),
      preregistrations: (pre.ok ? pre.body.preregistrations : [])
        .filter((p) => p.state !== 'completed')
        .map((p) => ({ id: String(p.id), name: String(p.name), relation: String(p.relation), birthdate: formatDate(String(p.birthdate), lang), state: String(p.state), expires: String(p.expires_at) })),
    });
  }

  async function addPage(ctx: Context, s: Session, kind: Kind, problem: string | null = null, status = 200): Promise<void> {
    const list = kind === 'text'
      ? await kit.api.call<{ cards: Array<{ id: string; label: string; locked: boolean }> }>(s.token, 'GET', `${API}/dev/text-cards`)
      : await kit.api.call<{ cards: Array<{ id: string; label: string; locked: boolean; revoked?: boolean }> }>(s.token, 'GET', '/api/identity/jpki/dev/cards');
    ctx.status = status;
    await kit.page(ctx, 'family/family-add', MESSAGES, `${BASE}/add?kind=${kind}`, {
      csrf: kit.csrf(s),
      error: problem,
      kind,
      cards: list.ok ? list.body.cards.filter((c) => !c.locked && !(c as { revoked?: boolean }).revoked) : null,
    });
  }

  router.get('/', async (ctx) => {
    const s = await kit.signedIn<FamilyFlow>(ctx, FLOW);
    if (s) await listPage(ctx, s);
  });

  router.get('/add', async (ctx) => {
    const s = await kit.signedIn<FamilyFlow>(ctx, FLOW);
    if (s) await addPage(ctx, s, ctx.query.kind === 'signature' ? 'signature' : 'text');
  });

  router.post('/add', form, async (ctx) => {
    const s = await kit.signedIn<FamilyFlow>(ctx, FLOW);
    if (!s) return;
    const lang = kit.lang(ctx);
    const t = translator(MESSAGES, lang);
    const kind: Kind = field(ctx, 'kind') === 'signature' ? 'signature' : 'text';
    if (!kit.csrfOk(ctx, s)) return addPage(ctx, s, kind, t('family.error'), 403);
    const card = field(ctx, 'card', 64);
    const pin = field(ctx, 'pin', 16);
    const relation = kind === 'text' ? 'child' : field(ctx, 'relation') === 'child' ? 'child' : 'parent';
    if (!CARD_ID.test(card) || !pin) return addPage(ctx, s, kind, t('family.error'), 400);
    const method = kind === 'text' ? 'jpki_text_ap' : 'jpki_signature';
    const challenge = await kit.api.call<Record<string, string>>(s.token, 'POST', `${API}/members/challenge`, { json: { method } });
    if (!challenge.ok) return addPage(ctx, s, kind, refusalText(challenge, lang, t('family.error')), challenge.status);
    let body: Record<string, unknown>;
    if (kind === 'text') {
      const read = await kit.api.call<Record<string, string>>(s.token, 'POST', `${API}/dev/text-cards/${card}/read`, { json: { pin, challenge: challenge.body.challenge } });
      if (!read.ok) return addPage(ctx, s, kind, refusalText(read, lang, t('family.error')), read.status);
      const { ef0002, ef0003, ef0004, ef0007, signature } = read.body;
      body = { method, relation, challenge_id: challenge.body.challenge_id, text_ap: { ef0002, ef0003, ef0004, ef0007, signature } };
    } else {
      const signed = await kit.api.call<Record<string, string>>(s.token, 'POST', `/api/identity/jpki/dev/cards/${card}/sign`, { json: { pin: pin.toUpperCase(), challenge: challenge.body.challenge } });
      if (!signed.ok) return addPage(ctx, s, kind, refusalText(signed, lang, t('family.error')), signed.status);
      body = { method, relation, challenge_id: challenge.body.challenge_id, certificate: signed.body.certificate, signature: signed.body.signature };
    }
    const verified = await kit.api.call<Record<string, any>>(s.token, 'POST', `${API}/members/verify`, { json: body });
    if (!verified.ok) return addPage(ctx, s, kind, refusalText(verified, lang, t('family.error')), verified.status);
    await kit.saveFlow<FamilyFlow>(s, FLOW, {
      pending: { verificationId: String(verified.body.verification_id), relation: String(verified.body.relation), assurance: String(verified.body.assurance), claims: verified.body.claims as Claims },
    });
    kit.seeOther(ctx, `${BASE}/confirm`);
  });

  router.get('/confirm', async (ctx) => {
    const s = await kit.signedIn<FamilyFlow>(ctx, FLOW);
    if (!s) return;
    const pending = s.flow?.pending;
    if (!pending) return kit.seeOther(ctx, BASE);
    await kit.page(ctx, 'family/family-confirm', MESSAGES, `${BASE}/confirm`, {
      csrf: kit.csrf(s),
      relation: pending.relation,
      facts: factRows(pending.claims, pending.assurance, kit.lang(ctx)),
    });
  });

  router.post('/confirm', form, async (ctx) => {
    const s = await kit.signedIn<FamilyFlow>(ctx, FLOW);
    if (!s) return;
    const t = translator(MESSAGES, kit.lang(ctx));
    const pending = s.flow?.pending;
    if (!pending || !kit.csrfOk(ctx, s)) return kit.seeOther(ctx, BASE);
    await kit.saveFlow<FamilyFlow>(s, FLOW, undefined);
    const added = await kit.api.call(s.token, 'POST', `${API}/members/confirm`, { json: { verification_id: pending.verificationId } });
    if (!added.ok) return listPage(ctx, s, refusalText(added, kit.lang(ctx), t('family.error')), added.status);
    kit.seeOther(ctx, `${BASE}/?added=1`);
  });

  router.post('/cancel', form, async (ctx) => {
    const s = await kit.signedIn<FamilyFlow>(ctx, FLOW);
    if (s && kit.csrfOk(ctx, s)) await kit.saveFlow<FamilyFlow>(s, FLOW, undefined);
    kit.seeOther(ctx, BASE);
  });

  router.post('/preregister', form, async (ctx) => {
    const s = await kit.signedIn<FamilyFlow>(ctx, FLOW);
    if (!s) return;
    const lang = kit.lang(ctx);
    const t = translator(MESSAGES, lang);
    const name = field(ctx, 'name', 100);
    const birthdate = field(ctx, 'birthdate', 10);
    const relation = field(ctx, 'relation') === 'child' ? 'child' : 'parent';
    if (!kit.csrfOk(ctx, s)) return listPage(ctx, s, t('family.error'), 403);
    if (!name || !DATE.test(birthdate)) return listPage(ctx, s, t('family.pre.invalid'), 400);
    const created = await kit.api.call(s.token, 'POST', `${API}/preregistrations`, { json: { relation, name, birthdate } });
    if (!created.ok) return listPage(ctx, s, refusalText(created, lang, t('family.error')), created.status);
    kit.seeOther(ctx, `${BASE}/?preregistered=1`);
  });

  router.post('/preregistrations/:id/cancel', form, async (ctx) => {
    const s = await kit.signedIn<FamilyFlow>(ctx, FLOW);
    if (!s) return;
    const t = translator(MESSAGES, kit.lang(ctx));
    const id = String(ctx.params.id);
    if (!UUID.test(id) || !kit.csrfOk(ctx, s)) return listPage(ctx, s, t('family.error'), 400);
    const cancelled = await kit.api.call(s.token, 'DELETE', `${API}/preregistrations/${id}`);
    if (!cancelled.ok) return listPage(ctx, s, refusalText(cancelled, kit.lang(ctx), t('family.error')), cancelled.status);
    kit.seeOther(ctx, `${BASE}/?cancelled=1`);
  });

  router.post('/:personId/remove', form, async (ctx) => {
    const s = await kit.signedIn<FamilyFlow>(ctx, FLOW);
    if (!s) return;
    const t = translator(MESSAGES, kit.lang(ctx));
    const personId = String(ctx.params.personId);
    if (!UUID.test(personId) || !kit.csrfOk(ctx, s)) return listPage(ctx, s, t('family.error'), 400);
    const removed = await kit.api.call(s.token, 'DELETE', `${API}/members/${personId}`);
    if (!removed.ok) return listPage(ctx, s, refusalText(removed, kit.lang(ctx), t('family.error')), removed.status);
    kit.seeOther(ctx, `${BASE}/?removed=1`);
  });

  return router;
}

/**
 * The resident's side of check-in:
 *   POST   /api/checkins/qr-token               (pass:api, a resident) { personId? } → { token, expiresAt, ttlSeconds }
 *          (a household member's code for their representative; anyone else: 403 qr_not_managed)
 *   POST   /api/checkins/card-link/challenge    (pass:api) → { challengeId, challenge, expiresAt }
 *   POST   /api/checkins/card-link              (pass:api) { challengeId, certificate, signature, signatureProof? | textAp? }
 *                                               → { linked, linkedAt, card }; card_other_person unless the card is shown
 *                                               to be the resident's own (src/identity/proofing/card-binding.ts)
 *   GET    /api/checkins/card-link              (pass:api) → { linked, linkedAt?, cards: [current first, then replaced] }
 *   DELETE /api/checkins/card-link              (pass:api) → { linked: false }
 * The card's proofs come from the card itself (the kiosk's card bridge, the resident's reader):
 * no route here signs as a card.
 */
import Router from '@koa/router';
import type { Context, Middleware } from 'koa';
import { z } from 'zod';
import type { Database } from '../db/database.ts';
import { PassError } from '../core/errors.ts';
import type { QrTokens } from '../checkins/qr-tokens.ts';
import { qrSubject } from '../checkins/qr-subjects.ts';
import { CHECKIN_REASONS } from '../checkins/messages.ts';
import { apiEdge, exposing, textForCode } from '../http/api-edge.ts';
import type { CardBinding } from '../identity/proofing/card-binding.ts';
import type { LinkedCard } from '../identity/proofing/card-links.ts';
import { PROOFING_REASONS } from '../identity/proofing/messages.ts';
import { FaceStore } from '../face/service/template-store.ts';
import { jsonBody, kioskErrors, noStore, validate } from './edge.ts';

const base64 = (max: number) => z.string().max(Math.ceil(max / 3) * 4 + 4).regex(/^[A-Za-z0-9+/]+={0,2}$/).transform((s) => new Uint8Array(Buffer.from(s, 'base64')));
const qrTokenBody = z.object({ personId: z.uuid().optional() }).strict();
const signed = z.object({ certificate: base64(8192), signature: base64(1024) });
const TEXT_AP_FILE = 4096;
const linkBody = z.object({
  challengeId: z.string().min(1).max(64),
  certificate: base64(8192),
  signature: base64(1024),
  signatureProof: signed.optional(),
  textAp: z
    .object({ ef0002: base64(TEXT_AP_FILE), ef0003: base64(TEXT_AP_FILE), ef0004: base64(TEXT_AP_FILE), ef0007: base64(TEXT_AP_FILE), signature: base64(1024) })
    .optional(),
});

/** The card-link API speaks to the resident: identity's words for the card first, then the check-in reasons. */
function cardLinkErrors(): Middleware {
  return apiEdge({
    reasons: [PROOFING_REASONS, CHECKIN_REASONS],
    fallback: (error) => (error.code === 'invalid_input' ? CHECKIN_REASONS.text('invalid_request') : textForCode(error)),
    details: exposing(['attempts_left']),
    detailsAt: 'nested',
  });
}

function cardView(card: LinkedCard): Record<string, unknown> {
  return {
    status: card.status,
    linkedVia: card.via,
    linkedAt: card.linkedAt.toISOString(),
    ...(card.replacedAt ? { replacedAt: card.replacedAt.toISOString() } : {}),
    ...(card.serialNumber ? { serialNumber: card.serialNumber, issuer: card.issuer, fingerprint: card.fingerprint } : {}),
    ...(card.notBefore && card.notAfter ? { notBefore: card.notBefore.toISOString(), notAfter: card.notAfter.toISOString() } : {}),
  };
}

export function residentRoutes(deps: { db: Database; auth: Middleware; qr: QrTokens; binding: CardBinding }): Router {
  const router = new Router({ prefix: '/api/checkins' });
  const persons = new FaceStore(deps.db);
  router.use(kioskErrors());

  function accountOf(ctx: Context): { accountId: string; clientId: string } {
    const principal = ctx.state.principal;
    if (!principal?.accountId) throw new PassError('forbidden', 'account_required', 'a resident token is required');
    return { accountId: principal.accountId, clientId: principal.clientId };
  }

  router.post('/qr-token', deps.auth, jsonBody, validate({ body: qrTokenBody }), async (ctx) => {
    const personId = await qrSubject(deps.db, accountOf(ctx).accountId, ctx.state.input.body.personId);
    const issued = await deps.qr.issue(personId);
    noStore(ctx, { token: issued.token, expiresAt: issued.expiresAt.toISOString(), ttlSeconds: deps.qr.ttlSeconds }, 201);
  });

  router.post('/card-link/challenge', cardLinkErrors(), deps.auth, async (ctx) => {
    const { accountId, clientId } = accountOf(ctx);
    const issued = await deps.binding.challenge(accountId, clientId);
    noStore(ctx, { challengeId: issued.challengeId, challenge: Buffer.from(issued.challenge).toString('base64'), expiresAt: issued.expiresAt.toISOString() }, 201);
  });

  /** A client-only token is refused before the body's fields are looked at. */
  const resident: Middleware = async (ctx, next) => {
    accountOf(ctx);
    await next();
  };

  router.post('/card-link', cardLinkErrors(), deps.auth, jsonBody, resident, validate({ body: linkBody }), async (ctx) => {
    const { accountId } = accountOf(ctx);
    const { challengeId, certificate, signature, signatureProof, textAp } = ctx.state.input.body;
    const card = await deps.binding.link(accountId, {
      challengeId,
      authentication: { certificate, signature },
      ...(signatureProof ? { signatureProof } : {}),
      ...(textAp ? { textAp: { ef0002: textAp.ef0002, ef0003: textAp.ef0003, ef0004: textAp.ef0004, ef0007: textAp.ef0007, challengeSignature: textAp.signature } } : {}),
    });
    noStore(ctx, { linked: true, linkedAt: card.linkedAt.toISOString(), card: cardView(card) }, 201);
  });

  router.get('/card-link', cardLinkErrors(), deps.auth, async (ctx) => {
    const cards = await deps.binding.cards(await persons.selfPerson(accountOf(ctx).accountId));
    const current = cards.find((c) => c.status === 'current');
    noStore(ctx, { linked: Boolean(current), ...(current ? { linkedAt: current.linkedAt.toISOString() } : {}), cards: cards.map(cardView) });
  });

  router.delete('/card-link', cardLinkErrors(), deps.auth, async (ctx) => {
    const { accountId } = accountOf(ctx);
    await deps.binding.unlink(accountId, await persons.selfPerson(accountId));
    noStore(ctx, { linked: false });
  });
  return router;
}

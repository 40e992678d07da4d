/**
 * The resident's side of check-in, and the development card reader of the kiosk:
 *   POST /api/checkins/qr-token             (pass:api, a resident) → { token, expiresAt, ttlSeconds }
 *   GET  /api/kiosk/dev/cards               (kiosk) the virtual My Number Cards (development only)
 *   POST /api/kiosk/dev/cards/:id/authenticate  (kiosk) { pin, challenge } → { certificate, signature }
 * The dev reader plays the card: it signs with the user-authentication key after the 4-digit PIN
 * (three wrong PINs lock it until PASS restarts). Never mounted in production.
 */
import Router from '@koa/router';
import type { Context, Middleware } from 'koa';
import { z } from 'zod';
import type { Database } from '../db/database.ts';
import { ForbiddenError, InvalidInputError, PassError } from '../core/errors.ts';
import type { QrTokens } from '../checkins/qr-tokens.ts';
import type { DevCardStore } from '../identity/proofing/dev-cards.ts';
import { FaceStore } from '../face/service/template-store.ts';
import { jsonBody, kioskErrors, noStore, parse } from './edge.ts';

export function residentRoutes(deps: { db: Database; auth: Middleware; qr: QrTokens }): Router {
  const router = new Router({ prefix: '/api/checkins' });
  const persons = new FaceStore(deps.db);
  router.use(kioskErrors());
  router.post('/qr-token', deps.auth, async (ctx: Context) => {
    const accountId = ctx.state.principal?.accountId;
    if (!accountId) throw new PassError('forbidden', 'account_required', 'a resident token is required');
    const personId = await persons.selfPerson(accountId);
    const issued = await deps.qr.issue(personId);
    noStore(ctx, { token: issued.token, expiresAt: issued.expiresAt.toISOString(), ttlSeconds: deps.qr.ttlSeconds }, 201);
  });
  return router;
}

const AUTH_PIN_ATTEMPTS = 3;
const signBody = z.object({
  pin: z.string().regex(/^\d{4}$/, { error: 'the PIN has 4 digits' }),
  challenge: z.string().max(1400).regex(/^[A-Za-z0-9+/]+={0,2}$/),
});

export function devCardReaderRoutes(deps: { cards: () => DevCardStore | undefined; kiosk: Middleware[] }): Router {
  const router = new Router({ prefix: '/api/kiosk/dev/cards' });
  const attempts = new Map<string, number>();
  router.use(kioskErrors(), ...deps.kiosk);

  function store(): DevCardStore {
    const cards = deps.cards();
    if (!cards) throw new ForbiddenError('development_only', 'no development card store');
    return cards;
  }

  router.get('/', async (ctx) => {
    const list = await store().list();
    noStore(ctx, { cards: list.map((c) => ({ id: c.id, label: c.label, revoked: c.revoked })), pin_hint: '1234' });
  });

  router.post('/:id/authenticate', jsonBody, async (ctx) => {
    const id = String(ctx.params.id);
    const body = parse(signBody, ctx.request.body);
    const left = attempts.get(id) ?? AUTH_PIN_ATTEMPTS;
    if (left <= 0) throw new ForbiddenError('pin_locked', 'the PIN is locked');
    const opened = await store().open(id);
    if (body.pin !== opened.authPin) {
      attempts.set(id, left - 1);
      throw new InvalidInputError('wrong_pin', 'wrong PIN', { attempts_left: left - 1 });
    }
    attempts.delete(id);
    const challenge = new Uint8Array(Buffer.from(body.challenge, 'base64'));
    const signature = opened.card.signChallenge('authentication', opened.authPin, challenge);
    noStore(ctx, {
      certificate: Buffer.from(opened.card.readAuthenticationCertificate()).toString('base64'),
      signature: Buffer.from(signature).toString('base64'),
    });
  });
  return router;
}

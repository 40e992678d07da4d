/**
 * Development only: the demo residents' simulated My Number Cards over HTTP, so the proofing flow
 * can be shown without a card reader. Each read is a real APDU session of the card library against
 * the APDU-level simulator (dev-cards.ts); the server never signs as a card itself. The app lists
 * the demo cards, and the card signs a challenge after the sign PIN is checked (three wrong PINs
 * lock it). Never mounted in production, and refused there.
 *   GET  /api/identity/jpki/dev/cards
 *   POST /api/identity/jpki/dev/cards/:id/sign   { pin, challenge, auth_pin? } → { certificate, signature, authentication? }
 * With `auth_pin` the card is read as the app reads it at proofing and card linking: in one
 * session, both keys sign the challenge and both certificates come back.
 */
import Router from '@koa/router';
import type { Middleware } from 'koa';
import { z } from 'zod';
import { ForbiddenError } from '../../core/errors.ts';
import type { DevCardStore } from './dev-cards.ts';
import { base64, jsonBody, proofingErrors, validate } from './http-edge.ts';
import { PROOFING_PREFIX } from './routes.ts';

const signBody = z.object({
  pin: z.string().min(1).max(16),
  challenge: base64(1024),
  auth_pin: z.string().regex(/^\d{4}$/).optional(),
});

export function devCardRoutes(cards: DevCardStore, auth: Middleware, production: boolean): Router {
  const router = new Router({ prefix: `${PROOFING_PREFIX}/dev` });
  router.use(proofingErrors(), async (_ctx, next) => {
    if (production) throw new ForbiddenError('development_only', 'the virtual card is refused in production');
    await next();
  }, auth);

  router.get('/cards', async (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    ctx.body = {
      cards: (await cards.list()).map((c) => ({ id: c.id, label: c.label, revoked: c.revoked, locked: c.locked })),
      pin_hint: 'PASS1234',
    };
  });

  router.post('/cards/:id/sign', jsonBody, validate({ body: signBody }), async (ctx) => {
    const { body } = ctx.state.input;
    const read = await cards.readCard(String(ctx.params.id), { signPin: body.pin, ...(body.auth_pin ? { authPin: body.auth_pin } : {}) }, body.challenge);
    const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');
    ctx.set('Cache-Control', 'no-store');
    ctx.body = {
      certificate: b64(read.signature.certificate),
      signature: b64(read.signature.signature),
      ...(read.authentication ? { authentication: { certificate: b64(read.authentication.certificate), signature: b64(read.authentication.signature) } } : {}),
    };
  });

  return router;
}

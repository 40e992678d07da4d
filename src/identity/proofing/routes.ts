/**
 * The proofing API of the PASS app (resource `${issuer}/api`, scope `pass:api`):
 *   POST /api/identity/jpki/challenge     → the exact bytes the card signs (base64)
 *   POST /api/identity/jpki/verify        → the verified basic four, for the resident to confirm (with
 *                                           `authentication`: the same card's user-authentication proof)
 *   POST /api/identity/jpki/confirm       → binds them, and the card, to the account's own person
 *   GET  /api/identity/jpki/verification  → the current verified identity and its history
 * Handlers are thin: validation declared with each route, rules in ProofingService, refusals answered by http-edge.ts.
 */
import Router from '@koa/router';
import type { Middleware } from 'koa';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { base64, jsonBody, opaqueId, proofingErrors, validate } from './http-edge.ts';
import type { ProofingService } from './proofing-service.ts';
import { principalOf, proofingStartLimit } from './start-limit.ts';

export const PROOFING_PREFIX = '/api/identity/jpki';

const MAX_CERTIFICATE_BYTES = 8192;
const MAX_SIGNATURE_BYTES = 1024;

const verifyBody = z.object({
  challenge_id: opaqueId,
  certificate: base64(MAX_CERTIFICATE_BYTES),
  signature: base64(MAX_SIGNATURE_BYTES),
  intermediates: z.array(base64(MAX_CERTIFICATE_BYTES)).max(4).optional(),
  authentication: z.object({ certificate: base64(MAX_CERTIFICATE_BYTES), signature: base64(MAX_SIGNATURE_BYTES) }).optional(),
});

const confirmBody = z.object({ verification_id: opaqueId });

export interface ProofingRoutesDeps {
  service: ProofingService;
  /** requireApiToken(…, ['pass:api']) */
  auth: Middleware;
  redis: Redis | undefined;
}

export function proofingRoutes({ service, auth, redis }: ProofingRoutesDeps): Router {
  const router = new Router({ prefix: PROOFING_PREFIX });
  const limitStarts = proofingStartLimit(redis, 'pass:rl:jpki-challenge');
  router.use(proofingErrors(), auth);

  router.post('/challenge', async (ctx) => {
    const principal = principalOf(ctx);
    await limitStarts(ctx);
    const issued = await service.issueChallenge(principal);
    ctx.set('Cache-Control', 'no-store');
    ctx.body = {
      challenge_id: issued.id,
      challenge: Buffer.from(issued.challenge).toString('base64'),
      digest_info: Buffer.from(issued.digestInfo).toString('base64'),
      signature_algorithm: 'RSASSA-PKCS1-v1_5 SHA-256',
      expires_at: issued.expiresAt.toISOString(),
      expires_in: Math.max(0, Math.round((issued.expiresAt.getTime() - Date.now()) / 1000)),
    };
  });

  router.post('/verify', jsonBody, validate({ body: verifyBody }), async (ctx) => {
    const { body } = ctx.state.input;
    const pending = await service.verify(principalOf(ctx), {
      challengeId: body.challenge_id,
      certificate: body.certificate,
      signature: body.signature,
      ...(body.intermediates ? { intermediates: body.intermediates } : {}),
      ...(body.authentication ? { authentication: body.authentication } : {}),
    });
    ctx.set('Cache-Control', 'no-store');
    ctx.body = {
      verification_id: pending.verificationId,
      expires_at: pending.expiresAt.toISOString(),
      claims: pending.claims,
      substitute_characters: pending.substitution,
      certificate_expires_at: pending.certificateNotAfter.toISOString(),
      reverification: pending.reverification,
      card: pending.card,
    };
  });

  router.post('/confirm', jsonBody, validate({ body: confirmBody }), async (ctx) => {
    const { body } = ctx.state.input;
    const result = await service.confirm(principalOf(ctx), body.verification_id);
    ctx.set('Cache-Control', 'no-store');
    ctx.body = {
      status: result.reverified ? 'updated' : 'bound',
      person_id: result.personId,
      verification_id: result.verificationId,
      verified_at: result.verifiedAt,
      claims: result.claims,
      card_linked: result.cardLinked,
    };
  });

  router.get('/verification', async (ctx) => {
    const { current, history } = await service.status(principalOf(ctx));
    ctx.set('Cache-Control', 'no-store');
    ctx.body = current
      ? {
          verified: true,
          person_id: current.personId,
          verified_at: current.evidence.verifiedAt,
          claims: current.claims,
          substitute_characters: current.substitution,
          history: history.map((h) => ({
            id: h.id,
            method: h.method,
            verified_at: h.verifiedAt.toISOString(),
            issuer: h.issuer,
            serial_number: h.serialNumber,
            revocation: { status: h.revocation.status, method: h.revocation.method, checked_at: h.revocation.checkedAt.toISOString() },
            current: h.current,
          })),
        }
      : { verified: false, history: [] };
  });

  return router;
}

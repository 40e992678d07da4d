/**
 * The PASS app's API for proofing through the Digital Agency's app (resource `${issuer}/api`,
 * scope `pass:api`):
 *   GET  /api/identity/digital-agency/availability → whether this PASS offers the path, and whose server it uses
 *   POST /api/identity/digital-agency/start     → the authorization URL to send the resident's browser to
 *   POST /api/identity/digital-agency/callback  → what the app received on its redirect URI; the basic four, to confirm
 *   POST /api/identity/digital-agency/confirm   → binds them to the account's own person
 * The current identity and its history stay at GET /api/identity/jpki/verification.
 */
import Router from '@koa/router';
import type { Middleware } from 'koa';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { jsonBody, opaqueId, proofingErrors, validate } from '../http-edge.ts';
import { PROOFING_REASONS } from '../messages.ts';
import type { DigitalAgencyProofing } from './digital-agency-proofing.ts';
import { principalOf, proofingStartLimit } from '../start-limit.ts';

export const DIGITAL_AGENCY_PREFIX = '/api/identity/digital-agency';

/** RFC 6749's VSCHAR: what `state`, `nonce` and `error` may hold (the reference limits them to 255). */
const vschar = (max: number) => z.string().min(1).max(max).regex(/^[\x20-\x7E]+$/);

const callbackBody = z
  .object({
    request_id: opaqueId,
    state: vschar(255),
    code: vschar(2048).optional(),
    iss: z.string().max(2048).optional(),
    session_state: vschar(255).optional(),
    error: vschar(64).optional(),
    error_description: z.string().max(1024).optional(),
  })
  .refine((b) => (b.code === undefined) !== (b.error === undefined), { message: 'exactly one of code and error', path: ['code'] });

const confirmBody = z.object({ verification_id: opaqueId });

export interface DigitalAgencyRoutesDeps {
  /** Undefined where the path is off (production without DIGITAL_AGENCY_*): every step answers 503. */
  service: DigitalAgencyProofing | undefined;
  auth: Middleware;
  redis: Redis | undefined;
}

export function digitalAgencyRoutes({ service, auth, redis }: DigitalAgencyRoutesDeps): Router {
  const router = new Router({ prefix: DIGITAL_AGENCY_PREFIX });
  const limitStarts = proofingStartLimit(redis, 'pass:rl:da-start');
  const configured = (): DigitalAgencyProofing => {
    if (!service) throw PROOFING_REASONS.refuse('digital_agency_unavailable', 'this PASS is not registered with the Digital Agency (DIGITAL_AGENCY_ISSUER)');
    return service;
  };
  router.use(proofingErrors(), auth);

  router.get('/availability', (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    ctx.body = service ? { available: true, environment: service.environment } : { available: false };
  });

  router.post('/start', async (ctx) => {
    const proofing = configured();
    const principal = principalOf(ctx);
    await limitStarts(ctx);
    const started = await proofing.start(principal);
    ctx.set('Cache-Control', 'no-store');
    ctx.body = {
      request_id: started.requestId,
      authorization_url: started.authorizationUrl,
      expires_at: started.expiresAt.toISOString(),
      expires_in: Math.max(0, Math.round((started.expiresAt.getTime() - Date.now()) / 1000)),
    };
  });

  router.post('/callback', jsonBody, validate({ body: callbackBody }), async (ctx) => {
    const proofing = configured();
    const { body } = ctx.state.input;
    const pending = await proofing.callback(principalOf(ctx), {
      requestId: body.request_id,
      state: body.state,
      ...(body.code !== undefined ? { code: body.code } : {}),
      ...(body.iss !== undefined ? { iss: body.iss } : {}),
      ...(body.error !== undefined ? { error: body.error } : {}),
    });
    ctx.set('Cache-Control', 'no-store');
    ctx.body = {
      verification_id: pending.verificationId,
      expires_at: pending.expiresAt.toISOString(),
      claims: pending.claims,
      reverification: pending.reverification,
    };
  });

  router.post('/confirm', jsonBody, validate({ body: confirmBody }), async (ctx) => {
    const proofing = configured();
    const result = await proofing.confirm(principalOf(ctx), ctx.state.input.body.verification_id);
    ctx.set('Cache-Control', 'no-store');
    ctx.body = {
      status: result.reverified ? 'updated' : 'bound',
      person_id: result.personId,
      verification_id: result.verificationId,
      verified_at: result.verifiedAt,
      claims: result.claims,
    };
  });

  return router;
}

/**
 * The face API of the PASS app (resource `${issuer}/api`, scope `pass:api`), for the signed-in
 * resident's own face:
 *   POST   /api/face/enrollment   raw image body (image/jpeg|png|webp) → enroll or replace (201 / 200);
 *                                  a person not proofed yet 403 identity_required, a face that is
 *                                  someone else's 409 face_belongs_to_other_person (enrollment/)
 *   GET    /api/face/enrollment   → { available, enrolled, modelId, enrolledAt, current }
 *   DELETE /api/face/enrollment   → 204 (also when nothing was enrolled)
 *   POST   /api/face/liveness/challenges  → 201 { challenge_id, steps: ['left'|'right', …], expires_at }: the
 *                                  random head turns the resident is asked for (liveness/challenge.ts)
 *   POST   /api/face/enrollment/live      { challenge_id, frames: [base64 JPEG, …] } → the burst judged on
 *                                  the server; passed: the first frame enrolled as POST /enrollment does,
 *                                  refused: 422 liveness_failed (nothing stored, the challenge used up)
 *   GET    /api/face/messages     → the ja/en text of every reason code (no token needed)
 * Templates never appear in any answer. Handlers are thin: rules in FaceService, errors in edge.ts.
 */
import Router from '@koa/router';
import type { Context, Middleware } from 'koa';
import { koaBody } from 'koa-body';
import { z } from 'zod';
import { InvalidInputError, PassError, UnavailableError } from '../../core/errors.ts';
import { jsonBody, jsonOnly } from '../../http/request-body.ts';
import { validate } from '../../http/validate.ts';
import { MAX_BURST_FRAMES, MIN_BURST_FRAMES } from '../liveness/challenge.ts';
import type { LivenessChecks } from '../liveness/liveness-checks.ts';
import type { FaceService } from '../service/face-service.ts';
import { FACE_MESSAGES } from '../messages.ts';
import { faceErrors, readImageBody } from './edge.ts';

export const FACE_PREFIX = '/api/face';

export interface FaceRoutesDeps {
  service: FaceService;
  /** requireApiToken(…, ['pass:api']) */
  auth: Middleware;
  maxUploadBytes: number;
  /** The active liveness challenge; undefined when no head-pose model is configured. */
  liveness?: LivenessChecks | undefined;
}

/** A camera frame of a burst: a JPEG of a kiosk or phone camera, at most 256 KiB (base64). */
const MAX_FRAME_BYTES = 256 * 1024;
const liveEnrollmentBody = z.strictObject({
  challenge_id: z.string().regex(/^[A-Za-z0-9_-]{16,64}$/, { error: 'the challenge id from /api/face/liveness/challenges' }),
  frames: z
    .array(z.base64().max(Math.ceil(MAX_FRAME_BYTES / 3) * 4, { error: `each frame at most ${MAX_FRAME_BYTES} bytes` }))
    .min(MIN_BURST_FRAMES)
    .max(MAX_BURST_FRAMES),
});

function accountOf(ctx: Context): string {
  const accountId = ctx.state.principal?.accountId;
  if (!accountId) throw new PassError('forbidden', 'account_required', 'this API acts for a signed-in resident; a client-only token cannot use it');
  return accountId;
}

async function ownPerson(ctx: Context, service: FaceService): Promise<string> {
  return service.store.selfPerson(accountOf(ctx));
}

export function faceRoutes({ service, auth, maxUploadBytes, liveness }: FaceRoutesDeps): Router {
  const router = new Router({ prefix: FACE_PREFIX });
  router.use(faceErrors());

  router.get('/messages', (ctx) => {
    ctx.set('Cache-Control', 'public, max-age=3600');
    ctx.body = FACE_MESSAGES;
  });

  router.get('/enrollment', auth, async (ctx) => {
    const status = await service.status(await ownPerson(ctx, service));
    ctx.set('Cache-Control', 'no-store');
    ctx.body = { available: service.available, ...(service.available ? {} : { reason: 'models_unavailable' }), ...status };
  });

  router.post('/enrollment', auth, async (ctx) => {
    const personId = await ownPerson(ctx, service);
    const photo = await readImageBody(ctx, maxUploadBytes);
    const result = await service.enroll(personId, photo, { accountId: accountOf(ctx) });
    ctx.set('Cache-Control', 'no-store');
    ctx.status = result.replaced ? 200 : 201;
    ctx.body = result;
  });

  const checks = (): LivenessChecks => {
    if (!liveness || !service.available) throw new UnavailableError('liveness_unavailable', 'the active liveness challenge is not available');
    return liveness;
  };
  // A burst of frames does not fit the 64 kB of the other JSON bodies.
  const burstBody = jsonOnly(
    koaBody({ json: true, urlencoded: false, multipart: false, text: false, jsonLimit: MAX_BURST_FRAMES * Math.ceil(MAX_FRAME_BYTES / 3) * 4 + 4096, jsonStrict: true }) as unknown as Middleware,
  );

  router.post('/liveness/challenges', auth, jsonBody, async (ctx) => {
    const issued = await checks().issue(`account:${accountOf(ctx)}`);
    ctx.set('Cache-Control', 'no-store');
    ctx.status = 201;
    ctx.body = { challenge_id: issued.challengeId, steps: issued.steps, expires_at: issued.expiresAt.toISOString() };
  });

  router.post('/enrollment/live', auth, burstBody, validate({ body: liveEnrollmentBody }), async (ctx) => {
    const { body } = ctx.state.input;
    const personId = await ownPerson(ctx, service);
    const frames = body.frames.map((frame) => new Uint8Array(Buffer.from(frame, 'base64')));
    const verdict = await checks().judge(`account:${accountOf(ctx)}`, body.challenge_id, frames);
    if (!verdict.passed) {
      throw new InvalidInputError('liveness_failed', 'the burst did not show the head turns asked for', { failure: verdict.failure, steps: verdict.steps, seen: verdict.seen }, 422);
    }
    const result = await service.enroll(personId, frames[verdict.frontalFrame]!, { accountId: accountOf(ctx) });
    ctx.set('Cache-Control', 'no-store');
    ctx.status = result.replaced ? 200 : 201;
    ctx.body = { ...result, liveness: verdict.presentationAttack };
  });

  router.delete('/enrollment', auth, async (ctx) => {
    await service.remove(await ownPerson(ctx, service));
    ctx.status = 204;
  });

  return router;
}

/**
 * The face API of the PASS app (resource `${issuer}/api`, scope `pass:api`), for the signed-in
 * resident's own face:
 *   POST   /api/face/enrollment   raw image body (image/jpeg|png|webp) → enroll or replace (201 / 200);
 *                                  a person not proofed yet 403 identity_required, a face that is
 *                                  someone else's 409 face_belongs_to_other_person (enrollment/)
 *   GET    /api/face/enrollment   → { available, enrolled, modelId, enrolledAt, current }
 *   DELETE /api/face/enrollment   → 204 (also when nothing was enrolled)
 *   GET    /api/face/messages     → the ja/en text of every reason code (no token needed)
 * Templates never appear in any answer. Handlers are thin: rules in FaceService, errors in edge.ts.
 */
import Router from '@koa/router';
import type { Context, Middleware } from 'koa';
import { PassError } from '../../core/errors.ts';
import type { FaceService } from '../service/face-service.ts';
import { FACE_MESSAGES } from '../messages.ts';
import { faceErrors, readImageBody } from './edge.ts';

export const FACE_PREFIX = '/api/face';

export interface FaceRoutesDeps {
  service: FaceService;
  /** requireApiToken(…, ['pass:api']) */
  auth: Middleware;
  maxUploadBytes: number;
}

function accountOf(ctx: Context): string {
  const accountId = ctx.state.principal?.accountId;
  if (!accountId) throw new PassError('forbidden', 'account_required', 'this API acts for a signed-in resident; a client-only token cannot use it');
  return accountId;
}

async function ownPerson(ctx: Context, service: FaceService): Promise<string> {
  return service.store.selfPerson(accountOf(ctx));
}

export function faceRoutes({ service, auth, maxUploadBytes }: FaceRoutesDeps): Router {
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

  router.delete('/enrollment', auth, async (ctx) => {
    await service.remove(await ownPerson(ctx, service));
    ctx.status = 204;
  });

  return router;
}

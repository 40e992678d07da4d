/**
 * The family and facility screens of the PASS app, mounted by clients/app/capability.ts: the
 * household (/app/family), each member's face (/app/family/:personId/face, the face screens with
 * the member's API path) and facility registrations (/app/facilities).
 */
import type { Context, Middleware } from 'koa';
import type { FeatureKit } from '../feature-kit.ts';
import { faceAppRoutes } from '../face/routes.ts';
import { memberFaceOwner } from '../face/owner.ts';
import { facilityAppRoutes } from '../facilities/routes.ts';
import { familyAppRoutes } from './routes.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function familyScreens(kit: FeatureKit, maxUploadBytes: number): Middleware[] {
  const memberFace = faceAppRoutes(kit, {
    prefix: '/app/family/:personId/face',
    subject: (ctx: Context) => {
      const id = String(ctx.params?.personId ?? '');
      return UUID.test(id)
        ? { base: `/app/family/${id}/face`, apiPath: `/api/households/members/${id}/face`, owner: (api, token) => memberFaceOwner(api, token, id) }
        : undefined;
    },
    maxUploadBytes,
  });
  // @koa/router's middleware types are narrower than Koa's; at run time they are plain middleware.
  return [familyAppRoutes(kit).routes(), memberFace.routes(), facilityAppRoutes(kit).routes()] as unknown as Middleware[];
}

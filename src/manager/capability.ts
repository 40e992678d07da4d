/**
 * PASS Manager's back end as a capability (/api/manager): the staff principal, check-in history
 * and CSV, live alerts over Server-Sent Events, guardian lookup, and part 2's modules from
 * api-modules.ts. Its console is a client (clients/manager) that calls this API.
 */
import type Router from '@koa/router';
import type { Middleware } from 'koa';
import { defineCapability } from '../capability.ts';
import { requireApiToken } from '../oidc/api-auth.ts';
import { StaffService } from '../staff/staff-service.ts';
import { MANAGER_API_MODULES, type ManagerApiParts } from './api-modules.ts';
import { managerErrors, requireStaff } from './http/edge.ts';
import { meRoutes } from './http/me-routes.ts';
import { StaffScope } from './staff-scope.ts';
import { seedManagerDemo } from './demo.ts';
import { managerDataRights } from './data-rights.ts';

export const managerCapability = defineCapability({
  name: 'manager',
  needs: ['kiosk', 'alert-thumbnails'],
  async start({ platform, oidc, needs }) {
    const { config, db, log } = platform;
    const staff = new StaffService(db);
    const scope = new StaffScope(staff, platform.accounts);
    const guard: Middleware[] = [managerErrors(), requireApiToken(() => oidc.host.provider, config.issuer, ['manager']), requireStaff(scope)];
    const deps = { platform, oidc, staff, scope, guard, kiosks: needs.kiosk.kiosks, checkins: needs.kiosk.checkins, alertThumbnails: needs['alert-thumbnails'] };

    const parts: ManagerApiParts[] = [];
    try {
      for (const module of MANAGER_API_MODULES) parts.push(await module.start(deps));
    } catch (error) {
      for (const part of parts) await part.stop?.();
      throw error;
    }
    if (config.demoData) await seedManagerDemo(platform).catch((error: unknown) => log.warn({ err: error }, 'PASS Manager demo data not seeded'));

    const routers: Router[] = [meRoutes(guard), ...parts.flatMap((p) => p.routers)];
    return {
      dataRights: [managerDataRights],
      // @koa/router's middleware types are narrower than Koa's; at run time they are plain middleware.
      middleware: routers.flatMap((r) => [r.routes(), r.allowedMethods()]) as unknown as Middleware[],
      readiness: parts.flatMap((p) => p.readiness ?? []),
      drain() {
        for (const part of parts) part.drain?.();
      },
      async stop() {
        for (const part of parts) await part.stop?.();
      },
    };
  },
});

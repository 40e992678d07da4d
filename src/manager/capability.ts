/**
 * PASS Manager as a capability: its back end (/api/manager: the staff principal, check-in history
 * and CSV, live alerts over Server-Sent Events, guardian lookup, and part 2's modules from
 * api-modules.ts) and its console (/manager, clients/manager: a first-party relying party that
 * signs staff in through PASS and calls the back end with their access token).
 */
import type Router from '@koa/router';
import type { Middleware } from 'koa';
import type { Capability, CapabilityContext } from '../capabilities.ts';
import { requireApiToken } from '../oidc/api-auth.ts';
import { StaffService } from '../staff/staff-service.ts';
import { AppSessions } from '../../clients/app/session-store.ts';
import { consoleRoutes } from '../../clients/manager/console-routes.ts';
import { ensureManagerClient, managerOidcClient } from '../../clients/manager/client.ts';
import { MANAGER_SECTIONS } from '../../clients/manager/sections.ts';
import { MANAGER_API_MODULES, type ManagerApiParts } from './api-modules.ts';
import { managerErrors, requireStaff } from './http/edge.ts';
import { meRoutes } from './http/me-routes.ts';
import { StaffScope } from './staff-scope.ts';
import { seedManagerDemo } from './demo.ts';

export async function managerCapability({ platform, oidc }: CapabilityContext): Promise<Capability> {
  const { config, db, box, log } = platform;
  const staff = new StaffService(db);
  const scope = new StaffScope(staff, platform.accounts);
  const guard: Middleware[] = [managerErrors(), requireApiToken(() => oidc.host.provider, config.issuer, ['manager']), requireStaff(scope)];

  const parts: ManagerApiParts[] = [];
  try {
    for (const module of MANAGER_API_MODULES) parts.push(await module.start({ platform, oidc, staff, scope, guard }));
  } catch (error) {
    for (const part of parts) await part.stop?.();
    throw error;
  }

  await ensureManagerClient(oidc.clients, config.issuer);
  const sessions = new AppSessions(db, box, config.ttl.session, { table: 'manager_sessions', purpose: 'manager-session' });
  const screens = consoleRoutes({
    issuer: config.issuer,
    sessions,
    client: managerOidcClient(oidc.clients, config.issuer),
    csrfKey: config.cookieKeys[0]!,
    secureCookies: config.issuer.startsWith('https://'),
    sessionTtlSeconds: config.ttl.session,
    sections: MANAGER_SECTIONS,
  });
  if (config.demoData) await seedManagerDemo(platform).catch((error: unknown) => log.warn({ err: error }, 'PASS Manager demo data not seeded'));

  const timer = setInterval(() => {
    sessions.purgeExpired().catch((error: unknown) => log.warn({ err: error }, 'PASS Manager session purge failed'));
  }, config.purgeIntervalSeconds * 1000);
  timer.unref();

  const routers: Router[] = [meRoutes(guard), ...parts.flatMap((p) => p.routers), screens.router];
  return {
    name: 'manager',
    // @koa/router's middleware types are narrower than Koa's; at run time they are plain middleware.
    middleware: routers.flatMap((r) => [r.routes(), r.allowedMethods()]) as unknown as Middleware[],
    readiness: parts.flatMap((p) => p.readiness ?? []),
    drain() {
      screens.drain();
      for (const part of parts) part.drain?.();
    },
    async stop() {
      clearInterval(timer);
      for (const part of parts) await part.stop?.();
    },
  };
}

/**
 * PASS Manager's console (/manager): a first-party relying party that signs staff in through PASS
 * and calls the Manager API (/api/manager, src/manager) with their access token. Its client
 * record is made at start when missing (production has no demo seed).
 */
import type { Middleware } from 'koa';
import { defineCapability } from '../../src/capability.ts';
import type { RpSession } from '../shared/relying-party.ts';
import { ClientSessions } from '../shared/session-store.ts';
import { clientSessionsDataRights } from '../shared/data-rights.ts';
import { consoleRoutes } from './console-routes.ts';
import { ensureManagerClient, managerOidcClient } from './client.ts';
import { MANAGER_SECTIONS } from './sections.ts';

export const managerConsoleCapability = defineCapability({
  name: 'manager-console',
  async start({ platform, oidc }) {
    const { config, db, box, log } = platform;
    await ensureManagerClient(oidc.clients, config.issuer);
    const sessions = new ClientSessions<RpSession>(db, box, 'manager', config.ttl.session);
    const screens = consoleRoutes({
      issuer: config.issuer,
      sessions,
      client: managerOidcClient(oidc.clients, config.issuer),
      csrfKey: config.cookieKeys[0]!,
      secureCookies: config.issuer.startsWith('https://'),
      sessionTtlSeconds: config.ttl.session,
      sections: MANAGER_SECTIONS,
    });
    const timer = setInterval(() => {
      sessions.purgeExpired().catch((error: unknown) => log.warn({ err: error }, 'PASS Manager session purge failed'));
    }, config.purgeIntervalSeconds * 1000);
    timer.unref();
    return {
      dataRights: [clientSessionsDataRights('manager-console sessions', sessions)],
      // @koa/router's middleware types are narrower than Koa's; at run time they are plain middleware.
      middleware: [screens.router.routes(), screens.router.allowedMethods()] as unknown as Middleware[],
      drain() {
        screens.drain();
      },
      async stop() {
        clearInterval(timer);
      },
    };
  },
});

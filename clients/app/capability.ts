import type { Middleware } from 'koa';
import type { Capability, CapabilityContext } from '../../src/capabilities.ts';
import { AppOidcClient } from './oidc-client.ts';
import { appRoutes } from './routes.ts';
import { AppSessions } from './session-store.ts';

/** The PASS app (/app), served by PASS itself as a first-party relying party (client `pass-app`). */
export async function passAppCapability({ platform }: CapabilityContext): Promise<Capability> {
  const { config, db, box } = platform;
  const sessions = new AppSessions(db, box, config.ttl.session);
  const router = appRoutes({
    sessions,
    client: new AppOidcClient(config.issuer),
    csrfKey: config.cookieKeys[0]!,
    secureCookies: config.issuer.startsWith('https://'),
    sessionTtlSeconds: config.ttl.session,
  });
  const timer = setInterval(() => {
    sessions.purgeExpired().catch((error: unknown) => platform.log.warn({ err: error }, 'PASS app session purge failed'));
  }, config.purgeIntervalSeconds * 1000);
  timer.unref();
  return {
    name: 'pass-app',
    // @koa/router's middleware types are narrower than Koa's; at run time they are plain middleware.
    middleware: [router.routes(), router.allowedMethods()] as unknown as Middleware[],
    async stop() {
      clearInterval(timer);
    },
  };
}

import type { Middleware } from 'koa';
import { defineCapability } from '../../src/capability.ts';
import { BookingRp, BOOKING_CLIENT_ID, type BookingCredentials } from './rp.ts';
import { bookingRoutes } from './routes.ts';
import { ClientSessions } from '../shared/session-store.ts';
import { BookingStore, type BookingSessionData } from './store.ts';

const SESSION_TTL_SECONDS = 8 * 3600;

/**
 * The demo relying party of 豊岡市 (/demo/booking), served by PASS for the demo. It talks to PASS
 * only over HTTP, as client `toyooka-booking`; its credentials are read from the client record
 * (a real site would have them in its own configuration).
 */
export const bookingCapability = defineCapability({
  name: 'demo-booking',
  async start({ platform, oidc }) {
    const { config, db, box } = platform;
    // A demo: never served in production.
    if (config.production) return {};
    const store = new BookingStore(db);
    const sessions = new ClientSessions<BookingSessionData>(db, box, 'booking', SESSION_TTL_SECONDS);
    let cached: BookingCredentials | undefined;
    const credentials = async (): Promise<BookingCredentials | undefined> => {
      if (cached) return cached;
      const client = await oidc.clients.find(BOOKING_CLIENT_ID);
      if (client?.clientSecret) cached = { clientId: client.clientId, clientSecret: client.clientSecret };
      return cached;
    };
    const router = bookingRoutes({
      store,
      sessions,
      rp: new BookingRp(config.issuer, credentials),
      csrfKey: config.cookieKeys[0]!,
      secureCookies: config.issuer.startsWith('https://'),
      sessionTtlSeconds: SESSION_TTL_SECONDS,
    });
    const timer = setInterval(() => {
      sessions.purgeExpired().catch((error: unknown) => platform.log.warn({ err: error }, 'booking session purge failed'));
    }, config.purgeIntervalSeconds * 1000);
    timer.unref();
    return {
      // @koa/router's middleware types are narrower than Koa's; at run time they are plain middleware.
      middleware: [router.routes(), router.allowedMethods()] as unknown as Middleware[],
      async stop() {
        clearInterval(timer);
      },
    };
  },
});

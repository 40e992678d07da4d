import type { Middleware } from 'koa';
import { defineCapability } from '../../src/capability.ts';
import { appRelyingParty, ensureAppClient } from './client.ts';
import { appRoutes } from './routes.ts';
import type { RpSession } from '../shared/relying-party.ts';
import { ClientSessions } from '../shared/session-store.ts';
import { clientSessionsDataRights } from '../shared/data-rights.ts';
import { FeatureKit } from './feature-kit.ts';
import { proofingAppRoutes } from './proofing/routes.ts';
import { faceAppRoutes } from './face/routes.ts';
import { SELF_FACE } from './face/paths.ts';
import { familyScreens } from './family/mount.ts';
import { qrAppRoutes } from './qr-routes.ts';
import { privacyAppRoutes } from './privacy/routes.ts';
import { appStaticFiles, securityAppRoutes } from './security/routes.ts';
import { accountAppRoutes } from './account/routes.ts';
import { historyAppRoutes } from './history/routes.ts';
import { walletScreens } from './wallet/mount.ts';
import { presentAppRoutes } from './present/routes.ts';

/** The PASS app (/app), served by PASS itself as a first-party relying party (client `pass-app`, made at start when missing). */
export const passAppCapability = defineCapability({
  name: 'pass-app',
  async start({ platform, oidc }) {
    const { config, db, box } = platform;
    await ensureAppClient(oidc.clients, config.issuer);
    const sessions = new ClientSessions<RpSession>(db, box, 'app', config.ttl.session);
    const kit = new FeatureKit({ sessions, issuer: config.issuer, csrfKey: config.cookieKeys[0]!, production: config.production });
    const router = appRoutes({
      api: kit.api,
      sessions,
      client: appRelyingParty(config.issuer),
      csrfKey: config.cookieKeys[0]!,
      secureCookies: config.issuer.startsWith('https://'),
      sessionTtlSeconds: config.ttl.session,
    });
    const timer = setInterval(() => {
      sessions.purgeExpired().catch((error: unknown) => platform.log.warn({ err: error }, 'PASS app session purge failed'));
    }, config.purgeIntervalSeconds * 1000);
    timer.unref();
    return {
      dataRights: [clientSessionsDataRights('pass-app sessions', sessions)],
      // @koa/router's middleware types are narrower than Koa's; at run time they are plain middleware.
      middleware: [
        router.routes(),
        router.allowedMethods(),
        // The app's feature screens, each its own module (clients/app/<feature>/routes.ts).
        proofingAppRoutes(kit).routes(),
        faceAppRoutes(kit, { prefix: SELF_FACE.base, subject: () => SELF_FACE, maxUploadBytes: config.face.maxUploadBytes }).routes(),
        ...familyScreens(kit, config.face.maxUploadBytes),
        qrAppRoutes(kit).routes(),
        privacyAppRoutes(kit, { sessions, secureCookies: config.issuer.startsWith('https://') }).routes(),
        securityAppRoutes(kit).routes(),
        accountAppRoutes(kit).routes(),
        historyAppRoutes(kit).routes(),
        // The wallet (/app/wallet), the SD-JWT core for its page, and the installable app's manifest and service worker.
        ...walletScreens(kit, config.issuer),
        // The wallet's OpenID4VP authorization endpoint (/app/wallet/present) and its presentation history.
        presentAppRoutes(kit).routes(),
        // The app's own scripts (/app/static/): the security screen's and the WebAuthn browser library.
        appStaticFiles(),
      ] as unknown as Middleware[],
      async stop() {
        clearInterval(timer);
      },
    };
  },
});

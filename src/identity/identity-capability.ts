import type { Middleware } from 'koa';
import { defineCapability } from '../capability.ts';
import { createNotifier } from '../notify/notifier.ts';
import { outboxRoutes } from '../notify/outbox-routes.ts';
import { interactionRoutes } from './interactions/routes.ts';
import { passwordResetRoutes } from './interactions/reset-routes.ts';
import { createIdentityServices } from './identity-services.ts';
import { identityDataRights } from './data-rights.ts';
import { requireApiToken } from '../oidc/api-auth.ts';
import { securityRoutes } from './factors/security-routes.ts';
import { accountRoutes } from './account-changes/routes.ts';
import { AccountChanges } from './account-changes/service.ts';

/**
 * Residents' accounts in the server: the interaction pages (sign-in, sign-up with codes, second
 * factor, passkeys, consent, forgotten password), the reset link page, the account security API
 * (passkeys, authenticator app, remembered devices), the account API (e-mail address, mobile
 * number and password changes) and, in development, the outbox.
 * Facility consent registers the resident (households), step-up uses the card and the face.
 */
export const identityCapability = defineCapability({
  name: 'identity',
  needs: ['proofing', 'face', 'households'],
  async start({ platform, oidc, needs }) {
    const notifier = createNotifier(platform.config, platform.log);
    const services = createIdentityServices(platform, notifier);
    const deps = { provider: () => oidc.host.provider, services, csrfKey: platform.config.cookieKeys[0]! };
    const interactions = interactionRoutes(deps, {
      platform,
      claims: oidc.claims,
      registrations: needs.households.registrations,
      proofing: needs.proofing,
      face: needs.face,
    });
    const resets = passwordResetRoutes(deps);
    const apiAuth = requireApiToken(() => oidc.host.provider, platform.config.issuer, ['pass:api']);
    const security = securityRoutes(services, apiAuth);
    const { db, accounts } = platform;
    const account = accountRoutes(new AccountChanges({ db, accounts, codes: services.codes, notifier, limits: services.limits, devices: services.devices }), apiAuth);
    // @koa/router's middleware types are narrower than Koa's; at run time they are plain middleware.
    const routers = [interactions, resets, security, account, ...(notifier.outbox && !platform.config.production ? [outboxRoutes(notifier.outbox)] : [])];
    const middleware = routers.flatMap((r) => [r.routes(), r.allowedMethods()]) as unknown as Middleware[];
    return {
      middleware,
      dataRights: [identityDataRights({ box: platform.box, redis: platform.redis })],
      async stop() {
        notifier.close();
      },
    };
  },
});

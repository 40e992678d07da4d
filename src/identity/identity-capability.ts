import type { Middleware } from 'koa';
import type { CapabilityContext, Capability } from '../capabilities.ts';
import { createNotifier } from '../notify/notifier.ts';
import { outboxRoutes } from '../notify/outbox-routes.ts';
import { interactionRoutes } from '../oidc/interactions/routes.ts';
import { passwordResetRoutes } from '../oidc/interactions/reset-routes.ts';
import { createIdentityServices, type IdentityServices } from './identity-services.ts';

/**
 * Residents' accounts in the server: the interaction pages (sign-in, sign-up with codes, second
 * factor, consent, forgotten password), the reset link page and, in development, the outbox.
 */
export async function identityCapability({ platform, oidc }: CapabilityContext): Promise<Capability & { services: IdentityServices }> {
  const notifier = createNotifier(platform.config, platform.log);
  const services = createIdentityServices(platform, notifier);
  const deps = { provider: () => oidc.host.provider, services, csrfKey: platform.config.cookieKeys[0]!, platform };
  const interactions = interactionRoutes(deps);
  const resets = passwordResetRoutes(deps);
  // @koa/router's middleware types are narrower than Koa's; at run time they are plain middleware.
  const routers = [interactions, resets, ...(notifier.outbox && !platform.config.production ? [outboxRoutes(notifier.outbox)] : [])];
  const middleware = routers.flatMap((r) => [r.routes(), r.allowedMethods()]) as unknown as Middleware[];
  return {
    name: 'identity',
    middleware,
    services,
    async stop() {
      notifier.close();
    },
  };
}

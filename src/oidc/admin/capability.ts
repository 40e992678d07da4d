import type { Middleware } from 'koa';
import type { Capability, CapabilityContext } from '../../capabilities.ts';
import { requireApiToken } from '../api-auth.ts';
import { adminRoutes } from './admin-routes.ts';

/** /api/admin: relying parties, initial access tokens and resource servers, for admins. */
export async function oidcAdminCapability({ platform, oidc }: CapabilityContext): Promise<Capability> {
  const provider = () => oidc.host.provider;
  const router = adminRoutes({
    oidc,
    accounts: platform.accounts,
    auth: requireApiToken(provider, platform.config.issuer, ['admin']),
    provider,
  });
  return {
    name: 'oidc-admin',
    // @koa/router's middleware types are narrower than Koa's; at run time they are plain middleware.
    middleware: [router.routes(), router.allowedMethods()] as unknown as Middleware[],
  };
}

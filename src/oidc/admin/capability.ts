import type { Middleware } from 'koa';
import { defineCapability } from '../../capability.ts';
import { requireApiToken } from '../api-auth.ts';
import { adminRoutes } from './admin-routes.ts';
import { oidcDataRights } from '../data-rights.ts';
import { claimsDataRights } from '../../claims/data-rights.ts';

/** /api/admin: relying parties, initial access tokens and resource servers, for admins. */
export const oidcAdminCapability = defineCapability({
  name: 'oidc-admin',
  async start({ platform, oidc }) {
    const provider = () => oidc.host.provider;
    const router = adminRoutes({
      oidc,
      accounts: platform.accounts,
      auth: requireApiToken(provider, platform.config.issuer, ['admin']),
      provider,
    });
    // @koa/router's middleware types are narrower than Koa's; at run time they are plain middleware.
    return { middleware: [router.routes(), router.allowedMethods()] as unknown as Middleware[], dataRights: [oidcDataRights, claimsDataRights] };
  },
});

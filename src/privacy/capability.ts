/**
 * Data rights as a PASS capability (issue #10): a resident downloads their data and deletes their
 * account through /api/privacy (the PASS app's screens are clients/app/privacy). Each table's
 * owner answers for its rows through its capability's data-rights hooks.
 */
import type { Middleware } from 'koa';
import { defineCapability } from '../capability.ts';
import { requireApiToken } from '../oidc/api-auth.ts';
import { DataExporter } from './export.ts';
import { AccountDeletion } from './deletion.ts';
import { auditDataRights } from '../audit/data-rights.ts';
import { privacyRoutes } from './routes.ts';

export const privacyCapability = defineCapability({
  name: 'privacy',
  needs: ['face'],
  async start({ platform, oidc, needs: { face }, dataRights }) {
    const { config, db, redis, log } = platform;
    // Every capability hands its tables' hooks; privacy itself carries the audit log's, whose entries it exports.
    const hooks = () => [...dataRights(), auditDataRights];
    const exporter = new DataExporter({ db, issuer: config.issuer, hooks });
    const deletion = new AccountDeletion({
      db,
      redis,
      log,
      hooks,
      provider: () => oidc.host.provider,
      personRemoved: async (personId) => face.personRemoved(personId),
      backchannelLogout: (clientId, accountId) => oidc.notifyBackchannelLogout(clientId, accountId),
    });
    const auth = requireApiToken(() => oidc.host.provider, config.issuer, ['pass:api']);
    const router = privacyRoutes({ db, auth, exporter, deletion });
    return {
      // @koa/router's middleware types are narrower than Koa's; at run time they are plain middleware.
      middleware: [router.routes(), router.allowedMethods()] as unknown as Middleware[],
    };
  },
});

/**
 * Data rights as a PASS capability (issue #10): a resident downloads their data and deletes their
 * account through /api/privacy (the PASS app's screens are clients/app/privacy).
 */
import type { Middleware } from 'koa';
import type { Capability, CapabilityContext } from '../capabilities.ts';
import type { Platform } from '../platform.ts';
import { requireApiToken } from '../oidc/api-auth.ts';
import { faceServiceOf } from '../face/capability.ts';
import { DataExporter } from './export.ts';
import { AccountDeletion } from './deletion.ts';
import { privacyRoutes } from './routes.ts';

export interface PrivacyRuntime {
  exporter: DataExporter;
  deletion: AccountDeletion;
}

const runtimes = new WeakMap<Platform, PrivacyRuntime>();

export function privacyRuntimeOf(platform: Platform): PrivacyRuntime | undefined {
  return runtimes.get(platform);
}

export async function privacyCapability({ platform, oidc }: CapabilityContext): Promise<Capability> {
  const { config, db, box, redis, log } = platform;
  const exporter = new DataExporter({ db, box, issuer: config.issuer });
  const deletion = new AccountDeletion({
    db,
    redis,
    box,
    log,
    provider: () => oidc.host.provider,
    personRemoved: async (personId) => faceServiceOf(platform)?.personRemoved(personId),
    backchannelLogout: (clientId, accountId) => oidc.notifyBackchannelLogout(clientId, accountId),
  });
  const auth = requireApiToken(() => oidc.host.provider, config.issuer, ['pass:api']);
  const router = privacyRoutes({ db, auth, exporter, deletion });
  runtimes.set(platform, { exporter, deletion });
  return {
    name: 'privacy',
    // @koa/router's middleware types are narrower than Koa's; at run time they are plain middleware.
    middleware: [router.routes(), router.allowedMethods()] as unknown as Middleware[],
    async stop() {
      runtimes.delete(platform);
    },
  };
}

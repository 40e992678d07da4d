import type Provider from 'oidc-provider';
import type { Platform } from '../platform.ts';
import { createAdapterFactory } from './adapter/adapter-factory.ts';
import { ClientService, type ClientMetadata } from './clients/client-service.ts';
import { createFindAccount } from './find-account.ts';
import { buildProviderConfiguration } from './provider-config.ts';
import { ProviderHost } from './provider-host.ts';

export const KEYS_CHANNEL = 'signing-keys';

export interface OidcModule {
  host: ProviderHost;
  clients: ClientService;
}

/** Wires oidc-provider to PASS's storage, accounts and signing keys. */
export async function createOidcModule(platform: Platform, onBuild?: (provider: Provider) => void): Promise<OidcModule> {
  const adapter = createAdapterFactory({ db: platform.db, redis: platform.redis, box: platform.box });
  const findAccount = createFindAccount(platform.accounts);
  await platform.keys.ensure();
  const host = new ProviderHost({
    config: platform.config,
    keys: platform.keys,
    log: platform.log,
    configurationFor: (jwks) => buildProviderConfiguration({ config: platform.config, adapter, findAccount, jwks }),
    ...(onBuild ? { onBuild } : {}),
  });
  await host.reloadIfChanged();
  const clients = new ClientService(platform.db, platform.box, async (metadata: ClientMetadata) => {
    await host.provider.Client.validate(metadata);
  });
  return { host, clients };
}

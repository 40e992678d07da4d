import type Provider from 'oidc-provider';
import type { Platform } from '../platform.ts';
import { createAdapterFactory } from './adapter/adapter-factory.ts';
import { ClientService, type ClientMetadata } from './clients/client-service.ts';
import { createFindAccount } from './find-account.ts';
import { createIdentityClaimsSource } from '../identity/proofing/claims-source.ts';
import { buildProviderConfiguration } from './provider-config.ts';
import { ProviderHost } from './provider-host.ts';
import { ClientCache, CLIENTS_CHANNEL } from './clients/client-cache.ts';

export const KEYS_CHANNEL = 'signing-keys';

export interface OidcModule {
  host: ProviderHost;
  clients: ClientService;
}

/** Wires oidc-provider to PASS's storage, accounts and signing keys. */
export async function createOidcModule(platform: Platform, onBuild?: (provider: Provider) => void): Promise<OidcModule> {
  const clientCache = new ClientCache();
  const clientChanged = async (clientId: string): Promise<void> => {
    clientCache.forget(clientId);
    await platform.bus.publish(CLIENTS_CHANNEL, clientId).catch((error: unknown) => platform.log.warn({ err: error }, 'client change not broadcast'));
  };
  await platform.bus.subscribe(CLIENTS_CHANNEL, (clientId) => clientCache.forget(clientId));
  const adapter = createAdapterFactory({ db: platform.db, redis: platform.redis, box: platform.box, clientCache, clientChanged });
  const findAccount = createFindAccount(platform.accounts, createIdentityClaimsSource(platform));
  await platform.keys.ensure();
  const host = new ProviderHost({
    config: platform.config,
    keys: platform.keys,
    log: platform.log,
    configurationFor: (jwks) => buildProviderConfiguration({ config: platform.config, adapter, findAccount, jwks }),
    ...(onBuild ? { onBuild } : {}),
  });
  await host.reloadIfChanged();
  const clients = new ClientService(
    platform.db,
    platform.box,
    async (metadata: ClientMetadata) => {
      await host.provider.Client.validate(metadata);
    },
    clientChanged,
  );
  return { host, clients };
}

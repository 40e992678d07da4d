import type Provider from 'oidc-provider';
import type { Platform } from '../platform.ts';
import { createAdapterFactory } from './adapter/adapter-factory.ts';
import { ClientService, type ClientMetadata } from './clients/client-service.ts';
import { createFindAccount } from './find-account.ts';
import { createClaimsRuntime, type ClaimsRuntime } from '../claims/index.ts';
import { createIdentityClaimsSource } from '../identity/proofing/claims-source.ts';
import { buildProviderConfiguration, passApiResource, PASS_API_SCOPES } from './provider-config.ts';
import { ProviderHost } from './provider-host.ts';
import { ClientCache, CLIENTS_CHANNEL } from './clients/client-cache.ts';
import { FACILITY_POLICY, InitialAccessTokens } from './clients/initial-access-tokens.ts';
import { facilitySubjectPolicy } from './clients/client-policy.ts';
import { facilitySectorsDecide } from './clients/facility-sectors.ts';
import { ResourceServers } from './resources/resource-servers.ts';
import { resourceServerInfo } from './resources/resource-policy.ts';
import { notifyBackchannelLogout, type BackchannelOutcome } from './logout/backchannel.ts';
import { FIRST_PARTY_CLIENTS } from '../identity/interactions/login-routes.ts';
import { guardAdapter, guardFindAccount } from './outage.ts';
import { providerEdge } from './provider-edge.ts';
import { refuseUnstorableText } from './adapter/unstorable-text.ts';

export const KEYS_CHANNEL = 'signing-keys';

export interface OidcModule {
  host: ProviderHost;
  clients: ClientService;
  resourceServers: ResourceServers;
  initialAccessTokens: InitialAccessTokens;
  /** The claims engine oidc-provider answers with, shared with the capabilities that show or review claims. */
  claims: ClaimsRuntime;
  /**
   * Back-channel logout to one relying party for one resident (src/oidc/logout/backchannel.ts):
   * for consent withdrawn, an account suspended… Never throws.
   */
  notifyBackchannelLogout(clientId: string, accountId: string, sid?: string): Promise<BackchannelOutcome>;
}

/** Wires oidc-provider to PASS's storage, accounts and signing keys. */
export async function createOidcModule(platform: Platform, onBuild?: (provider: Provider) => void): Promise<OidcModule> {
  const clientCache = new ClientCache();
  const clientChanged = async (clientId: string): Promise<void> => {
    clientCache.forget(clientId);
    await platform.bus.publish(CLIENTS_CHANNEL, clientId).catch((error: unknown) => platform.log.warn({ err: error }, 'client change not broadcast'));
  };
  await platform.bus.subscribe(CLIENTS_CHANNEL, (clientId) => clientCache.forget(clientId));
  const storage = createAdapterFactory({ db: platform.db, redis: platform.redis, box: platform.box, clientCache, clientChanged });
  // A storage outage is `temporarily_unavailable` (503) in oidc-provider's answers, not server_error (src/oidc/outage.ts).
  // Text PostgreSQL refuses (U+0000, unpaired surrogates) names no record and is no valid request (adapter/unstorable-text.ts).
  const adapter = (model: string) => guardAdapter(refuseUnstorableText(storage(model)));
  // The claims engine (src/claims): per-facility consent, derived claims, pairwise sectors, release log.
  const claimsRuntime = createClaimsRuntime(platform);
  const claims = claimsRuntime.plugin;
  await claims.start();
  const findAccount = guardFindAccount(createFindAccount(platform.accounts, createIdentityClaimsSource(platform), claims));
  const facilitySubjects = facilitySubjectPolicy((facilityId) => platform.facilities.policies.find(facilityId));
  const resourceServers = new ResourceServers(platform.db);
  const initialAccessTokens = new InitialAccessTokens(platform.db);
  const extensions = {
    getResourceServerInfo: resourceServerInfo({
      apiResource: passApiResource(platform.config.issuer),
      apiScopes: PASS_API_SCOPES,
      firstPartyClients: FIRST_PARTY_CLIENTS,
      servers: resourceServers,
      accessTokenTtl: platform.config.ttl.accessToken,
      jwtAlg: 'ES256',
    }),
    // The token's facility, then that facility's subject-type and sector policy (clients/client-policy.ts).
    registrationPolicies: {
      [FACILITY_POLICY]: async (ctx: Parameters<InitialAccessTokens['policy']>[0], properties: Record<string, unknown>) => {
        await initialAccessTokens.policy(ctx, properties);
        await facilitySubjects(properties);
      },
    },
  };
  await platform.keys.ensure();
  const host = new ProviderHost({
    config: platform.config,
    keys: platform.keys,
    log: platform.log,
    configurationFor: (jwks) => buildProviderConfiguration({ config: platform.config, adapter, findAccount, jwks, extensions, claims }),
    onBuild: (provider) => {
      // A facility's clients have their facility's pairwise sector, whatever their hosts or grants.
      facilitySectorsDecide(provider);
      provider.use(providerEdge(provider));
      onBuild?.(provider);
    },
  });
  await host.reloadIfChanged();
  const clients = new ClientService(
    platform.db,
    platform.box,
    async (metadata: ClientMetadata) => {
      await facilitySubjects(metadata);
      await host.provider.Client.validate(metadata);
    },
    clientChanged,
  );
  return {
    host,
    clients,
    resourceServers,
    initialAccessTokens,
    claims: claimsRuntime,
    notifyBackchannelLogout: (clientId, accountId, sid) => notifyBackchannelLogout(host.provider, platform.log, clientId, accountId, sid),
  };
}

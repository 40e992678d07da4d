import { errors, type KoaContextWithOIDC } from 'oidc-provider';
import type { ResourceServers } from './resource-servers.ts';
import { PASS_FACILITY } from '../clients/client-policy.ts';

/** Scopes of PASS's own API that only PASS's own apps may ask for (PASS Manager's administration). */
export const FIRST_PARTY_API_SCOPES = new Set(['admin']);

export interface ResourcePolicyDeps {
  /** PASS's own API: opaque tokens, so a withdrawn grant stops them at once. */
  apiResource: string;
  apiScopes: string[];
  firstPartyClients: ReadonlySet<string>;
  servers: ResourceServers;
  accessTokenTtl: number;
  /** The alg of JWT access tokens (one PASS signs with: ES256). */
  jwtAlg: 'ES256' | 'RS256' | 'PS256';
}

interface ClientLike {
  clientId: string;
  [key: string]: unknown;
}

/**
 * features.resourceIndicators.getResourceServerInfo: PASS's API, or a registered resource server
 * (JWT access tokens signed by PASS, or opaque ones to introspect). A resource server that belongs
 * to a facility serves only that facility's clients. Anything else is `invalid_target`.
 */
export function resourceServerInfo(deps: ResourcePolicyDeps) {
  return async (_ctx: KoaContextWithOIDC, indicator: string, client: ClientLike) => {
    if (indicator === deps.apiResource) {
      const firstParty = deps.firstPartyClients.has(client.clientId);
      return {
        scope: deps.apiScopes.filter((scope) => firstParty || !FIRST_PARTY_API_SCOPES.has(scope)).join(' '),
        audience: deps.apiResource,
        accessTokenTTL: deps.accessTokenTtl,
        accessTokenFormat: 'opaque' as const,
      };
    }
    const server = await deps.servers.find(indicator);
    if (!server) throw new errors.InvalidTarget('the resource is not registered with PASS');
    if (server.facilityId && client[PASS_FACILITY] !== server.facilityId) {
      throw new errors.InvalidTarget('the client may not obtain tokens for this resource');
    }
    return {
      scope: server.scopes.join(' '),
      audience: server.identifier,
      accessTokenTTL: server.accessTokenTtl ?? deps.accessTokenTtl,
      accessTokenFormat: server.tokenFormat,
      ...(server.tokenFormat === 'jwt' ? { jwt: { sign: { alg: deps.jwtAlg } } } : {}),
    };
  };
}

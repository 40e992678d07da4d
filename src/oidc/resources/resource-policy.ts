import { errors, type KoaContextWithOIDC } from 'oidc-provider';
import type { ResourceServers } from './resource-servers.ts';
import { PASS_FACILITY } from '../clients/client-policy.ts';

/**
 * Scopes of PASS's own API that only PASS's own apps may ask for (PASS Manager's administration).
 * They are scopes of the API resource only, never OpenID scopes (provider-config.ts), so the one
 * way to them is `resource=<issuer>/api` from a first-party client (resourceServerInfo below).
 */
export const FIRST_PARTY_API_SCOPES: ReadonlySet<string> = new Set(['admin']);

interface TokenRequestContext {
  oidc: { route?: string; params?: Record<string, unknown> };
}

/**
 * RFC 6749 §5.2: a client_credentials request for a scope the client may not have is refused with
 * `invalid_scope`, naming the scope — never answered with a token of fewer scopes (oidc-provider
 * would drop them silently). `allowed`: what the client may have for the resource asked for (or,
 * without one, the OpenID scopes its registration allows). Other grants are left alone: their
 * scopes were agreed at the authorization request.
 */
export function refuseUngrantedScopes(ctx: TokenRequestContext | undefined, allowed: ReadonlySet<string>): void {
  const params = ctx?.oidc?.params;
  if (ctx?.oidc?.route !== 'token' || !params || params.grant_type !== 'client_credentials') return;
  const asked = typeof params.scope === 'string' ? params.scope.split(' ').filter(Boolean) : [];
  const refused = [...new Set(asked.filter((scope) => !allowed.has(scope)))];
  if (refused.length) throw new errors.InvalidScope(`requested scope is not granted to this client: ${refused.join(' ')}`, refused.join(' '));
}

/**
 * features.resourceIndicators.defaultResource: PASS has none. A client_credentials request without
 * `resource` gets a token of the OpenID scopes it asked for, so those must be scopes PASS has and
 * the client's registered `scope` (when it has one) allows; anything else — a resource server's
 * scope asked without its resource, `admin` — is invalid_scope.
 */
export function noDefaultResource(openidScopes: readonly string[]) {
  const known = new Set(openidScopes);
  return async (ctx: KoaContextWithOIDC, client: { scope?: string | undefined }): Promise<undefined> => {
    const registered = client.scope ? new Set(client.scope.split(' ')) : undefined;
    refuseUngrantedScopes(ctx as unknown as TokenRequestContext, new Set([...known].filter((scope) => !registered || registered.has(scope))));
    return undefined;
  };
}

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
 * to a facility serves only that facility's clients. Anything else is `invalid_target`. The scopes
 * offered are what the client may have there: PASS's API keeps its first-party scopes (`admin`)
 * for PASS's own apps. A client_credentials request asking for more is `invalid_scope`.
 */
export function resourceServerInfo(deps: ResourcePolicyDeps) {
  return async (ctx: KoaContextWithOIDC, indicator: string, client: ClientLike) => {
    if (indicator === deps.apiResource) {
      const firstParty = deps.firstPartyClients.has(client.clientId);
      const scopes = deps.apiScopes.filter((scope) => firstParty || !FIRST_PARTY_API_SCOPES.has(scope));
      refuseUngrantedScopes(ctx as unknown as TokenRequestContext, new Set(scopes));
      return {
        scope: scopes.join(' '),
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
    refuseUngrantedScopes(ctx as unknown as TokenRequestContext, new Set(server.scopes));
    return {
      scope: server.scopes.join(' '),
      audience: server.identifier,
      accessTokenTTL: server.accessTokenTtl ?? deps.accessTokenTtl,
      accessTokenFormat: server.tokenFormat,
      ...(server.tokenFormat === 'jwt' ? { jwt: { sign: { alg: deps.jwtAlg } } } : {}),
    };
  };
}

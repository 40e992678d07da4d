import { createHmac } from 'node:crypto';
import type { Configuration, KoaContextWithOIDC, FindAccount } from 'oidc-provider';
import type { Config } from '../config/load-config.ts';
import { ACR_VALUES } from '../identity/assurance.ts';
import * as pages from './interactions/provider-pages.ts';
import { IDA_CLAIMS_CONFIG, idaDiscoveryMetadata } from '../identity/proofing/ida.ts';

/**
 * PASS's own API (/api/...), the resource server that the PASS app, the kiosk and PASS Manager
 * call. Its access tokens are opaque, so withdrawing a grant stops them at once.
 */
export function passApiResource(issuer: string): string {
  return `${issuer}/api`;
}

export const PASS_API_SCOPES = ['pass:api', 'kiosk', 'manager'];

export interface ProviderConfigDeps {
  config: Config;
  adapter: Configuration['adapter'];
  findAccount: FindAccount;
  jwks: { keys: Record<string, unknown>[] };
}

/**
 * The configuration that PASS gives oidc-provider: which features are on, how long things live
 * and where the interaction pages are. One place, so discovery tells integrators the truth.
 */
export function buildProviderConfiguration({ config, adapter, findAccount, jwks }: ProviderConfigDeps): Configuration {
  const secureCookies = config.issuer.startsWith('https://');
  const apiResource = passApiResource(config.issuer);
  return {
    adapter,
    findAccount,
    jwks: jwks as Configuration['jwks'],
    clients: [],
    cookies: {
      keys: config.cookieKeys,
      long: { signed: true, secure: secureCookies, sameSite: 'lax' },
      short: { signed: true, secure: secureCookies, sameSite: 'lax' },
      names: { session: 'pass_session', interaction: 'pass_interaction', resume: 'pass_resume' },
    },
    claims: {
      // How the resident authenticated (src/identity/assurance.ts) goes into every ID token.
      openid: ['sub', 'acr', 'amr'],
      email: ['email', 'email_verified'],
      phone: ['phone_number', 'phone_number_verified'],
      profile: ['name', 'family_name', 'given_name', 'birthdate', 'gender'],
      address: ['address'],
      ...IDA_CLAIMS_CONFIG,
    },
    // OpenID Connect for Identity Assurance metadata (verified_claims from JPKI proofing).
    discovery: idaDiscoveryMetadata(config.issuer),
    scopes: ['openid', 'offline_access', 'email', 'phone', 'profile', 'address', ...PASS_API_SCOPES],
    subjectTypes: ['public', 'pairwise'],
    pairwiseIdentifier(_ctx: KoaContextWithOIDC, accountId: string, client: { sectorIdentifier?: string }) {
      return createHmac('sha256', config.pairwiseSalt)
        .update(`${client.sectorIdentifier ?? ''}\0${accountId}`)
        .digest('base64url');
    },
    pkce: { required: () => true },
    // amr and acr of each sign-in come from the interaction result (src/identity/assurance.ts).
    acrValues: ACR_VALUES,
    renderError: pages.renderError,
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      introspection: { enabled: true },
      revocation: { enabled: true },
      deviceFlow: {
        enabled: true,
        charset: 'base-20',
        mask: '****-****',
        userCodeInputSource: pages.userCodeInputSource,
        userCodeConfirmSource: pages.userCodeConfirmSource,
        successSource: pages.deviceSuccessSource,
      },
      pushedAuthorizationRequests: { enabled: true, requirePushedAuthorizationRequests: false },
      dPoP: { enabled: true },
      rpInitiatedLogout: { enabled: true, logoutSource: pages.logoutSource, postLogoutSuccessSource: pages.postLogoutSuccessSource },
      backchannelLogout: { enabled: true },
      claimsParameter: { enabled: true },
      userinfo: { enabled: true },
      registration: { enabled: true, initialAccessToken: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: async () => undefined,
        useGrantedResource: async () => true,
        getResourceServerInfo: async (_ctx: KoaContextWithOIDC, resourceIndicator: string) => {
          if (resourceIndicator !== apiResource) throw new Error('unknown resource');
          return {
            scope: PASS_API_SCOPES.join(' '),
            audience: apiResource,
            accessTokenTTL: config.ttl.accessToken,
            accessTokenFormat: 'opaque',
          };
        },
      },
    },
    ttl: {
      AccessToken: config.ttl.accessToken,
      ClientCredentials: config.ttl.clientCredentials,
      IdToken: config.ttl.idToken,
      RefreshToken: config.ttl.refreshToken,
      Session: config.ttl.session,
      Grant: config.ttl.grant,
      Interaction: 3600,
      AuthorizationCode: 60,
      DeviceCode: 600,
      BackchannelAuthenticationRequest: 600,
    },
    interactions: {
      url: (_ctx: KoaContextWithOIDC, interaction: { uid: string }) => `/interaction/${interaction.uid}`,
    },
    rotateRefreshToken: true,
    enabledJWA: {
      idTokenSigningAlgValues: ['ES256', 'RS256'],
      userinfoSigningAlgValues: ['ES256', 'RS256'],
      introspectionSigningAlgValues: ['ES256', 'RS256'],
      authorizationSigningAlgValues: ['ES256', 'RS256'],
      requestObjectSigningAlgValues: ['ES256', 'RS256', 'PS256'],
      clientAuthSigningAlgValues: ['ES256', 'RS256', 'PS256', 'HS256'],
      dPoPSigningAlgValues: ['ES256', 'RS256', 'PS256', 'EdDSA'],
    },
    clientDefaults: {
      grant_types: ['authorization_code'],
      id_token_signed_response_alg: 'ES256',
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
    },
    conformIdTokenClaims: true,
  } as Configuration;
}

/** The longest time anything signed by a key stays valid: how long a retired key is published. */
export function signingOverlapSeconds(config: Config): number {
  return Math.max(config.ttl.accessToken, config.ttl.clientCredentials, config.ttl.idToken) + 300;
}

import { createHmac } from 'node:crypto';
import type { Configuration, KoaContextWithOIDC, FindAccount } from 'oidc-provider';
import type { Config } from '../config/load-config.ts';
import { ACR_VALUES } from '../identity/assurance.ts';
import * as pages from '../identity/interactions/provider-pages.ts';
import { IDA_CLAIMS_CONFIG, idaDiscoveryMetadata } from '../identity/proofing/ida.ts';
import {
  EXTRA_CLIENT_METADATA,
  fapiProfile,
  introspectionAllowed,
  revocationAllowed,
  rotateRefreshToken,
  validateExtraMetadata,
} from './clients/client-policy.ts';
import { outboundFetch } from './logout/outbound-fetch.ts';
import type { ClaimsPlugin } from '../claims/oidc-plugin.ts';
import { tokenEndpointDpop } from '../kiosk/dpop-nonce.ts';
import { passInteractionPolicy } from '../identity/interactions/policy.ts';
import { FIRST_PARTY_API_SCOPES, noDefaultResource } from './resources/resource-policy.ts';
import { CookieKeys } from '../http/cookie-keys.ts';

/**
 * PASS's own API (/api/...), the resource server that the PASS app, the kiosk and PASS Manager
 * call. Its access tokens are opaque, so withdrawing a grant stops them at once.
 */
export function passApiResource(issuer: string): string {
  return `${issuer}/api`;
}

/**
 * The scopes of PASS's API resource. `admin` (client and resource server administration) is granted
 * to PASS's own apps only, and only as a scope of the API resource (resource-policy.ts): it is no
 * OpenID scope, so no other client can be granted it, whatever it asks for.
 */
export const PASS_API_SCOPES = ['pass:api', 'kiosk', 'manager', 'admin'];

type Features = NonNullable<Configuration['features']>;

/** Client registration and resource server policy, backed by PASS's storage (oidc-module.ts wires them). */
export interface ProviderExtensions {
  getResourceServerInfo: NonNullable<Features['resourceIndicators']>['getResourceServerInfo'];
  registrationPolicies: Record<string, (ctx: KoaContextWithOIDC, properties: Record<string, unknown>) => Promise<void>>;
}

export interface ProviderConfigDeps {
  config: Config;
  adapter: Configuration['adapter'];
  findAccount: FindAccount;
  jwks: { keys: Record<string, unknown>[] };
  extensions: ProviderExtensions;
  /** The claims engine (src/claims): facility consent, derived claims, facility sectors, IDA requests. */
  claims?: ClaimsPlugin;
}

/**
 * The configuration that PASS gives oidc-provider: which features are on, how long things live
 * and where the interaction pages are. One place, so discovery tells integrators the truth.
 */
export function buildProviderConfiguration({ config, adapter, findAccount, jwks, extensions, claims }: ProviderConfigDeps): Configuration {
  const secureCookies = config.issuer.startsWith('https://');
  const scopes = [
    'openid', 'offline_access', 'email', 'phone', 'profile', 'address',
    ...Object.keys(claims?.claimsConfig ?? {}),
    ...PASS_API_SCOPES.filter((scope) => !FIRST_PARTY_API_SCOPES.has(scope)),
  ];
  return {
    adapter,
    findAccount,
    jwks: jwks as Configuration['jwks'],
    clients: [],
    cookies: {
      keys: new CookieKeys(config.cookieKeys) as unknown as string[],
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
      // age, age_over_N, resident_of, guardian: the `resident` scope (src/claims/catalog.ts).
      ...claims?.claimsConfig,
    },
    // OpenID Connect for Identity Assurance metadata (verified_claims from JPKI proofing; text-AP proofs too).
    discovery: claims?.discovery ?? idaDiscoveryMetadata(config.issuer),
    scopes,
    subjectTypes: ['public', 'pairwise'],
    // A facility's clients share their facility's sector (its claim policy); others use their own.
    // Never read a facility client's sectorIdentifier: oidc-provider's is not its sector (clients/facility-sectors.ts).
    async pairwiseIdentifier(_ctx: KoaContextWithOIDC, accountId: string, client: { clientId: string; sectorIdentifier?: string }) {
      const sector = (await claims?.pairwiseSector(client.clientId, client)) ?? client.sectorIdentifier ?? '';
      return createHmac('sha256', config.pairwiseSalt).update(`${sector}\0${accountId}`).digest('base64url');
    },
    // A facility's registration is the consent of its clients in every browser session (src/claims/oidc-plugin.ts).
    ...(claims ? { loadExistingGrant: claims.loadExistingGrant } : {}),
    // A facility's access tokens carry its consented derived claims (age_over_N, resident_of); nothing else.
    // Every access token of a sign-in carries its acr and amr (RFC 9068 §2.2.1), so an API can ask
    // for a stronger sign-in (RFC 9470); a facility's also its consented derived claims.
    async extraTokenClaims(ctx: KoaContextWithOIDC, token: Parameters<ClaimsPlugin['extraTokenClaims']>[1]) {
      const derived = claims ? await claims.extraTokenClaims(ctx, token) : undefined;
      const context = authenticationContextOf(ctx);
      return derived || context ? { ...derived, ...context } : undefined;
    },
    pkce: { required: () => true },
    // PASS's own pages (the kiosk app at /kiosk) call /device/auth and /token from the browser on
    // the issuer's origin; otherwise oidc-provider's default: public clients from their redirect URIs' origins.
    clientBasedCORS(ctx: KoaContextWithOIDC, origin: string, client: { clientAuthMethod: string; redirectUris?: string[] }) {
      if (origin === new URL(config.issuer).origin) return true;
      if (origin === 'null') return false;
      if (ctx.oidc.route === 'userinfo' || client.clientAuthMethod === 'none') return (client.redirectUris ?? []).some((uri) => URL.parse(uri)?.origin === origin);
      return false;
    },
    // amr and acr of each sign-in come from the interaction result (src/identity/assurance.ts).
    acrValues: ACR_VALUES,
    renderError: pages.renderError,
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      introspection: { enabled: true, allowedPolicy: introspectionAllowed },
      revocation: { enabled: true, allowedPolicy: revocationAllowed },
      deviceFlow: {
        enabled: true,
        charset: 'base-20',
        mask: '****-****',
        userCodeInputSource: pages.userCodeInputSource,
        userCodeConfirmSource: pages.userCodeConfirmSource,
        successSource: pages.deviceSuccessSource,
      },
      pushedAuthorizationRequests: { enabled: true, requirePushedAuthorizationRequests: false },
      // Server nonces at /token, required of kiosks (long-lived refresh tokens on unattended tablets: src/kiosk/dpop-nonce.ts).
      dPoP: { enabled: true, ...tokenEndpointDpop(config) },
      rpInitiatedLogout: { enabled: true, logoutSource: pages.logoutSource, postLogoutSuccessSource: pages.postLogoutSuccessSource },
      backchannelLogout: { enabled: true },
      // verified_claims requests are checked per OIDC4IDA (malformed: invalid_request), src/claims/ida-request.ts.
      claimsParameter: { enabled: true, ...(claims ? { assertClaimsParameter: claims.assertClaimsParameter } : {}) },
      userinfo: { enabled: true },
      // Dynamic Client Registration with initial access tokens minted by admins (clients/initial-access-tokens.ts).
      registration: { enabled: true, initialAccessToken: true, policies: extensions.registrationPolicies },
      // Signed request objects (`request`), also inside PAR; a client may require them (require_signed_request_object).
      requestObjects: { enabled: true, requireSignedRequestObject: false },
      // FAPI 2.0 Security Profile for the clients that opted in (pass_fapi, clients/client-policy.ts).
      fapi: { enabled: true, profile: fapiProfile },
      resourceIndicators: {
        enabled: true,
        // No default resource; a client_credentials request without one may ask only for what it may have (invalid_scope otherwise).
        defaultResource: noDefaultResource(scopes),
        useGrantedResource: async () => true,
        getResourceServerInfo: extensions.getResourceServerInfo,
      },
    },
    extraClientMetadata: { properties: EXTRA_CLIENT_METADATA, validator: validateExtraMetadata },
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
      // oidc-provider's policy plus the card or face step asked for with acr_values (interactions/policy.ts).
      policy: passInteractionPolicy(),
      url: (_ctx: KoaContextWithOIDC, interaction: { uid: string }) => `/interaction/${interaction.uid}`,
    },
    rotateRefreshToken,
    fetch: outboundFetch(config.issuer) as Configuration['fetch'],
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

/** The acr and amr of the sign-in behind the grant being redeemed (code, refresh or device code). */
function authenticationContextOf(ctx: KoaContextWithOIDC | undefined): { acr: string; amr?: string[] } | undefined {
  const entities = ctx?.oidc?.entities as Record<string, { acr?: string; amr?: string[] } | undefined> | undefined;
  const source = entities?.AuthorizationCode ?? entities?.RefreshToken ?? entities?.DeviceCode;
  if (!source?.acr) return undefined;
  return { acr: source.acr, ...(source.amr ? { amr: source.amr } : {}) };
}

/**
 * PASS as a relying party of the Digital Agency's authorization server, with openid-client:
 * authorization code flow with PKCE (S256), `state` and `nonce`; the code redeemed with
 * private_key_jwt (the assertion's `aud` is the token endpoint, as the Digital Agency's examples
 * build it); the ID token checked — its signature against the server's JWKS (ES256 or RS256 only),
 * `iss`, `aud`, `exp`, `iat`, `nonce`, and `at_hash` when present; then UserInfo for the same `sub`.
 *
 * The endpoints are the Keycloak paths the Digital Agency's reference publishes under the issuer,
 * so nothing depends on a discovery request. Every failure becomes a proofing refusal with its
 * own reason (refusalOf); what the other side said is logged, never shown.
 */
import { createHash } from 'node:crypto';
import * as client from 'openid-client';
import { decodeProtectedHeader } from 'jose';
import type { PassError } from '../../../core/errors.ts';
import { PROOFING_REASONS } from '../messages.ts';
import type { SigningKey } from './keys.ts';

/** The scopes of the basic four, with `openid` (the reference's scope list). */
export const DIGITAL_AGENCY_SCOPE = 'openid name address birthdate gender';
/** The ID token was issued for this code exchange: one older than this is refused. */
const MAX_ID_TOKEN_AGE_SECONDS = 600;
const CLOCK_SKEW_SECONDS = 60;
/** oauth4webapi's error codes (openid-client passes them on as `code`, without exporting them). */
const CODE = {
  claimComparison: 'OAUTH_JWT_CLAIM_COMPARISON_FAILED',
  timestamp: 'OAUTH_JWT_TIMESTAMP_CHECK_FAILED',
  keySelection: 'OAUTH_KEY_SELECTION_FAILED',
  invalidResponse: 'OAUTH_INVALID_RESPONSE',
  parse: 'OAUTH_PARSE_ERROR',
  attributeComparison: 'OAUTH_JSON_ATTRIBUTE_COMPARISON_FAILED',
} as const;

export interface DigitalAgencyEndpoints {
  authorization: string;
  token: string;
  userinfo: string;
  jwks: string;
}

/** The reference's endpoints: `<issuer>/protocol/openid-connect/{auth,token,userinfo,certs}`. */
export function endpointsOf(issuer: string): DigitalAgencyEndpoints {
  const base = `${issuer}/protocol/openid-connect`;
  return { authorization: `${base}/auth`, token: `${base}/token`, userinfo: `${base}/userinfo`, jwks: `${base}/certs` };
}

/** One authorization request's secrets, kept by PASS until the answer comes back. */
export interface AuthorizationFlow {
  state: string;
  nonce: string;
  verifier: string;
}

/** The redirect's parameters, as the PASS app passes them on. */
export interface AuthorizationAnswer {
  code: string;
  state: string;
  iss?: string;
}

export interface DigitalAgencyAnswer {
  /** The ID token's claims, checked. */
  idToken: client.IDToken;
  userinfo: Record<string, unknown>;
  /** The scope the token response says was granted (undefined when it does not say). */
  grantedScope: string | undefined;
}

export interface DigitalAgencyClientOptions {
  issuer: string;
  clientId: string;
  redirectUri: string;
  key: SigningKey;
  now?: () => Date;
}

/** What the proofing service needs of the relying party (a test may stand in for it). */
export interface DigitalAgencyClient {
  readonly issuer: string;
  newFlow(): AuthorizationFlow;
  authorizationUrl(flow: AuthorizationFlow): Promise<string>;
  complete(flow: AuthorizationFlow, answer: AuthorizationAnswer): Promise<DigitalAgencyAnswer>;
}

export async function createDigitalAgencyClient(options: DigitalAgencyClientOptions): Promise<DigitalAgencyClient> {
  const { issuer, clientId, redirectUri, key } = options;
  const now = options.now ?? (() => new Date());
  const endpoints = endpointsOf(issuer);
  const metadata: client.ServerMetadata = {
    issuer,
    authorization_endpoint: endpoints.authorization,
    token_endpoint: endpoints.token,
    userinfo_endpoint: endpoints.userinfo,
    jwks_uri: endpoints.jwks,
    // What PASS accepts, whatever the server would say: ES256 (the Digital Agency's) or RS256.
    id_token_signing_alg_values_supported: ['ES256', 'RS256'],
  };
  const cryptoKey = await key.privateKey.toCryptoKey(
    key.alg === 'ES256' ? { name: 'ECDSA', namedCurve: 'P-256' } : { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' },
    false,
    ['sign'],
  );
  const authentication = client.PrivateKeyJwt(
    { key: cryptoKey, kid: key.kid },
    {
      [client.modifyAssertion]: (_header: Record<string, unknown>, payload: Record<string, unknown>) => {
        payload.aud = endpoints.token;
      },
    },
  );
  const config = new client.Configuration(metadata, clientId, undefined, authentication);
  client.enableNonRepudiationChecks(config);
  // Plain http only for a development issuer (the configuration refuses it in production).
  if (issuer.startsWith('http://')) client.allowInsecureRequests(config);
  config.timeout = 10;

  return {
    issuer,
    newFlow: () => ({ state: client.randomState(), nonce: client.randomNonce(), verifier: client.randomPKCECodeVerifier() }),

    async authorizationUrl(flow) {
      return client.buildAuthorizationUrl(config, {
        redirect_uri: redirectUri,
        scope: DIGITAL_AGENCY_SCOPE,
        state: flow.state,
        nonce: flow.nonce,
        code_challenge: await client.calculatePKCECodeChallenge(flow.verifier),
        code_challenge_method: 'S256',
      }).href;
    },

    async complete(flow, answer) {
      // RFC 9207: an answer naming another issuer is a mix-up, whatever else it carries.
      if (answer.iss !== undefined && answer.iss !== issuer) throw PROOFING_REASONS.refuse('digital_agency_issuer_mismatch', 'the authorization response names another issuer');
      const callback = new URL(redirectUri);
      callback.search = new URLSearchParams({ code: answer.code, state: answer.state, ...(answer.iss ? { iss: answer.iss } : {}) }).toString();
      let tokens: Awaited<ReturnType<typeof client.authorizationCodeGrant>>;
      try {
        tokens = await client.authorizationCodeGrant(config, callback, {
          pkceCodeVerifier: flow.verifier,
          expectedState: flow.state,
          expectedNonce: flow.nonce,
          idTokenExpected: true,
        });
      } catch (error) {
        throw refusalOf(error, 'token');
      }
      const idToken = tokens.claims()!;
      checkIssuedAt(idToken, now());
      checkAtHash(tokens.id_token!, idToken, tokens.access_token);
      let userinfo: Record<string, unknown>;
      try {
        userinfo = (await client.fetchUserInfo(config, tokens.access_token, idToken.sub)) as Record<string, unknown>;
      } catch (error) {
        throw refusalOf(error, 'userinfo');
      }
      return { idToken, userinfo, grantedScope: typeof tokens.scope === 'string' ? tokens.scope : undefined };
    },
  };
}

function invalidIdToken(why: string): PassError {
  return PROOFING_REASONS.refuse('digital_agency_id_token_invalid', `the ID token ${why}`);
}

/** `iat` present and recent: the token was made for this exchange (exp is the library's check). */
function checkIssuedAt(idToken: client.IDToken, now: Date): void {
  const at = Math.floor(now.getTime() / 1000);
  if (typeof idToken.iat !== 'number') throw invalidIdToken('has no iat');
  if (idToken.iat > at + CLOCK_SKEW_SECONDS) throw invalidIdToken('was issued in the future');
  if (idToken.iat < at - MAX_ID_TOKEN_AGE_SECONDS) throw invalidIdToken('is too old');
}

/** OIDC Core §3.1.3.8: the left half of the access token's hash (SHA-256 for ES256 and RS256). */
function checkAtHash(jwt: string, idToken: client.IDToken, accessToken: string): void {
  if (idToken.at_hash === undefined) return;
  const { alg } = decodeProtectedHeader(jwt);
  if (alg !== 'ES256' && alg !== 'RS256') throw invalidIdToken(`is signed with ${String(alg)}`);
  const expected = createHash('sha256').update(accessToken, 'ascii').digest().subarray(0, 16).toString('base64url');
  if (idToken.at_hash !== expected) throw invalidIdToken('at_hash does not match the access token');
}

/** The cause chain's `claim` (oauth4webapi names the ID token claim that did not match). */
function claimOf(error: unknown): string | undefined {
  for (let e: unknown = error, depth = 0; e && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    const claim = (e as { claim?: unknown }).claim;
    if (typeof claim === 'string') return claim;
  }
  return undefined;
}

function codeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** A failure of the exchange or of UserInfo as a proofing refusal; the other side's words stay in the cause. */
export function refusalOf(error: unknown, step: 'token' | 'userinfo'): PassError {
  const refusal = ((): PassError => {
    if (error instanceof client.ResponseBodyError) {
      if (error.error === 'invalid_grant') return PROOFING_REASONS.refuse('digital_agency_code_invalid', `the token endpoint refused the code (${error.error})`);
      return PROOFING_REASONS.refuse('digital_agency_unavailable', `the ${step} endpoint answered ${error.error}`);
    }
    if (error instanceof client.WWWAuthenticateChallengeError) return PROOFING_REASONS.refuse('digital_agency_unavailable', `the ${step} endpoint refused the access token`);
    const code = codeOf(error);
    if (step === 'token' && code === CODE.claimComparison) {
      const claim = claimOf(error);
      if (claim === 'iss') return PROOFING_REASONS.refuse('digital_agency_issuer_mismatch', 'the ID token names another issuer');
      if (claim === 'nonce') return PROOFING_REASONS.refuse('digital_agency_nonce_mismatch', 'the ID token carries another nonce');
      return invalidIdToken(`has an unexpected ${claim ?? 'claim'}`);
    }
    if (step === 'token' && (code === CODE.timestamp || code === CODE.keySelection || code === CODE.invalidResponse || code === CODE.parse)) {
      return invalidIdToken(`was refused (${(error as Error).message})`);
    }
    if (step === 'userinfo' && (code === CODE.attributeComparison || code === CODE.invalidResponse || code === CODE.parse)) {
      return PROOFING_REASONS.refuse('digital_agency_userinfo_invalid', `the UserInfo answer was refused (${(error as Error).message})`);
    }
    // Networks, timeouts, unexpected statuses and content types: the server is not answering as it should.
    return PROOFING_REASONS.refuse('digital_agency_unavailable', `the ${step} request failed (${(error as Error)?.message ?? String(error)})`);
  })();
  (refusal as { cause?: unknown }).cause = error;
  return refusal;
}

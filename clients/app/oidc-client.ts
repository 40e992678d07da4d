import { createHash, randomBytes } from 'node:crypto';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import type { AppSessionData, AppUser } from './session-store.ts';

export const PASS_APP_CLIENT_ID = 'pass-app';
/** pass:api: the app's screens (identity proofing, face, family…) call PASS's own API with the token. */
const SCOPE = 'openid email phone pass:api';

/**
 * Another first-party relying party served by PASS (PASS Manager): its own client id, scopes and
 * path, and, for a confidential client, its secret (sent with HTTP Basic, RFC 6749 §2.3.1).
 */
export interface RelyingPartyOptions {
  clientId: string;
  scope: string;
  /** Where it is mounted, e.g. `/manager`: the callback is `<issuer><basePath>/callback`. */
  basePath: string;
  /** Read at each token request, so a rotated secret is used at once. */
  clientSecret?: () => Promise<string | undefined>;
}

export interface TokenSet {
  accessToken: string;
  idToken: string;
  expiresAt: number;
  refreshToken?: string;
}

/**
 * The PASS app as an ordinary relying party of PASS: authorization code flow with PKCE (S256),
 * state and nonce, ID token signature checked against the published JWKS. It talks to PASS over
 * HTTP like any other client would, so it can move to its own host later.
 */
export class AppOidcClient {
  readonly #issuer: string;
  /** The access token is for PASS's own API (RFC 8707 resource indicator). */
  readonly apiResource: string;
  readonly #jwks: ReturnType<typeof createRemoteJWKSet>;
  readonly redirectUri: string;
  readonly postLogoutRedirectUri: string;
  readonly #rp: RelyingPartyOptions;

  constructor(issuer: string, options: RelyingPartyOptions = { clientId: PASS_APP_CLIENT_ID, scope: SCOPE, basePath: '/app' }) {
    this.#issuer = issuer;
    this.#rp = options;
    this.apiResource = `${issuer}/api`;
    this.#jwks = createRemoteJWKSet(new URL(`${issuer}/jwks`));
    this.redirectUri = `${issuer}${options.basePath}/callback`;
    this.postLogoutRedirectUri = `${issuer}${options.basePath}/`;
  }

  newFlow(returnTo = `${this.#rp.basePath}/`): NonNullable<AppSessionData['flow']> {
    return { state: randomBytes(16).toString('base64url'), nonce: randomBytes(16).toString('base64url'), verifier: randomBytes(32).toString('base64url'), returnTo };
  }

  authorizationUrl(flow: NonNullable<AppSessionData['flow']>, lang: string): string {
    const url = new URL(`${this.#issuer}/auth`);
    url.search = new URLSearchParams({
      client_id: this.#rp.clientId,
      redirect_uri: this.redirectUri,
      response_type: 'code',
      scope: this.#rp.scope,
      state: flow.state,
      nonce: flow.nonce,
      code_challenge: createHash('sha256').update(flow.verifier).digest('base64url'),
      code_challenge_method: 'S256',
      resource: this.apiResource,
      ui_locales: lang,
    }).toString();
    return url.toString();
  }

  async #token(params: Record<string, string>): Promise<TokenSet> {
    const { clientId } = this.#rp;
    const clientSecret = await this.#rp.clientSecret?.();
    const basic = clientSecret ? Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(clientSecret)}`).toString('base64') : undefined;
    const response = await fetch(`${this.#issuer}/token`, {
      method: 'POST',
      ...(basic ? { headers: { authorization: `Basic ${basic}` } } : {}),
      body: new URLSearchParams({ ...(basic ? {} : { client_id: clientId }), ...params }),
      signal: AbortSignal.timeout(10_000),
    });
    const body = (await response.json()) as Record<string, unknown>;
    if (!response.ok || typeof body.access_token !== 'string' || typeof body.id_token !== 'string') {
      throw new Error(`token request failed: ${String(body.error ?? response.status)}`);
    }
    return {
      accessToken: body.access_token,
      idToken: body.id_token,
      expiresAt: Date.now() + Number(body.expires_in ?? 0) * 1000,
      ...(typeof body.refresh_token === 'string' ? { refreshToken: body.refresh_token } : {}),
    };
  }

  /**
   * Exchanges the code and checks the ID token (signature, issuer, audience, nonce). The access
   * token is for the PASS API, not for userinfo, so the e-mail and phone come in the ID token
   * (oidc-provider puts scope claims there when the access token has another audience).
   */
  async complete(flow: NonNullable<AppSessionData['flow']>, code: string): Promise<{ tokens: TokenSet; user: AppUser }> {
    const tokens = await this.#token({ grant_type: 'authorization_code', code, redirect_uri: this.redirectUri, code_verifier: flow.verifier });
    const { payload } = await jwtVerify(tokens.idToken, this.#jwks, { issuer: this.#issuer, audience: this.#rp.clientId });
    if (payload.nonce !== flow.nonce) throw new Error('ID token nonce does not match');
    return {
      tokens,
      user: {
        sub: String(payload.sub),
        ...(typeof payload.email === 'string' ? { email: payload.email } : {}),
        ...(typeof payload.phone_number === 'string' ? { phoneNumber: payload.phone_number } : {}),
      },
    };
  }

  endSessionUrl(idToken: string | undefined): string {
    const url = new URL(`${this.#issuer}/session/end`);
    url.search = new URLSearchParams({
      client_id: this.#rp.clientId,
      post_logout_redirect_uri: this.postLogoutRedirectUri,
      ...(idToken ? { id_token_hint: idToken } : {}),
    }).toString();
    return url.toString();
  }
}

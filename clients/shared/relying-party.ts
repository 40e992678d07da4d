import * as client from 'openid-client';

/** Who signed in, from the ID token. */
export interface SignedInUser {
  sub: string;
  email?: string;
  phoneNumber?: string;
}

export interface TokenSet {
  accessToken: string;
  idToken: string;
  expiresAt: number;
  refreshToken?: string;
}

/** An authorization request in progress: state, nonce and PKCE verifier, and where to land afterwards. */
export interface SignInFlow {
  state: string;
  nonce: string;
  verifier: string;
  returnTo: string;
}

/** The server-side session of PASS's own relying parties (the app, Manager); features add their own keys. */
export interface RpSession {
  flow?: SignInFlow;
  tokens?: TokenSet;
  user?: SignedInUser;
}

/** One of PASS's own relying parties: its client id, scopes and where it is mounted. */
export interface RelyingPartyOptions {
  clientId: string;
  scope: string;
  /** Where it is mounted, e.g. `/manager`: the callback is `<issuer><basePath>/callback`. */
  basePath: string;
  /** A confidential client's secret (HTTP Basic), read at each token request so a rotated secret is used at once; none: a public client. */
  clientSecret?: () => Promise<string | undefined>;
  /** The authentication classes this client accepts (acr_values); a sign-in whose ID token says otherwise is refused. */
  acrValues?: string[];
}

/** The ID token's acr is none of the client's acr_values: PASS could not meet them, or was asked for less. */
export class AcrNotMetError extends Error {
  constructor(acr: unknown) {
    super(`the sign-in's acr ${String(acr)} is not one this client accepts`);
  }
}

/** The sign-in could not reach the class this client needs (the callback's error, or the ID token's acr). */
export function isAcrRefusal(error: unknown): boolean {
  return error instanceof AcrNotMetError || (error as { error?: unknown } | undefined)?.error === 'unmet_authentication_requirements';
}

/**
 * PASS's own endpoints, as its discovery document gives them. PASS serves its own relying parties,
 * so they know these and a sign-in starts without a discovery request (an issuer behind a proxy
 * need not be reachable from itself until the code is redeemed). ES256 is PASS's default for ID
 * tokens, RS256 what a client may register instead.
 */
function passMetadata(issuer: string): client.ServerMetadata {
  return {
    issuer,
    authorization_endpoint: `${issuer}/auth`,
    token_endpoint: `${issuer}/token`,
    jwks_uri: `${issuer}/jwks`,
    end_session_endpoint: `${issuer}/session/end`,
    authorization_response_iss_parameter_supported: true,
    id_token_signing_alg_values_supported: ['ES256', 'RS256'],
  };
}

/**
 * PASS's own relying parties (the PASS app, PASS Manager) as ordinary clients of PASS, written
 * with openid-client like the booking site: authorization code flow with PKCE (S256), state and
 * nonce, `iss` in the response and the ID token checked (its signature against PASS's JWKS too,
 * though it came straight from PASS). They talk to PASS over HTTP like any other client, so they
 * can move to their own host later. The access token is for PASS's own API (RFC 8707 resource
 * indicator).
 */
export class PassRelyingParty {
  readonly redirectUri: string;
  readonly postLogoutRedirectUri: string;
  readonly apiResource: string;
  readonly #options: RelyingPartyOptions;
  readonly #config: client.Configuration;

  constructor(issuer: string, options: RelyingPartyOptions) {
    this.#options = options;
    this.redirectUri = `${issuer}${options.basePath}/callback`;
    this.postLogoutRedirectUri = `${issuer}${options.basePath}/`;
    this.apiResource = `${issuer}/api`;
    const authentication: client.ClientAuth = async (as, metadata, body, headers) => {
      const secret = await options.clientSecret?.();
      return (secret ? client.ClientSecretBasic(secret) : client.None())(as, metadata, body, headers);
    };
    this.#config = new client.Configuration(passMetadata(issuer), options.clientId, undefined, authentication);
    client.enableNonRepudiationChecks(this.#config);
    // Plain http only for an http issuer (development and tests).
    if (issuer.startsWith('http://')) client.allowInsecureRequests(this.#config);
    this.#config.timeout = 10;
  }

  newFlow(returnTo = `${this.#options.basePath}/`): SignInFlow {
    return { state: client.randomState(), nonce: client.randomNonce(), verifier: client.randomPKCECodeVerifier(), returnTo };
  }

  async authorizationUrl(flow: SignInFlow, lang: string): Promise<string> {
    return client.buildAuthorizationUrl(this.#config, {
      redirect_uri: this.redirectUri,
      scope: this.#options.scope,
      state: flow.state,
      nonce: flow.nonce,
      code_challenge: await client.calculatePKCECodeChallenge(flow.verifier),
      code_challenge_method: 'S256',
      resource: this.apiResource,
      ui_locales: lang,
      ...(this.#options.acrValues ? { acr_values: this.#options.acrValues.join(' ') } : {}),
    }).href;
  }

  /**
   * The callback (its query string): redeems the code and checks the answer (state, `iss`, the ID
   * token's signature, issuer, audience and nonce). The access token is for the PASS API, not for
   * userinfo, so the e-mail and phone come in the ID token (oidc-provider puts scope claims there
   * when the access token has another audience).
   */
  async complete(flow: SignInFlow, callbackQuery: string): Promise<{ tokens: TokenSet; user: SignedInUser }> {
    const callback = new URL(this.redirectUri);
    callback.search = callbackQuery;
    const answer = await client.authorizationCodeGrant(this.#config, callback, {
      pkceCodeVerifier: flow.verifier,
      expectedState: flow.state,
      expectedNonce: flow.nonce,
      idTokenExpected: true,
    });
    const claims = answer.claims()!;
    if (this.#options.acrValues && !this.#options.acrValues.includes(String(claims.acr))) throw new AcrNotMetError(claims.acr);
    return {
      tokens: {
        accessToken: answer.access_token,
        idToken: answer.id_token!,
        expiresAt: Date.now() + (answer.expiresIn() ?? 0) * 1000,
        ...(answer.refresh_token ? { refreshToken: answer.refresh_token } : {}),
      },
      user: {
        sub: claims.sub,
        ...(typeof claims.email === 'string' ? { email: claims.email } : {}),
        ...(typeof claims.phone_number === 'string' ? { phoneNumber: claims.phone_number } : {}),
      },
    };
  }

  /** RP-initiated logout at PASS, back to this client's landing page. */
  endSessionUrl(idToken: string | undefined): string {
    return client.buildEndSessionUrl(this.#config, {
      post_logout_redirect_uri: this.postLogoutRedirectUri,
      ...(idToken ? { id_token_hint: idToken } : {}),
    }).href;
  }
}

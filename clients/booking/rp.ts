import * as client from 'openid-client';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import type { BookingProfile, BookingSessionData } from './store.ts';

export const BOOKING_CLIENT_ID = 'toyooka-booking';
/** The claims the booking site asks for; PASS gives only what the resident consents to. */
export const BOOKING_SCOPE = 'openid profile email phone address';
const BACKCHANNEL_EVENT = 'http://schemas.openid.net/event/backchannel-logout';

export interface BookingCredentials {
  clientId: string;
  clientSecret: string;
}

export interface SignedIn {
  sub: string;
  sid: string | undefined;
  idToken: string;
  profile: BookingProfile;
}

export class LogoutTokenError extends Error {}

type Flow = NonNullable<BookingSessionData['flow']>;

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** The user's profile as the booking site stores it, from the claims PASS released. */
export function profileFrom(claims: Record<string, unknown>): BookingProfile {
  const address = claims.address as { formatted?: unknown } | undefined;
  const entries = {
    name: text(claims.name),
    familyName: text(claims.family_name),
    givenName: text(claims.given_name),
    birthdate: text(claims.birthdate),
    address: text(address?.formatted),
    email: text(claims.email),
    phoneNumber: text(claims.phone_number),
  };
  return Object.fromEntries(Object.entries(entries).filter(([, v]) => v !== undefined)) as BookingProfile;
}

/**
 * 豊岡市 公共施設予約システム as an ordinary relying party of PASS, written with openid-client the
 * way an integrator would: discovery, PAR, authorization code with PKCE (S256), state and nonce,
 * `iss` checked in the response, userinfo, RP-initiated logout, and back-channel logout tokens
 * verified against PASS's JWKS.
 */
export class BookingRp {
  readonly #issuer: string;
  readonly #credentials: () => Promise<BookingCredentials | undefined>;
  readonly #jwks: ReturnType<typeof createRemoteJWKSet>;
  readonly redirectUri: string;
  readonly postLogoutRedirectUri: string;
  #config: Promise<client.Configuration> | undefined;

  constructor(issuer: string, credentials: () => Promise<BookingCredentials | undefined>) {
    this.#issuer = issuer;
    this.#credentials = credentials;
    this.#jwks = createRemoteJWKSet(new URL(`${issuer}/jwks`));
    this.redirectUri = `${issuer}/demo/booking/callback`;
    this.postLogoutRedirectUri = `${issuer}/demo/booking/`;
  }

  /** Discovery once (again after a failure); undefined when the client is not registered. */
  async #configuration(): Promise<client.Configuration | undefined> {
    const credentials = await this.#credentials();
    if (!credentials) return undefined;
    this.#config ??= client
      .discovery(new URL(this.#issuer), credentials.clientId, undefined, client.ClientSecretBasic(credentials.clientSecret), {
        ...(this.#issuer.startsWith('http://') ? { execute: [client.allowInsecureRequests] } : {}),
        timeout: 10,
      })
      .catch((error: unknown) => {
        this.#config = undefined;
        throw error;
      });
    return this.#config;
  }

  async configured(): Promise<boolean> {
    return (await this.#credentials()) !== undefined;
  }

  /** A pushed authorization request; returns the flow to keep and where to send the browser. */
  async start(lang: string): Promise<{ flow: Flow; url: string } | undefined> {
    const config = await this.#configuration();
    if (!config) return undefined;
    const flow: Flow = { state: client.randomState(), nonce: client.randomNonce(), verifier: client.randomPKCECodeVerifier() };
    const url = await client.buildAuthorizationUrlWithPAR(config, {
      redirect_uri: this.redirectUri,
      scope: BOOKING_SCOPE,
      state: flow.state,
      nonce: flow.nonce,
      code_challenge: await client.calculatePKCECodeChallenge(flow.verifier),
      code_challenge_method: 'S256',
      ui_locales: lang,
    });
    return { flow, url: url.href };
  }

  /** The callback: code exchange (checks state, nonce, iss and the ID token), then userinfo. */
  async complete(flow: Flow, callbackPathAndQuery: string): Promise<SignedIn> {
    const config = await this.#configuration();
    if (!config) throw new Error('the booking client is not registered with PASS');
    const tokens = await client.authorizationCodeGrant(config, new URL(callbackPathAndQuery, this.#issuer), {
      pkceCodeVerifier: flow.verifier,
      expectedState: flow.state,
      expectedNonce: flow.nonce,
      idTokenExpected: true,
    });
    const idClaims = tokens.claims()!;
    const info = await client.fetchUserInfo(config, tokens.access_token, idClaims.sub);
    return {
      sub: idClaims.sub,
      sid: text(idClaims.sid),
      idToken: tokens.id_token!,
      profile: profileFrom({ ...idClaims, ...info }),
    };
  }

  async endSessionUrl(idToken: string | undefined): Promise<string> {
    const config = await this.#configuration();
    if (!config) return this.postLogoutRedirectUri;
    return client.buildEndSessionUrl(config, {
      post_logout_redirect_uri: this.postLogoutRedirectUri,
      ...(idToken ? { id_token_hint: idToken } : {}),
    }).href;
  }

  /** OpenID Connect Back-Channel Logout 1.0 §2.6: what a logout token must be before it is obeyed. */
  async verifyLogoutToken(token: unknown): Promise<{ sub: string | undefined; sid: string | undefined }> {
    const credentials = await this.#credentials();
    if (!credentials || typeof token !== 'string' || token.length > 8192) throw new LogoutTokenError('no logout token');
    let payload: Record<string, unknown>;
    try {
      ({ payload } = await jwtVerify(token, this.#jwks, { issuer: this.#issuer, audience: credentials.clientId, maxTokenAge: '5m', typ: 'logout+jwt' }));
    } catch (error) {
      throw new LogoutTokenError(`logout token rejected: ${(error as Error).message}`);
    }
    const events = payload.events as Record<string, unknown> | undefined;
    if (!events || typeof events[BACKCHANNEL_EVENT] !== 'object') throw new LogoutTokenError('not a back-channel logout event');
    if ('nonce' in payload) throw new LogoutTokenError('a logout token has no nonce');
    const sub = text(payload.sub);
    const sid = text(payload.sid);
    if (!sub && !sid) throw new LogoutTokenError('a logout token names a subject or a session');
    return { sub, sid };
  }
}

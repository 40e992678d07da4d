/**
 * Logins at a facility's relying party, walked without a browser: every PASS page on the way is
 * kept, so tests can read the consent screen, choose what to tick, or decline.
 */
import * as oidc from 'openid-client';
import { CookieJar, csrfOf, request, signInStep } from '../helpers/browserless.ts';
import { PASSWORD } from '../jpki/proofing-helpers.ts';

export interface PageSeen {
  /** `verify`: the code page after the password (sign-in at AAL2). */
  kind: 'login' | 'verify' | 'consent' | 'step-up/card' | 'step-up/face';
  html: string;
}

export interface FacilityWalk {
  callback: URL;
  pages: PageSeen[];
  jar: CookieJar;
}

/** What to post on the consent screen: the optional claims kept ticked (default: as shown), or decline. */
export type ConsentChoice = { claims?: string[] } | 'deny';

export interface WalkOptions {
  email: string;
  password?: string;
  jar?: CookieJar;
  consent?: (html: string) => ConsentChoice;
}

/** The optional claims the consent screen shows ticked. */
/** Every optional item the consent page offers (none is ticked for the resident): the walk ticks them all unless told which. */
export function offeredClaims(html: string): string[] {
  return [...html.matchAll(/name="claim" value="([a-z_0-9]+)"/g)].map((m) => m[1]!);
}

export async function walkFacility(start: URL | string, redirectUri: string, options: WalkOptions): Promise<FacilityWalk> {
  const jar = options.jar ?? new CookieJar();
  const pages: PageSeen[] = [];
  let next = start.toString();
  for (let step = 0; step < 14; step += 1) {
    if (next.startsWith(redirectUri)) return { callback: new URL(next), pages, jar };
    const page = await request(jar, next);
    if (page.status >= 300 && page.status < 400) {
      next = new URL(page.headers.get('location')!, next).toString();
      continue;
    }
    const html = await page.text();
    const form = /action="\/interaction\/([^/]+)\/(login|verify|consent)"/.exec(html);
    if (!form) throw new Error(`unexpected page ${page.status} at ${next}: ${html.slice(0, 500)}`);
    const kind = form[2] as 'login' | 'verify' | 'consent';
    pages.push({ kind, html });
    let posted: Response;
    if (kind === 'consent') {
      const body = new URLSearchParams({ csrf: csrfOf(html) });
      const choice = options.consent?.(html) ?? {};
      body.set('decision', choice === 'deny' ? 'deny' : 'allow');
      if (choice !== 'deny') for (const claim of choice.claims ?? offeredClaims(html)) body.append('claim', claim);
      posted = await request(jar, new URL(`/interaction/${form[1]}/${kind}`, next).toString(), { method: 'POST', body });
    } else {
      // The password, then the one-time code read from the outbox (the browser remembered).
      const then = await signInStep(jar, next, html, { login: options.email, password: options.password ?? PASSWORD, passkey: false });
      posted = await request(jar, then!.url, then!.init);
    }
    const location = posted.headers.get('location');
    if (!location) throw new Error(`the ${kind} form did not redirect (${posted.status}): ${(await posted.text()).slice(0, 500)}`);
    next = new URL(location, next).toString();
  }
  throw new Error('too many redirects');
}

/** Authorization parameters with fresh PKCE, state and nonce, and the checks to redeem the code with. */
export async function authParams(redirectUri: string, scope: string, extra: Record<string, string> = {}) {
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const params = {
    redirect_uri: redirectUri,
    scope,
    state,
    nonce,
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    ...extra,
  };
  return { params, checks: { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce } };
}

export function jwtPayload(jwt: string): Record<string, any> {
  return JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, any>;
}

/** Claims any token or response may carry whatever the consent: protocol and authentication. */
const PROTOCOL = new Set(['iss', 'sub', 'aud', 'exp', 'iat', 'nbf', 'jti', 'nonce', 'at_hash', 'c_hash', 's_hash', 'auth_time', 'acr', 'amr', 'azp', 'sid', 'scope', 'client_id', 'active', 'token_type', 'cnf', 'typ']);

export function personal(body: Record<string, unknown>): string[] {
  return Object.keys(body).filter((k) => !PROTOCOL.has(k)).sort();
}

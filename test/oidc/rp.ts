import * as oidc from 'openid-client';
import { exportJWK, generateKeyPair } from 'jose';
import { CookieJar } from '../helpers/browserless.ts';
import { walkFacility } from './facility-helpers.ts';
import type { startPass } from '../helpers/pass.ts';

export type Pass = Awaited<ReturnType<typeof startPass>>;

export const PASSWORD = 'kinosaki onsen 2026';

export interface Walk {
  /** The redirect back to the relying party, with its query (code, state, iss or error). */
  callback: URL;
  /** Which PASS pages the resident saw on the way (login, verify: the code after the password, consent). */
  pages: string[];
  jar: CookieJar;
}

/**
 * The resident's browser, without a browser: follows an authorization URL through PASS's login
 * and consent pages (allowing, no optional claims ticked) until PASS redirects to `redirectUri`.
 */
export async function walk(start: string | URL, redirectUri: string, login: { email: string; password?: string }, jar = new CookieJar()): Promise<Walk> {
  const walked = await walkFacility(start, redirectUri, { email: login.email, password: login.password ?? PASSWORD, jar, consent: () => ({ claims: [] }) });
  return { callback: walked.callback, pages: walked.pages.map((page) => page.kind), jar: walked.jar };
}

let counter = 0;

/** A verified resident account to sign in with. */
export async function resident(pass: Pass, prefix = 'rp'): Promise<{ id: string; email: string }> {
  counter += 1;
  const email = `${prefix}.${counter}.${Date.now()}@example.jp`;
  const account = await pass.platform.accounts.create({ email, password: PASSWORD, verified: true });
  return { id: account.id, email };
}

export const insecure = { execute: [oidc.allowInsecureRequests] };

/** A key pair for private_key_jwt (and request objects): the private key and the public JWKS to register. */
export async function clientKeys(alg: 'ES256' | 'PS256' = 'ES256'): Promise<{ privateKey: CryptoKey; kid: string; jwks: { keys: Record<string, unknown>[] } }> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const kid = `k-${Math.random().toString(36).slice(2, 10)}`;
  return { privateKey: privateKey as CryptoKey, kid, jwks: { keys: [{ ...(await exportJWK(publicKey)), kid, alg, use: 'sig' }] } };
}

/** Authorization parameters with fresh PKCE, state and nonce. */
export async function codeParams(redirectUri: string, scope = 'openid email'): Promise<{ params: Record<string, string>; verifier: string; state: string; nonce: string }> {
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  return {
    verifier,
    state,
    nonce,
    params: { redirect_uri: redirectUri, scope, state, nonce, code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256' },
  };
}

/** POSTs a form to a PASS endpoint and returns status and JSON body. */
export async function postForm(url: string | URL, form: Record<string, string>, headers: Record<string, string> = {}): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(url, { method: 'POST', headers, body: new URLSearchParams(form) });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

export function basic(clientId: string, secret: string): string {
  return `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(secret)}`).toString('base64')}`;
}

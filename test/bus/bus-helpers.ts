/** The bus verifier driven over HTTP, with Node playing the resident's wallet (presentations made by the SD-JWT core). */
import { SignJWT } from 'jose';
import { presentCredential, sha256Base64url } from '../../src/wallet/sd-jwt/index.ts';

type Json = Record<string, any>;

export interface BusRequest {
  /** The wallet URL the bus sent the browser to. */
  url: URL;
  params: Record<string, string>;
  /** The bus's cookie of the browser that asked. */
  cookie: string;
}

export async function startRequest(issuer: string): Promise<BusRequest> {
  const response = await fetch(`${issuer}/demo/bus/requests`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: '' });
  if (response.status !== 303) throw new Error(`requests: ${response.status}`);
  const url = new URL(response.headers.get('location')!);
  const cookie = response.headers.getSetCookie().find((c) => c.startsWith('kaga_bus='))!.split(';')[0]!;
  return { url, params: Object.fromEntries(url.searchParams), cookie };
}

/** What the wallet does on approval: only the requested claim, bound to the request's client id and nonce. */
export async function present(sdJwt: string, key: CryptoKey, request: BusRequest, overrides: { aud?: string; nonce?: string; disclose?: string[] } = {}): Promise<string> {
  return presentCredential(sdJwt, {
    disclose: overrides.disclose ?? ['age_over_65'],
    aud: overrides.aud ?? request.params.client_id!,
    nonce: overrides.nonce ?? request.params.nonce!,
    key,
    now: new Date(),
  });
}

/** A presentation of `presented` (issuer JWT and disclosures, ending in `~`) with a key binding made by hand: for tampered ones the core would not make. */
export async function bindByHand(presented: string, key: CryptoKey, request: BusRequest): Promise<string> {
  const kb = await new SignJWT({ aud: request.params.client_id, nonce: request.params.nonce, sd_hash: await sha256Base64url(presented) })
    .setProtectedHeader({ typ: 'kb+jwt', alg: 'ES256' })
    .setIssuedAt()
    .sign(key);
  return `${presented}${kb}`;
}

export interface Posted {
  status: number;
  body: Json;
}

/** The direct_post to the request's response_uri. */
export async function post(request: BusRequest, fields: Record<string, string>): Promise<Posted> {
  const response = await fetch(request.params.response_uri!, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ state: request.params.state!, ...fields }).toString(),
  });
  return { status: response.status, body: (await response.json()) as Json };
}

export const vpToken = (presentation: string): string => JSON.stringify({ age: [presentation] });

/** The result page the wallet redirects to, in the browser that started the request (or another, without its cookie). */
export async function resultPage(redirectUri: string, cookie: string | undefined): Promise<{ status: number; html: string }> {
  const response = await fetch(redirectUri, { headers: cookie ? { cookie } : {} });
  return { status: response.status, html: await response.text() };
}

/** The log page's entries, newest first: outcome, reason and the claims received with their shown values. */
export async function logEntries(issuer: string): Promise<Array<{ outcome: string; reason: string; claims: string[]; html: string }>> {
  const html = await (await fetch(`${issuer}/demo/bus/log`)).text();
  return [...html.matchAll(/<tr data-testid="log-entry" data-outcome="([a-z]+)" data-reason="([a-z_]*)">([\s\S]*?)<\/tr>/g)].map((m) => ({
    outcome: m[1]!,
    reason: m[2]!,
    claims: [...m[3]!.matchAll(/data-testid="log-fact" data-claim="([^"]+)"/g)].map((c) => c[1]!),
    html: m[3]!,
  }));
}

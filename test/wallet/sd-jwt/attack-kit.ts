// Hand-made variants of presentations for the refusal tests and the fuzzer: an issuer JWT signed
// over any header and payload, and a key-binding JWT made by jose over any presented string, so an
// attack reaches the check it targets instead of failing an earlier one.
import { createHash, createHmac, sign } from 'node:crypto';
import { SignJWT } from 'jose';
import type { TestIssuer } from './fixtures.ts';

const b64 = (value: unknown): string => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

export function issuerJwt(issuer: TestIssuer, header: Record<string, unknown>, payload: Record<string, unknown>): string {
  const input = `${b64(header)}.${b64(payload)}`;
  return `${input}.${sign('sha256', Buffer.from(input), { key: issuer.privateKey, dsaEncoding: 'ieee-p1363' }).toString('base64url')}`;
}

/** The classic confusion attack: HS256 keyed with the issuer's public key as the verifier may know it. */
export function hs256WithPublicKey(issuer: TestIssuer, header: Record<string, unknown>, payload: Record<string, unknown>): string {
  const input = `${b64({ ...header, alg: 'HS256' })}.${b64(payload)}`;
  return `${input}.${createHmac('sha256', JSON.stringify(issuer.publicJwk)).update(input).digest('base64url')}`;
}

export function unsigned(header: Record<string, unknown>, payload: Record<string, unknown>): string {
  return `${b64({ ...header, alg: 'none' })}.${b64(payload)}.`;
}

export const disclosureOf = (value: unknown[]): string => b64(value);
export const digestOf = (disclosure: string): string => createHash('sha256').update(disclosure).digest('base64url');

export function decodePart(part: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>;
}

export interface KbOptions {
  aud: string;
  nonce: string;
  iat?: number;
  sdHash?: string;
  typ?: string;
}

/** A key-binding JWT by jose over `presented` (everything up to and including the last `~`). */
export async function keyBinding(presented: string, key: CryptoKey, options: KbOptions): Promise<string> {
  return new SignJWT({ aud: options.aud, nonce: options.nonce, sd_hash: options.sdHash ?? createHash('sha256').update(presented).digest('base64url') })
    .setProtectedHeader({ typ: options.typ ?? 'kb+jwt', alg: 'ES256' })
    .setIssuedAt(options.iat ?? Math.floor(Date.now() / 1000))
    .sign(key);
}

/** A presentation's parts: the issuer JWT, the disclosures, the KB-JWT (or ''). */
export function partsOf(presentation: string): { jwt: string; disclosures: string[]; kb: string } {
  const parts = presentation.split('~');
  return { jwt: parts[0]!, disclosures: parts.slice(1, -1), kb: parts.at(-1)! };
}

export const presentedOf = (jwt: string, disclosures: readonly string[]): string => `${jwt}~${disclosures.map((d) => `${d}~`).join('')}`;

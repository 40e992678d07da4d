/**
 * ES256 (ECDSA P-256 with SHA-256) and nothing else, through WebCrypto. Public keys come in as JWK
 * and are rebuilt from kty/crv/x/y alone, so a private `d` or odd members sent along never reach
 * importKey; imported issuer keys are kept per JWK object, since a kiosk verifies many
 * presentations against the same few issuer keys.
 */
import { decodeBase64url, encodeBase64url, encodeBase64urlText } from './base64url.ts';
import { refuse } from './errors.ts';
import { isJsonObject } from './json.ts';
import type { PresentationReason } from './reasons.ts';

export const ES256 = 'ES256';
const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const SIGNATURE = { name: 'ECDSA', hash: 'SHA-256' } as const;

/** A P-256 public key as JWK: the only members PASS reads. */
export interface PublicJwk {
  kty: 'EC';
  crv: 'P-256';
  x: string;
  y: string;
  kid?: string;
}

/** The public members of an EC P-256 JWK, or a refusal with the given reason. */
export function p256PublicJwk(value: unknown, reason: PresentationReason, what: string): PublicJwk {
  if (!isJsonObject(value) || value.kty !== 'EC' || value.crv !== 'P-256' || typeof value.x !== 'string' || typeof value.y !== 'string') {
    throw refuse(reason, `${what} is not an EC P-256 public key`);
  }
  if (decodeBase64url(value.x, reason, `${what} x`).length !== 32 || decodeBase64url(value.y, reason, `${what} y`).length !== 32) {
    throw refuse(reason, `${what} has coordinates of the wrong size`);
  }
  return { kty: 'EC', crv: 'P-256', x: value.x, y: value.y, ...(typeof value.kid === 'string' ? { kid: value.kid } : {}) };
}

export async function importVerifyKey(jwk: PublicJwk, reason: PresentationReason, what: string): Promise<CryptoKey> {
  try {
    return await globalThis.crypto.subtle.importKey('jwk', { kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y }, ALGORITHM, false, ['verify']);
  } catch {
    throw refuse(reason, `${what} is not a point on P-256`);
  }
}

const issuerKeys = new WeakMap<object, Promise<CryptoKey>>();

/** An issuer key, imported once per JWK object the verifier's policy holds. */
export function importIssuerKey(source: object, jwk: PublicJwk, reason: PresentationReason): Promise<CryptoKey> {
  let key = issuerKeys.get(source);
  if (!key) {
    key = importVerifyKey(jwk, reason, 'the issuer key');
    issuerKeys.set(source, key);
    // A key that failed to import is not remembered: the next policy may hold a good one.
    key.catch(() => issuerKeys.delete(source));
  }
  return key;
}

export async function verifyEs256(key: CryptoKey, signature: Uint8Array<ArrayBuffer>, signingInput: string): Promise<boolean> {
  // JWS carries r‖s, 64 bytes; WebCrypto expects the same, but other lengths are refused here, not guessed at.
  if (signature.length !== 64) return false;
  try {
    return await globalThis.crypto.subtle.verify(SIGNATURE, key, signature, new TextEncoder().encode(signingInput));
  } catch {
    return false;
  }
}

/** A compact JWS signed with ES256 by a (possibly non-extractable) WebCrypto private key. */
export async function signEs256Jws(header: Record<string, unknown>, payload: Record<string, unknown>, key: CryptoKey): Promise<string> {
  const signingInput = `${encodeBase64urlText(JSON.stringify(header))}.${encodeBase64urlText(JSON.stringify(payload))}`;
  const signature = await globalThis.crypto.subtle.sign(SIGNATURE, key, new TextEncoder().encode(signingInput));
  return `${signingInput}.${encodeBase64url(new Uint8Array(signature))}`;
}

/** The RFC 7638 thumbprint: the holder's key, named without its coordinates. */
export async function jwkThumbprint(jwk: PublicJwk): Promise<string> {
  const canonical = `{"crv":"${jwk.crv}","kty":"${jwk.kty}","x":"${jwk.x}","y":"${jwk.y}"}`;
  return encodeBase64url(new Uint8Array(await globalThis.crypto.subtle.digest('SHA-256', new TextEncoder().encode(canonical))));
}

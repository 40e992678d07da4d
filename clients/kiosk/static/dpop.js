// DPoP (RFC 9449) proofs from a P-256 key made by WebCrypto as non-extractable: the private key
// never leaves the browser, and the key pair object itself is kept in IndexedDB across restarts.
import { del, get, put } from './store.js';

let pair;
let publicJwk;

const b64u = (buffer) => btoa(String.fromCharCode(...new Uint8Array(buffer))).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
const part = (value) => b64u(new TextEncoder().encode(JSON.stringify(value)));

async function key() {
  if (pair) return pair;
  pair = await get('dpop-key');
  if (!pair) {
    pair = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify']);
    await put('dpop-key', pair);
  }
  const jwk = await crypto.subtle.exportKey('jwk', pair.publicKey);
  publicJwk = { kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y };
  return pair;
}

/** A fresh key for a new provisioning (the old tokens are bound to the old one). */
export async function newKey() {
  pair = undefined;
  await del('dpop-key');
  await key();
}

/** `nonce`: the latest DPoP-Nonce the server gave (RFC 9449 §8, §9), when it asks for one. */
export async function proof(method, url, accessToken, nonce) {
  const { privateKey } = await key();
  const payload = { jti: crypto.randomUUID(), htm: method, htu: url, iat: Math.floor(Date.now() / 1000) };
  if (accessToken) payload.ath = b64u(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(accessToken)));
  if (nonce) payload.nonce = nonce;
  const input = `${part({ typ: 'dpop+jwt', alg: 'ES256', jwk: publicJwk })}.${part(payload)}`;
  const signature = await crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, privateKey, new TextEncoder().encode(input));
  return `${input}.${b64u(signature)}`;
}

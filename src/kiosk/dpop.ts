/**
 * DPoP (RFC 9449) proofs at the kiosk API, the resource-server side of what oidc-provider does at
 * /token: the proof is a JWT signed by the key in its own header, for this method and URL, fresh,
 * bound to the access token (ath), used once (jti), and its key's thumbprint must be the one the
 * token was bound to (cnf.jkt). With nonces (dpop-nonce.ts), it must also carry a nonce PASS gave
 * out recently; otherwise the kiosk is told `use_dpop_nonce` and retries with the new one.
 */
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { calculateJwkThumbprint, EmbeddedJWK, jwtVerify } from 'jose';
import { PassError } from '../core/errors.ts';
import type { DpopNonces } from './dpop-nonce.ts';

const ALGORITHMS = ['ES256', 'EdDSA', 'PS256', 'RS256'];
/** Accepted clock difference for iat, as oidc-provider does without nonces. */
export const DPOP_WINDOW_SECONDS = 300;

export class DpopError extends PassError {
  constructor(message: string) {
    super('unauthorized', 'invalid_dpop_proof', message);
  }
}

/** The proof is valid but lacks a current server nonce (RFC 9449 §9: error `use_dpop_nonce`). */
export class DpopNonceError extends PassError {
  constructor(message: string) {
    super('unauthorized', 'use_dpop_nonce', message);
  }
}

export interface ReplayCache {
  /** True the first time a key is seen within ttlSeconds. */
  unique(key: string, ttlSeconds: number): Promise<boolean>;
}

export class MemoryReplayCache implements ReplayCache {
  readonly #seen = new Map<string, number>();
  #sweep = 0;

  async unique(key: string, ttlSeconds: number): Promise<boolean> {
    const now = Date.now();
    if (now > this.#sweep) {
      for (const [k, until] of this.#seen) if (until < now) this.#seen.delete(k);
      this.#sweep = now + 10_000;
    }
    const until = this.#seen.get(key);
    if (until !== undefined && until >= now) return false;
    this.#seen.set(key, now + ttlSeconds * 1000);
    return true;
  }
}

/** Shared by every node, so a proof replayed to another node is refused too. */
export class RedisReplayCache implements ReplayCache {
  readonly #redis: Redis;
  constructor(redis: Redis) {
    this.#redis = redis;
  }
  async unique(key: string, ttlSeconds: number): Promise<boolean> {
    return (await this.#redis.set(`pass:dpop:${key}`, '1', 'EX', ttlSeconds, 'NX')) === 'OK';
  }
}

export interface DpopCheck {
  proof: string | undefined;
  method: string;
  /** The request URL as the kiosk addressed it (issuer + path), without query. */
  url: string;
  accessToken: string;
  /** The thumbprint the access token is bound to. */
  jkt: string | undefined;
  replay: ReplayCache;
  /** When set, the proof must carry one of these nonces. */
  nonces?: DpopNonces | undefined;
}

export async function verifyDpop(check: DpopCheck): Promise<string> {
  if (!check.jkt) throw new DpopError('the access token is not DPoP-bound');
  if (!check.proof || check.proof.length > 4096) throw new DpopError('a DPoP proof is required');
  let payload;
  let jwk;
  try {
    const verified = await jwtVerify(check.proof, EmbeddedJWK, { typ: 'dpop+jwt', algorithms: ALGORITHMS });
    payload = verified.payload;
    jwk = verified.protectedHeader.jwk;
  } catch {
    throw new DpopError('the DPoP proof is not valid');
  }
  if (!jwk || typeof payload.jti !== 'string' || !payload.jti || payload.jti.length > 128) throw new DpopError('the DPoP proof needs a jti');
  if (typeof payload.iat !== 'number' || Math.abs(Date.now() / 1000 - payload.iat) > DPOP_WINDOW_SECONDS) throw new DpopError('the DPoP proof is not recent');
  if (payload.htm !== check.method) throw new DpopError('DPoP proof htm mismatch');
  const htu = typeof payload.htu === 'string' ? URL.parse(payload.htu) : null;
  if (!htu) throw new DpopError('DPoP proof htu mismatch');
  htu.search = '';
  htu.hash = '';
  if (htu.href !== check.url) throw new DpopError('DPoP proof htu mismatch');
  if (payload.ath !== createHash('sha256').update(check.accessToken).digest('base64url')) throw new DpopError('DPoP proof ath mismatch');
  const thumbprint = await calculateJwkThumbprint(jwk);
  if (thumbprint !== check.jkt) throw new DpopError('the DPoP key is not the one the token is bound to');
  // After every other check, so a bad proof is told what is wrong with it rather than to fetch a nonce.
  if (check.nonces) {
    if (payload.nonce === undefined) throw new DpopNonceError('a DPoP nonce from PASS is required');
    if (typeof payload.nonce !== 'string' || !check.nonces.isValid(payload.nonce)) throw new DpopNonceError('the DPoP nonce is stale or unknown');
  }
  if (!(await check.replay.unique(`${thumbprint}:${payload.jti}`, DPOP_WINDOW_SECONDS * 2))) throw new DpopError('DPoP proof replayed');
  return thumbprint;
}

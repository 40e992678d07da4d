/**
 * Server-provided DPoP nonces (RFC 9449 §8, §9) for kiosks. A kiosk is an unattended tablet that
 * holds a refresh token for months: a nonce the server chose limits a stolen key's pre-made proofs
 * to minutes instead of trusting the kiosk's clock alone.
 *
 * Nothing is stored: a nonce is an HMAC of the current time window under a key derived from the
 * first cookie key, so every node computes the same value and a nonce lapses by itself. It stays
 * good for a few windows after it was made (requests in flight, kiosk and node clocks) and one
 * window early (a node whose clock runs ahead made it).
 *
 * The kiosk API uses DpopNonces; the token endpoint uses oidc-provider's own nonce feature for the
 * kiosk client (tokenEndpointDpop), with a secret derived the same way under another label, so a
 * nonce of one server is never accepted by the other (RFC 9449 §8: they are separate servers).
 */
import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import type { Config } from '../config/load-config.ts';
import { KIOSK_CLIENT_ID } from './kiosk-client.ts';

export const NONCE_WINDOW_SECONDS = 60;
/** Windows after the one a nonce was made in during which it is still accepted. */
export const NONCE_WINDOWS_BACK = 4;
const NONCE_WINDOWS_AHEAD = 1;

function derivedKey(config: Pick<Config, 'cookieKeys'>, label: string): Buffer {
  return Buffer.from(hkdfSync('sha256', config.cookieKeys[0]!, 'pass-dpop-nonce', label, 32));
}

export class DpopNonces {
  readonly #key: Buffer;
  readonly #now: () => number;
  /** The nonces of the windows accepted now, remade only when the window moves (every request checks them). */
  #accepted: { window: number; values: Buffer[]; current: string } | undefined;

  constructor(key: Buffer, now: () => number = Date.now) {
    this.#key = key;
    this.#now = now;
  }

  #window(at = this.#now()): number {
    return Math.floor(at / 1000 / NONCE_WINDOW_SECONDS);
  }

  #value(window: number): string {
    return createHmac('sha256', this.#key).update(`kiosk-api:${window}`).digest('base64url');
  }

  #acceptedNow(): { values: Buffer[]; current: string } {
    const window = this.#window();
    if (this.#accepted?.window !== window) {
      const values: Buffer[] = [];
      for (let w = window - NONCE_WINDOWS_BACK; w <= window + NONCE_WINDOWS_AHEAD; w += 1) values.push(Buffer.from(this.#value(w)));
      this.#accepted = { window, values, current: this.#value(window) };
    }
    return this.#accepted;
  }

  /** The nonce to hand out now (or, for tests and other nodes' clocks, at another time). */
  current(at?: number): string {
    return at === undefined ? this.#acceptedNow().current : this.#value(this.#window(at));
  }

  isValid(nonce: string): boolean {
    if (nonce.length !== 43) return false;
    const given = Buffer.from(nonce);
    if (given.length !== 43) return false;
    let valid = false;
    // Every window is compared, so the time taken says nothing about which one matched.
    for (const value of this.#acceptedNow().values) {
      if (timingSafeEqual(given, value)) valid = true;
    }
    return valid;
  }
}

export function kioskApiNonces(config: Pick<Config, 'cookieKeys'>, now?: () => number): DpopNonces {
  return new DpopNonces(derivedKey(config, 'kiosk API'), now);
}

interface NonceContext {
  oidc?: { client?: { clientId?: string } };
}

/**
 * oidc-provider's features.dPoP settings: its stateless nonces (the same idea, its own windows)
 * with a derived secret, required of the kiosk client only. Other clients may still use nonces
 * (oidc-provider offers one whenever a proof's iat is too far off) but are not made to.
 */
export function tokenEndpointDpop(config: Pick<Config, 'cookieKeys'>): { nonceSecret: Buffer; requireNonce: (ctx: NonceContext) => boolean } {
  return {
    nonceSecret: derivedKey(config, 'token endpoint'),
    requireNonce: (ctx) => ctx.oidc?.client?.clientId === KIOSK_CLIENT_ID,
  };
}

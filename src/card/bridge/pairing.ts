/**
 * Pairing the bridge with its kiosk's page (docs/card.md, "Pairing"). Staff ask PASS Manager for a
 * one-time code for one kiosk; at that kiosk the page asks the bridge for a nonce, sends the code
 * and the nonce to PASS as that kiosk (its DPoP-bound token), and hands PASS's signed answer to the
 * bridge. The bridge checks PASS's signature, that the answer echoes a nonce it gave out and has not
 * used, and then issues a random bearer token to the page; it keeps only the token's SHA-256, in
 * memory, and the kiosk it was issued for. A new pairing replaces the old token, and a restart
 * unpairs. A program on the machine can forge an Origin header but not PASS's signature, and PASS
 * signs only for a kiosk's own page holding a code staff made for that kiosk.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { PAIRING_NONCE } from './pairing-assertion.ts';
import { BRIDGE_REASONS } from './reasons.ts';

/** What PASS's signed answer says, once its signature, issuer, audience and time are checked. */
export interface PairingGrant {
  kioskId: string;
  kioskName: string | undefined;
  nonce: string;
}

/** Checks PASS's answer (pass-verifier.ts); rejects with a bridge refusal when it cannot vouch for it. */
export type PairingVerifier = (assertion: string) => Promise<PairingGrant>;

/** How long a nonce waits for PASS's answer: staff type the code in the meantime. */
export const NONCE_TTL_MS = 10 * 60_000;
/** Nonces given out and not yet used; the oldest is dropped beyond this (nothing to gain by asking many). */
export const MAX_OPEN_NONCES = 8;

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest();

export class Pairing {
  readonly #verify: PairingVerifier;
  readonly #now: () => number;
  /** Nonce → when it stops being accepted. */
  readonly #nonces = new Map<string, number>();
  #tokenHash: Buffer | undefined;
  #kiosk: { id: string; name: string | undefined } | undefined;

  constructor(verify: PairingVerifier, now: () => number = Date.now) {
    this.#verify = verify;
    this.#now = now;
  }

  get paired(): boolean {
    return this.#tokenHash !== undefined;
  }

  /** The kiosk whose page holds the token. */
  get kiosk(): { id: string; name: string | undefined } | undefined {
    return this.#kiosk;
  }

  /** A fresh nonce for PASS to sign into its answer. */
  nonce(): { nonce: string; expiresAt: number } {
    const now = this.#now();
    for (const [nonce, until] of this.#nonces) if (until <= now) this.#nonces.delete(nonce);
    while (this.#nonces.size >= MAX_OPEN_NONCES) this.#nonces.delete(this.#nonces.keys().next().value!);
    const nonce = randomBytes(32).toString('base64url');
    const expiresAt = now + NONCE_TTL_MS;
    this.#nonces.set(nonce, expiresAt);
    return { nonce, expiresAt };
  }

  /** Spends PASS's answer: the token for the kiosk page, or a refusal (`pairing_refused`, `pairing_expired`). */
  async pair(assertion: string): Promise<{ token: string; kioskId: string; kioskName: string | undefined }> {
    const grant = await this.#verify(assertion);
    const until = PAIRING_NONCE.test(grant.nonce) ? this.#nonces.get(grant.nonce) : undefined;
    if (until === undefined || until <= this.#now()) throw BRIDGE_REASONS.refuse('pairing_expired');
    this.#nonces.delete(grant.nonce);
    const token = randomBytes(32).toString('base64url');
    this.#tokenHash = sha256(token);
    this.#kiosk = { id: grant.kioskId, name: grant.kioskName };
    return { token, kioskId: grant.kioskId, kioskName: grant.kioskName };
  }

  /** Whether an `Authorization: Bearer …` value carries the paired token. */
  admits(authorization: string | undefined): boolean {
    const match = authorization?.match(/^Bearer ([A-Za-z0-9_-]{43})$/);
    if (!match || !this.#tokenHash) return false;
    return timingSafeEqual(sha256(match[1]!), this.#tokenHash);
  }
}

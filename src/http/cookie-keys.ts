import { createHmac, createSecretKey, timingSafeEqual, type KeyObject } from 'node:crypto';

/**
 * Signed-cookie keys for Koa and oidc-provider, newest first. Signatures are exactly Keygrip's
 * (HMAC-SHA1, URL-safe base64 without padding), so cookies set before stay valid; checking one
 * costs one HMAC per key and a constant-time compare, where Keygrip's compare (tsscmp) computes two
 * more HMACs with a fresh random key each time. Every browser request to PASS checks several
 * signed cookies, so this is on the sign-in path (~3 % of its CPU with Keygrip).
 */
export class CookieKeys {
  readonly #keys: KeyObject[];

  constructor(keys: readonly string[]) {
    if (keys.length === 0) throw new Error('at least one cookie key is needed');
    this.#keys = keys.map((key) => createSecretKey(Buffer.from(key, 'utf8')));
  }

  sign(data: string): string {
    return signWith(this.#keys[0]!, data);
  }

  verify(data: string, digest: string): boolean {
    return this.index(data, digest) > -1;
  }

  /** Which key made `digest` (0: the newest), or -1. */
  index(data: string, digest: string): number {
    const given = Buffer.from(String(digest), 'utf8');
    for (let i = 0; i < this.#keys.length; i += 1) {
      const expected = Buffer.from(signWith(this.#keys[i]!, data), 'utf8');
      if (expected.length === given.length && timingSafeEqual(expected, given)) return i;
    }
    return -1;
  }
}

function signWith(key: KeyObject, data: string): string {
  return createHmac('sha1', key).update(data).digest('base64url');
}

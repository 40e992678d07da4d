/**
 * The rotating check-in QR code of the PASS app: a compact JWS (ES256) signed with PASS's current
 * signing key (the provider's key set, so key rotation and the published JWKS cover it), short-lived,
 * bound to one person, single use. The kiosk sends it as read; only PASS verifies it. A guardian
 * draws a household member's code (qr-subjects.ts): the member is its subject, so the kiosk checks
 * the member in, never the guardian.
 *   header  { alg: ES256, kid, typ: "pass-checkin+jwt" }
 *   payload { iss, aud: "pass-kiosk", sub: <person id>, jti, iat, exp }
 */
import { randomBytes } from 'node:crypto';
import { decodeProtectedHeader, errors as joseErrors, importJWK, jwtVerify, SignJWT, type CryptoKey, type JWK } from 'jose';
import type { Database } from '../db/database.ts';
import type { SigningKeys } from '../oidc/keys/signing-keys.ts';

export const QR_TYPE = 'pass-checkin+jwt';
export const QR_AUDIENCE = 'pass-kiosk';
const CACHE_MS = 30_000;
const CLOCK_TOLERANCE_S = 5;

export type QrRefusal = 'qr_invalid' | 'qr_expired' | 'qr_replayed';

export class QrRefused extends Error {
  readonly reason: QrRefusal;
  constructor(reason: QrRefusal) {
    super(reason);
    this.reason = reason;
  }
}

interface KeyCache {
  at: number;
  signing: { kid: string; key: CryptoKey } | undefined;
  verifying: Map<string, CryptoKey>;
}

export class QrTokens {
  readonly #keys: SigningKeys;
  readonly #db: Database;
  readonly #issuer: string;
  readonly ttlSeconds: number;
  #cache: Promise<KeyCache> | undefined;

  constructor(options: { keys: SigningKeys; db: Database; issuer: string; ttlSeconds?: number }) {
    this.#keys = options.keys;
    this.#db = options.db;
    this.#issuer = options.issuer;
    this.ttlSeconds = options.ttlSeconds ?? 30;
  }

  async #load(force = false): Promise<KeyCache> {
    const cached = this.#cache ? await this.#cache.catch(() => undefined) : undefined;
    if (cached && !force && Date.now() - cached.at < CACHE_MS) return cached;
    this.#cache = (async () => {
      const { keys } = await this.#keys.providerJwks();
      const verifying = new Map<string, CryptoKey>();
      let signing: KeyCache['signing'];
      for (const jwk of keys as Array<JWK & { key_ops?: string[] }>) {
        if (jwk.alg !== 'ES256' || !jwk.kid) continue;
        const { d: _d, key_ops: _ops, ...publicJwk } = jwk;
        verifying.set(jwk.kid, (await importJWK(publicJwk, 'ES256')) as CryptoKey);
        if (!signing && !jwk.key_ops) signing = { kid: jwk.kid, key: (await importJWK({ ...publicJwk, d: jwk.d }, 'ES256')) as CryptoKey };
      }
      return { at: Date.now(), signing, verifying };
    })();
    return this.#cache;
  }

  async issue(personId: string, now = new Date()): Promise<{ token: string; expiresAt: Date }> {
    let keys = await this.#load();
    if (!keys.signing) keys = await this.#load(true);
    if (!keys.signing) throw new Error('no current ES256 signing key');
    const iat = Math.floor(now.getTime() / 1000);
    const exp = iat + this.ttlSeconds;
    const token = await new SignJWT({})
      .setProtectedHeader({ alg: 'ES256', kid: keys.signing.kid, typ: QR_TYPE })
      .setIssuer(this.#issuer)
      .setAudience(QR_AUDIENCE)
      .setSubject(personId)
      .setJti(randomBytes(16).toString('base64url'))
      .setIssuedAt(iat)
      .setExpirationTime(exp)
      .sign(keys.signing.key);
    return { token, expiresAt: new Date(exp * 1000) };
  }

  /** The person and the token's id and expiry; refuses forgeries and expired codes (not replays: see consume). */
  async verify(token: string): Promise<{ personId: string; jti: string; expiresAt: Date }> {
    if (typeof token !== 'string' || token.length > 2048 || !/^[\w-]+\.[\w-]+\.[\w-]+$/.test(token)) throw new QrRefused('qr_invalid');
    let kid: string | undefined;
    try {
      const header = decodeProtectedHeader(token);
      if (header.alg !== 'ES256' || header.typ !== QR_TYPE) throw new QrRefused('qr_invalid');
      kid = header.kid;
    } catch {
      throw new QrRefused('qr_invalid');
    }
    if (!kid) throw new QrRefused('qr_invalid');
    let key = (await this.#load()).verifying.get(kid);
    key ??= (await this.#load(true)).verifying.get(kid);
    if (!key) throw new QrRefused('qr_invalid');
    try {
      const { payload } = await jwtVerify(token, key, {
        algorithms: ['ES256'],
        typ: QR_TYPE,
        issuer: this.#issuer,
        audience: QR_AUDIENCE,
        clockTolerance: CLOCK_TOLERANCE_S,
        requiredClaims: ['sub', 'jti', 'exp', 'iat'],
      });
      if (typeof payload.sub !== 'string' || typeof payload.jti !== 'string' || payload.exp! - payload.iat! > this.ttlSeconds * 4) throw new QrRefused('qr_invalid');
      return { personId: payload.sub, jti: payload.jti, expiresAt: new Date(payload.exp! * 1000) };
    } catch (error) {
      if (error instanceof QrRefused) throw error;
      if (error instanceof joseErrors.JWTExpired) throw new QrRefused('qr_expired');
      throw new QrRefused('qr_invalid');
    }
  }

  /**
   * Marks the code used by this check-in. True the first time, and again for a retry of the same
   * check-in (same id); false when another check-in used it (a replay).
   */
  async consume(jti: string, expiresAt: Date, checkinId: string): Promise<boolean> {
    const rows = (await this.#db('qr_token_uses')
      .insert({ jti, checkin_id: checkinId, expires_at: new Date(expiresAt.getTime() + CLOCK_TOLERANCE_S * 1000) })
      .onConflict('jti')
      .ignore()
      .returning('jti')) as unknown[];
    if (rows.length > 0) return true;
    const used = (await this.#db('qr_token_uses').where({ jti }).first('checkin_id')) as { checkin_id: string } | undefined;
    return used?.checkin_id === checkinId;
  }

  /** Forgets uses of codes that have expired (they are refused as expired from then on anyway). */
  async purge(now = new Date()): Promise<number> {
    return this.#db('qr_token_uses').where('expires_at', '<', new Date(now.getTime() - 60_000)).delete();
  }
}

/**
 * Connecting a kiosk's card reader (its card bridge, docs/card.md "Pairing"). Staff press
 * 「カードリーダーを接続」 on the kiosk's row in PASS Manager: PASS makes an 8-digit one-time code
 * for that kiosk (kept as an HMAC only, 10 minutes, spent by its first right use, void after 5 wrong
 * ones) and audits it. At the kiosk, its page — signed in as that kiosk — sends the code with the
 * bridge's nonce; PASS answers with a short-lived JWS naming the kiosk and echoing the nonce
 * (src/card/bridge/pairing-assertion.ts), signed with PASS's current key, which the bridge checks
 * against PASS's JWKS before it gives the page its token. A code shown for one kiosk pairs no other.
 */
import { createHmac, hkdfSync, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import { importJWK, SignJWT, type CryptoKey, type JWK } from 'jose';
import type { Database } from '../db/database.ts';
import { appendAudit } from '../audit/audit-log.ts';
import { defineReasons } from '../core/reasons.ts';
import type { SigningKeys } from '../oidc/keys/signing-keys.ts';
import { createTransientStore, type TransientStore } from '../identity/proofing/transient-store.ts';
import type { Platform } from '../platform.ts';
import { PAIRING_ASSERTION_SECONDS, PAIRING_ASSERTION_TYPE, PAIRING_AUDIENCE } from '../card/bridge/pairing-assertion.ts';

export const READER_CODE_DIGITS = 8;
export const READER_CODE_SECONDS = 600;
export const MAX_WRONG_READER_CODES = 5;

export const KIOSK_READER_REASONS = defineReasons('kiosk-card-reader', {
  reader_code_wrong: {
    status: 403,
    ja: '接続コードが違います。PASS Manager に表示されたコードを入力してください。',
    en: 'Wrong connection code. Enter the code shown in PASS Manager.',
  },
  reader_code_expired: {
    status: 403,
    ja: '接続コードは使用済みか期限切れです。PASS Manager で新しいコードを表示してください。',
    en: 'The connection code has been used or has expired. Show a new one in PASS Manager.',
  },
});

interface StoredCode {
  mac: string;
  wrong: number;
  expiresAt: number;
}

export interface ReaderCode {
  /** 8 digits, shown once to the staff member; PASS keeps only its HMAC. */
  code: string;
  expiresAt: Date;
}

export interface CardReaderPairingDeps {
  db: Database;
  store: TransientStore;
  keys: SigningKeys;
  issuer: string;
  /** The installation's first cookie key: the codes' HMAC key is derived from it, so a database reader cannot try all 10^8 codes. */
  secret: string;
  now?: () => Date;
}

const keyOf = (kioskId: string) => `kiosk-reader-code:${kioskId}`;

export class CardReaderPairing {
  readonly #d: CardReaderPairingDeps;
  readonly #macKey: Buffer;

  constructor(deps: CardReaderPairingDeps) {
    this.#d = deps;
    this.#macKey = Buffer.from(hkdfSync('sha256', deps.secret, 'pass-kiosk-reader-code', 'hmac', 32));
  }

  #now(): Date {
    return (this.#d.now ?? (() => new Date()))();
  }

  #mac(kioskId: string, code: string): string {
    return createHmac('sha256', this.#macKey).update(`${kioskId}\0${code}`).digest('base64url');
  }

  /** A new code for one kiosk, replacing any earlier one; the caller has checked who may ask. */
  async issue(kiosk: { id: string; facilityId: string }, actorAccountId: string): Promise<ReaderCode> {
    const code = Array.from({ length: READER_CODE_DIGITS }, () => randomInt(10)).join('');
    const expiresAt = new Date(this.#now().getTime() + READER_CODE_SECONDS * 1000);
    // take first: a key is written once, so the earlier code of this kiosk goes before the new one is put.
    await this.#d.store.take(keyOf(kiosk.id));
    const stored: StoredCode = { mac: this.#mac(kiosk.id, code), wrong: 0, expiresAt: expiresAt.getTime() };
    await this.#d.store.put(keyOf(kiosk.id), JSON.stringify(stored), READER_CODE_SECONDS);
    await appendAudit(this.#d.db, { actorAccountId, action: 'manager.kiosk_card_reader_code', facilityId: kiosk.facilityId, details: { kioskId: kiosk.id } });
    return { code, expiresAt };
  }

  /**
   * The kiosk's page spends a code made for this kiosk: PASS's signed answer for the bridge, or
   * `reader_code_wrong` (with the tries left) or `reader_code_expired`.
   */
  async pair(kiosk: { id: string; facilityId: string; name: string }, typed: string, nonce: string): Promise<{ assertion: string; expiresAt: Date }> {
    const code = typed.replace(/[\s-]/g, '');
    // Taken, not read: two pages racing with the right code cannot both pair.
    const raw = await this.#d.store.take(keyOf(kiosk.id));
    const stored = raw ? (JSON.parse(raw) as StoredCode) : undefined;
    const now = this.#now().getTime();
    if (!stored || stored.expiresAt <= now) throw KIOSK_READER_REASONS.refuse('reader_code_expired');
    const right = /^\d{8}$/.test(code) && timingSafeEqual(Buffer.from(this.#mac(kiosk.id, code)), Buffer.from(stored.mac));
    if (!right) {
      const wrong = stored.wrong + 1;
      const left = MAX_WRONG_READER_CODES - wrong;
      if (left > 0) await this.#d.store.put(keyOf(kiosk.id), JSON.stringify({ ...stored, wrong }), Math.max(1, Math.ceil((stored.expiresAt - now) / 1000)));
      if (left <= 0) throw KIOSK_READER_REASONS.refuse('reader_code_expired', 'too many wrong codes: the code is void');
      throw KIOSK_READER_REASONS.refuse('reader_code_wrong', undefined, { attempts_left: left });
    }
    const signed = await this.#sign(kiosk, nonce, now);
    await appendAudit(this.#d.db, { actorAccountId: undefined, action: 'kiosk.card_reader_paired', facilityId: kiosk.facilityId, details: { kioskId: kiosk.id } });
    return signed;
  }

  async #sign(kiosk: { id: string; name: string }, nonce: string, now: number): Promise<{ assertion: string; expiresAt: Date }> {
    const signing = await this.#signingKey();
    const iat = Math.floor(now / 1000);
    const exp = iat + PAIRING_ASSERTION_SECONDS;
    const assertion = await new SignJWT({ nonce, kiosk_name: kiosk.name })
      .setProtectedHeader({ alg: 'ES256', kid: signing.kid, typ: PAIRING_ASSERTION_TYPE })
      .setIssuer(this.#d.issuer)
      .setAudience(PAIRING_AUDIENCE)
      .setSubject(kiosk.id)
      .setJti(randomBytes(16).toString('base64url'))
      .setIssuedAt(iat)
      .setExpirationTime(exp)
      .sign(signing.key);
    return { assertion, expiresAt: new Date(exp * 1000) };
  }

  /** PASS's current ES256 key (the provider's key set, whose public half its JWKS publishes), as QrTokens finds it. */
  async #signingKey(): Promise<{ kid: string; key: CryptoKey }> {
    const { keys } = await this.#d.keys.providerJwks();
    for (const jwk of keys as Array<JWK & { key_ops?: string[] }>) {
      if (jwk.alg !== 'ES256' || !jwk.kid || jwk.key_ops) continue;
      const { key_ops: _ops, ...privateJwk } = jwk;
      return { kid: jwk.kid, key: (await importJWK(privateJwk, 'ES256')) as CryptoKey };
    }
    throw new Error('no current ES256 signing key');
  }
}

/** The pairing of this installation: the kiosk capability's and PASS Manager's share it through the transient store (Redis or PostgreSQL), not memory. */
export function cardReaderPairing(platform: Pick<Platform, 'config' | 'db' | 'redis' | 'keys'>): CardReaderPairing {
  return new CardReaderPairing({
    db: platform.db,
    store: createTransientStore(platform.db, platform.redis),
    keys: platform.keys,
    issuer: platform.config.issuer,
    secret: platform.config.cookieKeys[0]!,
  });
}

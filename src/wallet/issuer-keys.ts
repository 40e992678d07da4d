/**
 * The credential issuer's signing keys: the life of the OIDC signing keys (src/oidc/keys/
 * signing-keys.ts: next → current → retired, sealed with the secret box) but keys of their own,
 * because a credential outlives an ID token by months. A retired key stays published until the
 * last credential it signed has expired, so a verifier can check every credential still valid.
 * Published at /.well-known/jwt-vc-issuer; verifiers find a key by `kid`.
 */
import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from 'jose';
import type { Database } from '../db/database.ts';
import type { SecretBox } from '../core/secret-box.ts';
import { CREDENTIAL_ALG } from './credential-types.ts';

/** A rotation (the CLI's `wallet-keys rotate`) tells every node here to load the keys again. */
export const WALLET_KEYS_CHANNEL = 'wallet-signing-keys';

export type WalletKeyStatus = 'next' | 'current' | 'retired';

export interface WalletKeyInfo {
  kid: string;
  status: WalletKeyStatus;
  createdAt: Date;
  activatedAt: Date | null;
  /** For a retired key: when the last credential it signed expires (it is published until then). */
  expiresAt: Date | null;
}

export interface IssuerSigningKey {
  kid: string;
  privateKey: KeyObject;
}

interface KeyRow {
  kid: string;
  alg: string;
  status: WalletKeyStatus;
  jwk_sealed: string;
  created_at: Date;
  activated_at: Date | null;
  expires_at: Date | null;
}

const TABLE = 'wallet_signing_keys';
const CREDENTIALS = 'wallet_credentials';
const AAD = 'wallet-signing-key';
const ORDER: Record<WalletKeyStatus, number> = { current: 0, next: 1, retired: 2 };

async function lockKeys(trx: Database): Promise<void> {
  await trx.raw("select pg_advisory_xact_lock(hashtext('pass:wallet-signing-keys'))");
}

function publicJwk(jwk: JWK): JWK {
  const { kty, crv, x, y, kid } = jwk;
  return { kty, crv, x, y, kid, alg: CREDENTIAL_ALG, use: 'sig' } as JWK;
}

export class WalletKeys {
  readonly #db: Database;
  readonly #box: SecretBox;
  readonly #refreshMs: number;
  #cached: { at: number; signing: IssuerSigningKey; published: JWK[] } | undefined;

  /** `refreshSeconds`: how long a node keeps the key set before looking again (a rotation by the CLI reaches it within that). */
  constructor(db: Database, box: SecretBox, refreshSeconds: number) {
    this.#db = db;
    this.#box = box;
    this.#refreshMs = refreshSeconds * 1000;
  }

  async #insert(trx: Database, status: WalletKeyStatus): Promise<void> {
    const { privateKey } = await generateKeyPair(CREDENTIAL_ALG, { extractable: true });
    const jwk = await exportJWK(privateKey);
    const kid = await calculateJwkThumbprint(jwk);
    await trx(TABLE).insert({
      kid,
      alg: CREDENTIAL_ALG,
      status,
      jwk_sealed: this.#box.seal(JSON.stringify({ ...jwk, kid }), AAD),
      activated_at: status === 'current' ? new Date() : null,
    });
  }

  /** First start: a current and a next key. Concurrent nodes create them once. */
  async ensure(): Promise<void> {
    await this.#db.transaction(async (trx) => {
      await lockKeys(trx);
      const rows = (await trx(TABLE).whereIn('status', ['current', 'next'])) as KeyRow[];
      if (!rows.some((r) => r.status === 'current')) await this.#insert(trx, 'current');
      if (!rows.some((r) => r.status === 'next')) await this.#insert(trx, 'next');
    });
    this.forget();
  }

  /**
   * Promotes `next` to `current`, retires the old `current` until the last credential it signed
   * expires (it signs nothing more, so that moment is known now), publishes a fresh `next`, and
   * removes retired keys nothing valid was signed with any more.
   */
  async rotate(now = new Date()): Promise<WalletKeyInfo[]> {
    await this.#db.transaction(async (trx) => {
      await lockKeys(trx);
      await trx(TABLE).where('status', 'retired').andWhere('expires_at', '<', now).delete();
      const current = (await trx(TABLE).where({ status: 'current' }).select('kid')) as Array<{ kid: string }>;
      for (const { kid } of current) {
        const [last] = (await trx(CREDENTIALS).where({ signing_kid: kid }).max({ until: 'expires_at' })) as Array<{ until: Date | string | null }>;
        const until = last?.until ? new Date(last.until) : now;
        await trx(TABLE).where({ kid }).update({ status: 'retired', retired_at: now, expires_at: until > now ? until : now });
      }
      const promoted = await trx(TABLE).where({ status: 'next' }).update({ status: 'current', activated_at: now });
      if (promoted === 0) await this.#insert(trx, 'current');
      await this.#insert(trx, 'next');
    });
    this.forget();
    return this.list();
  }

  /** Removes retired keys whose credentials have all expired. Returns how many went. */
  async deleteExpired(now = new Date()): Promise<number> {
    const removed = await this.#db(TABLE).where('status', 'retired').andWhere('expires_at', '<', now).delete();
    if (removed) this.forget();
    return removed;
  }

  async list(): Promise<WalletKeyInfo[]> {
    const rows = (await this.#db(TABLE).select('*')) as KeyRow[];
    return rows
      .sort((a, b) => ORDER[a.status] - ORDER[b.status])
      .map((r) => ({ kid: r.kid, status: r.status, createdAt: r.created_at, activatedAt: r.activated_at, expiresAt: r.expires_at }));
  }

  /** Drops this node's copy of the key set (after a rotation, or when another node says so). */
  forget(): void {
    this.#cached = undefined;
  }

  async #load(): Promise<{ signing: IssuerSigningKey; published: JWK[] }> {
    if (this.#cached && Date.now() - this.#cached.at < this.#refreshMs) return this.#cached;
    const now = new Date();
    const rows = ((await this.#db(TABLE).select('*')) as KeyRow[]).filter((r) => r.status !== 'retired' || !r.expires_at || new Date(r.expires_at) >= now);
    rows.sort((a, b) => ORDER[a.status] - ORDER[b.status]);
    const jwks = rows.map((row) => ({ row, jwk: JSON.parse(this.#box.openText(row.jwk_sealed, AAD)) as JWK }));
    const current = jwks.find((k) => k.row.status === 'current');
    if (!current) throw new Error('the wallet has no current signing key (WalletKeys.ensure was not run)');
    const loaded = {
      at: Date.now(),
      signing: { kid: current.row.kid, privateKey: createPrivateKey({ key: current.jwk as never, format: 'jwk' }) },
      published: jwks.map((k) => publicJwk(k.jwk)),
    };
    this.#cached = loaded;
    return loaded;
  }

  /** The key that signs credentials and status lists now. */
  async signingKey(): Promise<IssuerSigningKey> {
    return (await this.#load()).signing;
  }

  /** The public keys a verifier may meet: current, next, and retired ones still covering valid credentials. */
  async publishedKeys(): Promise<JWK[]> {
    return (await this.#load()).published;
  }

  /** A published key as a KeyObject, by kid (tests and the issuer's own checks). */
  async publicKey(kid: string): Promise<KeyObject | undefined> {
    const jwk = (await this.publishedKeys()).find((k) => k.kid === kid);
    return jwk ? createPublicKey({ key: jwk as never, format: 'jwk' }) : undefined;
  }
}

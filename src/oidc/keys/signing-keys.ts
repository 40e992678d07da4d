import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from 'jose';
import type { Database } from '../../db/database.ts';
import type { SecretBox } from '../../core/secret-box.ts';

export const SIGNING_ALGS = ['ES256', 'RS256'] as const;
export type SigningAlg = (typeof SIGNING_ALGS)[number];

/**
 * A key's life: `next` (published, not signing yet, so relying parties cache it before it is
 * used), `current` (signs), `retired` (published for verification until the tokens it signed
 * have expired), then deleted.
 */
export type KeyStatus = 'next' | 'current' | 'retired';

export interface SigningKeyInfo {
  kid: string;
  alg: SigningAlg;
  status: KeyStatus;
  createdAt: Date;
  activatedAt: Date | null;
  expiresAt: Date | null;
}

interface KeyRow {
  kid: string;
  alg: SigningAlg;
  status: KeyStatus;
  jwk_sealed: string;
  created_at: Date;
  activated_at: Date | null;
  expires_at: Date | null;
}

const TABLE = 'oidc_signing_keys';
const AAD = 'oidc-signing-key';
const STATUS_ORDER: Record<KeyStatus, number> = { current: 0, next: 1, retired: 2 };

async function newKey(alg: SigningAlg): Promise<{ kid: string; jwk: JWK }> {
  const { privateKey } = await generateKeyPair(alg, { extractable: true, ...(alg === 'RS256' ? { modulusLength: 2048 } : {}) });
  const jwk = await exportJWK(privateKey);
  const kid = await calculateJwkThumbprint(jwk);
  return { kid, jwk: { ...jwk, kid, alg, use: 'sig' } };
}

function toInfo(row: KeyRow): SigningKeyInfo {
  return {
    kid: row.kid,
    alg: row.alg,
    status: row.status,
    createdAt: row.created_at,
    activatedAt: row.activated_at,
    expiresAt: row.expires_at,
  };
}

async function lockKeys(trx: Database): Promise<void> {
  await trx.raw("select pg_advisory_xact_lock(hashtext('pass:signing-keys'))");
}

export class SigningKeys {
  readonly #db: Database;
  readonly #box: SecretBox;

  constructor(db: Database, box: SecretBox) {
    this.#db = db;
    this.#box = box;
  }

  async #insert(trx: Database, alg: SigningAlg, status: KeyStatus): Promise<void> {
    const { kid, jwk } = await newKey(alg);
    await trx(TABLE).insert({
      kid,
      alg,
      status,
      jwk_sealed: this.#box.seal(JSON.stringify(jwk), AAD),
      activated_at: status === 'current' ? new Date() : null,
    });
  }

  /** First start: a current and a next key per algorithm. Concurrent nodes create them once. */
  async ensure(): Promise<void> {
    await this.#db.transaction(async (trx) => {
      await lockKeys(trx);
      for (const alg of SIGNING_ALGS) {
        const rows = (await trx(TABLE).where({ alg }).whereIn('status', ['current', 'next'])) as KeyRow[];
        if (!rows.some((r) => r.status === 'current')) await this.#insert(trx, alg, 'current');
        if (!rows.some((r) => r.status === 'next')) await this.#insert(trx, alg, 'next');
      }
    });
  }

  /**
   * Promotes each `next` key to `current`, retires the old `current` for `overlapSeconds` (the
   * longest lifetime of anything it signed), and publishes a fresh `next`.
   */
  async rotate(overlapSeconds: number): Promise<SigningKeyInfo[]> {
    const now = new Date();
    await this.#db.transaction(async (trx) => {
      await lockKeys(trx);
      await trx(TABLE).where('status', 'retired').andWhere('expires_at', '<', now).delete();
      for (const alg of SIGNING_ALGS) {
        await trx(TABLE)
          .where({ alg, status: 'current' })
          .update({ status: 'retired', retired_at: now, expires_at: new Date(now.getTime() + overlapSeconds * 1000) });
        const promoted = await trx(TABLE).where({ alg, status: 'next' }).update({ status: 'current', activated_at: now });
        if (promoted === 0) await this.#insert(trx, alg, 'current');
        await this.#insert(trx, alg, 'next');
      }
    });
    return this.list();
  }

  /** Removes retired keys whose overlap has ended. Returns how many went. */
  async deleteExpired(now = new Date()): Promise<number> {
    return this.#db(TABLE).where('status', 'retired').andWhere('expires_at', '<', now).delete();
  }

  async list(): Promise<SigningKeyInfo[]> {
    const rows = (await this.#db(TABLE).select('*')) as KeyRow[];
    return rows.sort((a, b) => STATUS_ORDER[a.status] - STATUS_ORDER[b.status] || a.alg.localeCompare(b.alg)).map(toInfo);
  }

  /** Cheap to poll: changes whenever any key is added, promoted, retired or removed. */
  async fingerprint(): Promise<string> {
    const rows = (await this.#db(TABLE).select('kid', 'status').orderBy('kid')) as Array<{ kid: string; status: string }>;
    return rows.map((r) => `${r.kid}:${r.status}`).join(',');
  }

  /**
   * The JWKS for oidc-provider, current keys first. Keys that must not sign yet or any more carry
   * `key_ops: ["verify"]`, which oidc-provider honours when it selects a signing key.
   */
  async providerJwks(): Promise<{ keys: JWK[] }> {
    const rows = ((await this.#db(TABLE).select('*')) as KeyRow[]).filter(
      (r) => r.status !== 'retired' || !r.expires_at || r.expires_at > new Date(),
    );
    rows.sort((a, b) => STATUS_ORDER[a.status] - STATUS_ORDER[b.status]);
    return {
      keys: rows.map((row) => {
        const jwk = JSON.parse(this.#box.openText(row.jwk_sealed, AAD)) as JWK;
        return row.status === 'current' ? jwk : { ...jwk, key_ops: ['verify'] };
      }),
    };
  }
}

import type { Database } from '../../db/database.ts';
import type { Adapter, AdapterPayload } from './types.ts';

const TABLE = 'oidc_payloads';

interface Row {
  payload: AdapterPayload;
  consumed_at: Date | null;
  expires_at: Date | null;
}

/**
 * Durable storage of oidc-provider models in one PostgreSQL table keyed by (model, id). Expired
 * rows are invisible at once and deleted by the purger (src/oidc/adapter/purger.ts).
 */
export class PostgresAdapter implements Adapter {
  readonly #db: Database;
  readonly #model: string;
  readonly #now: () => Date;

  /** `now` is the clock expiry is measured by (tests pass their own rather than wait). */
  constructor(db: Database, model: string, now: () => Date = () => new Date()) {
    this.#db = db;
    this.#model = model;
    this.#now = now;
  }

  #expiry(expiresIn: number | undefined): Date | null {
    return expiresIn ? new Date(this.#now().getTime() + expiresIn * 1000) : null;
  }

  async upsert(id: string, payload: AdapterPayload, expiresIn?: number): Promise<void> {
    await this.#db(TABLE)
      .insert({
        model: this.#model,
        id,
        payload: JSON.stringify(payload),
        grant_id: payload.grantId ?? null,
        user_code: payload.userCode ?? null,
        uid: payload.uid ?? null,
        expires_at: this.#expiry(expiresIn),
      })
      .onConflict(['model', 'id'])
      .merge();
  }

  async #findBy(column: 'id' | 'user_code' | 'uid', value: string): Promise<AdapterPayload | undefined> {
    const row = (await this.#db(TABLE)
      .select('payload', 'consumed_at', 'expires_at')
      .where({ model: this.#model, [column]: value })
      .andWhere((q) => q.whereNull('expires_at').orWhere('expires_at', '>', this.#now()))
      .first()) as Row | undefined;
    if (!row) return undefined;
    return row.consumed_at ? { ...row.payload, consumed: Math.floor(row.consumed_at.getTime() / 1000) } : row.payload;
  }

  find(id: string): Promise<AdapterPayload | undefined> {
    return this.#findBy('id', id);
  }

  findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
    return this.#findBy('user_code', userCode);
  }

  findByUid(uid: string): Promise<AdapterPayload | undefined> {
    return this.#findBy('uid', uid);
  }

  async consume(id: string): Promise<void> {
    await this.#db(TABLE).where({ model: this.#model, id }).update({ consumed_at: this.#now() });
  }

  async destroy(id: string): Promise<void> {
    await this.#db(TABLE).where({ model: this.#model, id }).delete();
  }

  async revokeByGrantId(grantId: string): Promise<void> {
    await this.#db(TABLE).where({ model: this.#model, grant_id: grantId }).delete();
  }
}

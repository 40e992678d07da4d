import type { Redis } from 'ioredis';
import type { Database } from '../../db/database.ts';
import { deleteKeysMatching } from '../../db/redis.ts';

/**
 * Short-lived, single-use records of the proofing flow (challenges, verifications awaiting the
 * resident's confirmation). `take` reads and deletes in one atomic step, so a record is used at
 * most once even when two requests race. Redis when configured, else the database.
 */
export interface TransientStore {
  put(key: string, value: string, ttlSeconds: number): Promise<void>;
  take(key: string): Promise<string | undefined>;
  /** Reads a record and leaves it (a step's state shown on a page), without the race of take-then-put. */
  peek(key: string): Promise<string | undefined>;
  /** Makes a record only if there is none: true for the one caller that made it (a one-time value spent). */
  claim(key: string, ttlSeconds: number): Promise<boolean>;
}

const PREFIX = 'pass:jpki:';

export class RedisTransientStore implements TransientStore {
  readonly #redis: Redis;

  constructor(redis: Redis) {
    this.#redis = redis;
  }

  async put(key: string, value: string, ttlSeconds: number): Promise<void> {
    await this.#redis.set(`${PREFIX}${key}`, value, 'EX', ttlSeconds);
  }

  async take(key: string): Promise<string | undefined> {
    return (await this.#redis.getdel(`${PREFIX}${key}`)) ?? undefined;
  }

  async peek(key: string): Promise<string | undefined> {
    return (await this.#redis.get(`${PREFIX}${key}`)) ?? undefined;
  }

  async claim(key: string, ttlSeconds: number): Promise<boolean> {
    return (await this.#redis.set(`${PREFIX}${key}`, '1', 'EX', ttlSeconds, 'NX')) === 'OK';
  }
}

const TABLE = 'jpki_transients';

export class DatabaseTransientStore implements TransientStore {
  readonly #db: Database;
  readonly #now: () => Date;

  constructor(db: Database, now: () => Date = () => new Date()) {
    this.#db = db;
    this.#now = now;
  }

  async put(key: string, value: string, ttlSeconds: number): Promise<void> {
    const now = this.#now();
    // Expired records are swept as new ones arrive; a take never returns them either way.
    await this.#db(TABLE).where('expires_at', '<', now).delete();
    await this.#db(TABLE).insert({ key, value, expires_at: new Date(now.getTime() + ttlSeconds * 1000) });
  }

  async take(key: string): Promise<string | undefined> {
    const rows = (await this.#db(TABLE).where({ key }).delete().returning(['value', 'expires_at'])) as Array<{ value: string; expires_at: Date }>;
    const row = rows[0];
    if (!row || new Date(row.expires_at).getTime() <= this.#now().getTime()) return undefined;
    return row.value;
  }

  async peek(key: string): Promise<string | undefined> {
    const row = (await this.#db(TABLE).where({ key }).where('expires_at', '>', this.#now()).first('value')) as { value: string } | undefined;
    return row?.value;
  }

  async claim(key: string, ttlSeconds: number): Promise<boolean> {
    const now = this.#now();
    await this.#db(TABLE).where({ key }).where('expires_at', '<=', now).delete();
    const made = (await this.#db(TABLE)
      .insert({ key, value: '1', expires_at: new Date(now.getTime() + ttlSeconds * 1000) })
      .onConflict('key')
      .ignore()
      .returning('key')) as unknown[];
    return made.length === 1;
  }
}

export function createTransientStore(db: Database, redis: Redis | undefined): TransientStore {
  return redis ? new RedisTransientStore(redis) : new DatabaseTransientStore(db);
}

/**
 * Deletes the records whose key names the account (account deletion, docs/data-rights.md): in the
 * database, and in Redis when given.
 */
export async function forgetTransientsNaming(db: Database, redis: Redis | undefined, accountId: string): Promise<number> {
  let deleted = await db(TABLE).whereRaw('position(? in key) > 0', [accountId]).delete();
  if (redis) deleted += await deleteKeysMatching(redis, `${PREFIX}*${accountId}*`);
  return deleted;
}

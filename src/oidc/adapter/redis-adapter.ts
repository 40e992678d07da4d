import type { Redis } from 'ioredis';
import { GRANTABLE_MODELS, type Adapter, type AdapterPayload } from './types.ts';

const PREFIX = 'pass:oidc:';
/** Where the short-lived records live in Redis (account deletion sweeps them there: src/privacy). */
export const OIDC_REDIS_PREFIX = PREFIX;

type UpsertCommand = (key: string, userCodeKey: string, uidKey: string, grantKey: string, payload: string, ttl: string, id: string) => Promise<unknown>;

/**
 * One round trip per write (this is on every token request): replace the record, set its TTL,
 * index it by user code and uid, and add it to its grant's list, which lives as long as its
 * longest member. Empty key names mean "no such index".
 */
const UPSERT_SCRIPT = `
local ttl = tonumber(ARGV[2])
redis.call('del', KEYS[1])
redis.call('hset', KEYS[1], 'payload', ARGV[1])
if ttl > 0 then redis.call('expire', KEYS[1], ttl) end
for i = 2, 3 do
  if KEYS[i] ~= '' then
    if ttl > 0 then redis.call('set', KEYS[i], ARGV[3], 'EX', ttl) else redis.call('set', KEYS[i], ARGV[3]) end
  end
end
if KEYS[4] ~= '' then
  redis.call('rpush', KEYS[4], KEYS[1])
  if ttl > 0 and redis.call('ttl', KEYS[4]) < ttl then redis.call('expire', KEYS[4], ttl) end
end
return 1`;

/**
 * An index lookup (uid or user code → record) in one round trip instead of GET then HGETALL: a
 * session is found by uid on nearly every authorization, token and userinfo request. The record key
 * is built from the index's value, so the script reads a key it was not given; PASS runs Redis as
 * a single primary, where that is safe.
 */
const FIND_BY_INDEX_SCRIPT = `
local id = redis.call('get', KEYS[1])
if not id then return {} end
return redis.call('hgetall', ARGV[1] .. id)`;

/** Marks a record consumed only if it exists, so a consume after expiry leaves no TTL-less stub. */
const CONSUME_SCRIPT = `
if redis.call('exists', KEYS[1]) == 1 then return redis.call('hset', KEYS[1], 'consumed', ARGV[1]) end
return 0`;

type FindByIndexCommand = (indexKey: string, recordPrefix: string) => Promise<string[]>;
type ConsumeCommand = (key: string, at: string) => Promise<unknown>;
type PassRedis = Redis & { passUpsert: UpsertCommand; passFindByIndex: FindByIndexCommand; passConsume: ConsumeCommand };

const defined = new WeakSet<Redis>();

/**
 * Short-lived oidc-provider models in Redis: a hash per record (payload + consumed, so consuming
 * is one atomic HSET that keeps the TTL), with index keys for user codes, uids and grants.
 */
export class RedisAdapter implements Adapter {
  readonly #redis: Redis;
  readonly #model: string;

  constructor(redis: Redis, model: string) {
    this.#redis = redis;
    this.#model = model;
    if (!defined.has(redis)) {
      redis.defineCommand('passUpsert', { numberOfKeys: 4, lua: UPSERT_SCRIPT });
      redis.defineCommand('passFindByIndex', { numberOfKeys: 1, lua: FIND_BY_INDEX_SCRIPT });
      redis.defineCommand('passConsume', { numberOfKeys: 1, lua: CONSUME_SCRIPT });
      defined.add(redis);
    }
  }

  #key(id: string): string {
    return `${PREFIX}${this.#model}:${id}`;
  }

  async upsert(id: string, payload: AdapterPayload, expiresIn?: number): Promise<void> {
    const grantKey = GRANTABLE_MODELS.has(this.#model) && payload.grantId ? `${PREFIX}grant:${payload.grantId}` : '';
    await (this.#redis as PassRedis).passUpsert(
      this.#key(id),
      payload.userCode ? `${PREFIX}${this.#model}:userCode:${payload.userCode}` : '',
      payload.uid ? `${PREFIX}${this.#model}:uid:${payload.uid}` : '',
      grantKey,
      JSON.stringify(payload),
      String(expiresIn ?? 0),
      id,
    );
  }

  async find(id: string): Promise<AdapterPayload | undefined> {
    return parseRecord(await this.#redis.hgetall(this.#key(id)));
  }

  async #findByIndex(index: string): Promise<AdapterPayload | undefined> {
    const flat = await (this.#redis as PassRedis).passFindByIndex(`${PREFIX}${this.#model}:${index}`, `${PREFIX}${this.#model}:`);
    const record: Record<string, string> = {};
    for (let i = 0; i + 1 < flat.length; i += 2) record[flat[i]!] = flat[i + 1]!;
    return parseRecord(record);
  }

  findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
    return this.#findByIndex(`userCode:${userCode}`);
  }

  findByUid(uid: string): Promise<AdapterPayload | undefined> {
    return this.#findByIndex(`uid:${uid}`);
  }

  async consume(id: string): Promise<void> {
    await (this.#redis as PassRedis).passConsume(this.#key(id), String(Math.floor(Date.now() / 1000)));
  }

  async destroy(id: string): Promise<void> {
    await this.#redis.del(this.#key(id));
  }

  async revokeByGrantId(grantId: string): Promise<void> {
    const grantKey = `${PREFIX}grant:${grantId}`;
    const keys = await this.#redis.lrange(grantKey, 0, -1);
    await this.#redis.del(...keys, grantKey);
  }
}

function parseRecord(record: Record<string, string>): AdapterPayload | undefined {
  if (!record.payload) return undefined;
  const payload = JSON.parse(record.payload) as AdapterPayload;
  return record.consumed ? { ...payload, consumed: Number(record.consumed) } : payload;
}

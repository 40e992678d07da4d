import type { Redis } from 'ioredis';
import { GRANTABLE_MODELS, type Adapter, type AdapterPayload } from './types.ts';

const PREFIX = 'pass:oidc:';

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
      defined.add(redis);
    }
  }

  #key(id: string): string {
    return `${PREFIX}${this.#model}:${id}`;
  }

  async upsert(id: string, payload: AdapterPayload, expiresIn?: number): Promise<void> {
    const grantKey = GRANTABLE_MODELS.has(this.#model) && payload.grantId ? `${PREFIX}grant:${payload.grantId}` : '';
    await (this.#redis as Redis & { passUpsert: UpsertCommand }).passUpsert(
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
    const record = await this.#redis.hgetall(this.#key(id));
    if (!record.payload) return undefined;
    const payload = JSON.parse(record.payload) as AdapterPayload;
    return record.consumed ? { ...payload, consumed: Number(record.consumed) } : payload;
  }

  async #findByIndex(index: string): Promise<AdapterPayload | undefined> {
    const id = await this.#redis.get(`${PREFIX}${this.#model}:${index}`);
    return id ? this.find(id) : undefined;
  }

  findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
    return this.#findByIndex(`userCode:${userCode}`);
  }

  findByUid(uid: string): Promise<AdapterPayload | undefined> {
    return this.#findByIndex(`uid:${uid}`);
  }

  async consume(id: string): Promise<void> {
    const key = this.#key(id);
    // Only mark records that exist, so a consume after expiry does not leave a TTL-less stub.
    await this.#redis.eval(
      "if redis.call('exists', KEYS[1]) == 1 then return redis.call('hset', KEYS[1], 'consumed', ARGV[1]) end return 0",
      1,
      key,
      String(Math.floor(Date.now() / 1000)),
    );
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

import type { Redis } from 'ioredis';
import { GRANTABLE_MODELS, type Adapter, type AdapterPayload } from './types.ts';

const PREFIX = 'pass:oidc:';

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
  }

  #key(id: string): string {
    return `${PREFIX}${this.#model}:${id}`;
  }

  async upsert(id: string, payload: AdapterPayload, expiresIn?: number): Promise<void> {
    const key = this.#key(id);
    const multi = this.#redis.multi();
    multi.del(key);
    multi.hset(key, 'payload', JSON.stringify(payload));
    if (expiresIn) multi.expire(key, expiresIn);
    const indexes: string[] = [];
    if (payload.userCode) indexes.push(`${PREFIX}${this.#model}:userCode:${payload.userCode}`);
    if (payload.uid) indexes.push(`${PREFIX}${this.#model}:uid:${payload.uid}`);
    for (const index of indexes) {
      if (expiresIn) multi.set(index, id, 'EX', expiresIn);
      else multi.set(index, id);
    }
    if (GRANTABLE_MODELS.has(this.#model) && payload.grantId) {
      const grantKey = `${PREFIX}grant:${payload.grantId}`;
      multi.rpush(grantKey, key);
      // The grant list lives as long as its longest member.
      if (expiresIn) {
        multi.expire(grantKey, expiresIn, 'GT');
        multi.expire(grantKey, expiresIn, 'NX');
      }
    }
    await multi.exec();
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

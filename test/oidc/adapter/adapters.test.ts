import { Redis } from 'ioredis';
import { createDatabase, migrate, type Database } from '../../../src/db/database.ts';
import { PostgresAdapter } from '../../../src/oidc/adapter/postgres-adapter.ts';
import { OIDC_REDIS_PREFIX, RedisAdapter } from '../../../src/oidc/adapter/redis-adapter.ts';
import { purgeExpired } from '../../../src/oidc/adapter/purger.ts';
import type { Adapter } from '../../../src/oidc/adapter/types.ts';
import { configFor, createStorage, type TestStorage } from '../../helpers/pass.ts';
import { TEST_REDIS_URL, storageModes } from '../../helpers/services.ts';

const unique = () => Math.random().toString(36).slice(2);

/** A clock the test moves by hand: expiry is checked without waiting for it. */
function testClock() {
  let now = Date.now();
  return { now: () => new Date(now), advance: (ms: number) => void (now += ms) };
}

/** Resolves once Redis itself has expired the key, waking when its remaining TTL says it should. */
async function expiredByRedis(redis: Redis, key: string): Promise<void> {
  for (let ttl = await redis.pttl(key); ttl !== -2; ttl = await redis.pttl(key)) {
    expect(ttl).not.toBe(-1); // a key without a TTL would never go
    await new Promise((resolve) => setTimeout(resolve, Math.max(ttl, 1)));
  }
}

type Backend = {
  name: string;
  make(model: string): Adapter;
  /** Brings the moment a record upserted with `expiresIn` seconds has expired. */
  letExpire(model: string, id: string, expiresIn: number): Promise<void>;
  close(): Promise<void>;
};

async function backends(): Promise<Array<[string, () => Promise<Backend>]>> {
  const list: Array<[string, () => Promise<Backend>]> = storageModes()
    .filter((m) => m !== 'postgres+redis')
    .map((mode) => [
      mode,
      async () => {
        const storage: TestStorage = await createStorage(mode);
        const db: Database = createDatabase(configFor(storage.env));
        await migrate(db);
        const clock = testClock();
        return {
          name: mode,
          make: (model: string) => new PostgresAdapter(db, model, clock.now),
          letExpire: async (_model, _id, expiresIn) => clock.advance(expiresIn * 1000 + 1),
          async close() {
            await db.destroy();
            await storage.cleanup();
          },
        };
      },
    ]);
  if (TEST_REDIS_URL) {
    list.push([
      'redis',
      async () => {
        const redis = new Redis(TEST_REDIS_URL!);
        return {
          name: 'redis',
          make: (model: string) => new RedisAdapter(redis, model),
          letExpire: (model, id) => expiredByRedis(redis, `${OIDC_REDIS_PREFIX}${model}:${id}`),
          close: async () => void redis.disconnect(),
        };
      },
    ]);
  }
  return list;
}

describe.each(await backends())('the %s adapter keeps the oidc-provider contract', (_name, open) => {
  let backend: Backend;
  beforeAll(async () => {
    backend = await open();
  });
  afterAll(async () => {
    await backend?.close();
  });

  test('upsert, find, and find by uid and user code', async () => {
    const adapter = backend.make('DeviceCode');
    const id = unique();
    await adapter.upsert(id, { kind: 'DeviceCode', userCode: `UC-${id}`, uid: `uid-${id}`, grantId: `g-${id}` }, 60);
    expect(await adapter.find(id)).toMatchObject({ kind: 'DeviceCode', userCode: `UC-${id}` });
    expect(await adapter.findByUserCode(`UC-${id}`)).toMatchObject({ uid: `uid-${id}` });
    expect(await adapter.findByUid(`uid-${id}`)).toMatchObject({ userCode: `UC-${id}` });
    await adapter.upsert(id, { kind: 'DeviceCode', userCode: `UC-${id}`, uid: `uid-${id}`, inFlight: true }, 60);
    expect(await adapter.find(id)).toMatchObject({ inFlight: true });
    expect(await adapter.find(unique())).toBeUndefined();
  });

  test('consume marks a record without losing it', async () => {
    const adapter = backend.make('AuthorizationCode');
    const id = unique();
    await adapter.upsert(id, { kind: 'AuthorizationCode', grantId: 'g' }, 60);
    expect((await adapter.find(id))?.consumed).toBeUndefined();
    await adapter.consume(id);
    const found = await adapter.find(id);
    expect(found?.consumed).toEqual(expect.any(Number));
    expect(found?.kind).toBe('AuthorizationCode');
  });

  test('destroy and revokeByGrantId remove records', async () => {
    const tokens = backend.make('AccessToken');
    const codes = backend.make('AuthorizationCode');
    const grantId = unique();
    const [a, b, c] = [unique(), unique(), unique()];
    await tokens.upsert(a, { kind: 'AccessToken', grantId }, 60);
    await codes.upsert(b, { kind: 'AuthorizationCode', grantId }, 60);
    await tokens.upsert(c, { kind: 'AccessToken', grantId: unique() }, 60);
    await tokens.revokeByGrantId(grantId);
    await codes.revokeByGrantId(grantId);
    expect(await tokens.find(a)).toBeUndefined();
    expect(await codes.find(b)).toBeUndefined();
    expect(await tokens.find(c)).toBeDefined();
    await tokens.destroy(c);
    expect(await tokens.find(c)).toBeUndefined();
  });

  test('expired records are invisible at once', async () => {
    const adapter = backend.make('Interaction');
    const id = unique();
    await adapter.upsert(id, { kind: 'Interaction' }, 1);
    expect(await adapter.find(id)).toBeDefined();
    await backend.letExpire('Interaction', id, 1);
    expect(await adapter.find(id)).toBeUndefined();
  });
});

describe.each(storageModes().filter((m) => m !== 'postgres+redis'))('purging expired records on %s', (mode) => {
  test('deletes what expired, keeps what lives and what never expires', async () => {
    const storage = await createStorage(mode);
    const db = createDatabase(configFor(storage.env));
    try {
      await migrate(db);
      const sessions = new PostgresAdapter(db, 'Session');
      await sessions.upsert('short', { kind: 'Session' }, 1);
      await sessions.upsert('long', { kind: 'Session' }, 3600);
      await new PostgresAdapter(db, 'Client').upsert('forever', { kind: 'Client' });
      // The purge runs as if 1.1 s had passed: the 1-second session has expired, the others live.
      const purged = await purgeExpired(db, new Date(Date.now() + 1100));
      expect(purged).toBe(1);
      const ids = (await db('oidc_payloads').select('id')).map((r: { id: string }) => r.id).sort();
      expect(ids).toEqual(['forever', 'long']);
    } finally {
      await db.destroy();
      await storage.cleanup();
    }
  });
});

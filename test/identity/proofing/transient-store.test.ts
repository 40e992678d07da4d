// The transient store's one-time claim (a spent wallet nonce, src/wallet/grants.ts): made by exactly one of
// several callers racing, in Redis (SET NX) and in the database (insert, conflict ignored); free again once expired.
import { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';
import { createDatabase, migrate } from '../../../src/db/database.ts';
import { DatabaseTransientStore, RedisTransientStore, type TransientStore } from '../../../src/identity/proofing/transient-store.ts';
import { configFor } from '../../helpers/pass.ts';
import { createTestDatabase, redisUrlForTest, TEST_DATABASE_URL, TEST_REDIS_URL } from '../../helpers/services.ts';

const shared = TEST_DATABASE_URL && TEST_REDIS_URL ? describe : describe.skip;

shared('TransientStore.claim', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let db: ReturnType<typeof createDatabase>;
  let redis: Redis;
  let now = new Date();

  beforeAll(async () => {
    database = await createTestDatabase();
    db = createDatabase(configFor({ DATABASE_URL: database.url }));
    await migrate(db);
    redis = new Redis(redisUrlForTest());
  });

  afterAll(async () => {
    redis?.disconnect();
    await db?.destroy();
    await database?.drop();
  });

  const stores = (): Array<[string, TransientStore]> => [
    ['database', new DatabaseTransientStore(db, () => now)],
    ['redis', new RedisTransientStore(redis)],
  ];

  test.each([['database'], ['redis']])('%s: one of ten racing callers makes the claim', async (name) => {
    const store = stores().find(([n]) => n === name)![1];
    const key = `test:claim:${randomUUID()}`;
    const made = await Promise.all(Array.from({ length: 10 }, () => store.claim(key, 60)));
    expect(made.filter(Boolean)).toHaveLength(1);
    expect(await store.claim(key, 60)).toBe(false);
  });

  test('database: an expired claim is free again', async () => {
    const store = new DatabaseTransientStore(db, () => now);
    const key = `test:claim:${randomUUID()}`;
    expect(await store.claim(key, 60)).toBe(true);
    now = new Date(now.getTime() + 61_000);
    expect(await store.claim(key, 60)).toBe(true);
  });
});

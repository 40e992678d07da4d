// isOutage tells PostgreSQL or Redis being away (503, come back) from a bug (500). Real errors from
// the real clients: a refused port, a dropped Redis, a pool that finds no connection, and, as the
// counterpart, a real SQL error and a programming error.
import knexFactory from 'knex';
import pg from 'pg';
import { Redis } from 'ioredis';
import { isOutage } from '../../src/db/outage.ts';
import { freePort } from '../helpers/pass.ts';
import { TEST_DATABASE_URL } from '../helpers/services.ts';

async function caught(work: () => Promise<unknown>): Promise<unknown> {
  try {
    await work();
  } catch (error) {
    return error;
  }
  throw new Error('expected a failure');
}

test('a refused PostgreSQL connection, through pg and through knex, is an outage', async () => {
  const port = await freePort();
  const client = new pg.Client({ connectionString: `postgres://postgres@127.0.0.1:${port}/postgres` });
  expect(isOutage(await caught(() => client.connect()))).toBe(true);
  const db = knexFactory({ client: 'pg', connection: `postgres://postgres@127.0.0.1:${port}/postgres`, pool: { min: 0, max: 1 }, acquireConnectionTimeout: 500, log: { error() {}, warn() {} } });
  try {
    expect(isOutage(await caught(() => db.raw('select 1')))).toBe(true);
  } finally {
    await db.destroy();
  }
});

test('Redis away, with no offline queue (as PASS connects), is an outage', async () => {
  const port = await freePort();
  const redis = new Redis({ port, host: '127.0.0.1', lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 1, retryStrategy: () => null });
  redis.on('error', () => {});
  try {
    expect(isOutage(await caught(() => redis.connect()))).toBe(true);
    expect(isOutage(await caught(() => redis.get('k')))).toBe(true);
  } finally {
    redis.disconnect();
  }
});

const withPostgres = TEST_DATABASE_URL ? test : test.skip;

withPostgres('a SQL error and a programming error are not', async () => {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  try {
    expect(isOutage(await caught(() => client.query('selec 1')))).toBe(false);
    expect(isOutage(await caught(() => client.query('select 1/0')))).toBe(false);
  } finally {
    await client.end();
  }
  expect(isOutage(new TypeError("Cannot read properties of undefined (reading 'id')"))).toBe(false);
  expect(isOutage(undefined)).toBe(false);
});

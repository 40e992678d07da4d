// Accounts are cached per node for the sign-in path (token, userinfo, resumed authorization), and
// every change committed to an account or its persons — by any node, the CLI or plain SQL — reaches
// every node through PostgreSQL's NOTIFY (migration 0012). Two platforms on one database play two
// nodes; a bare pg client plays "someone else".
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { loadConfig } from '../../src/config/load-config.ts';
import { createLogger } from '../../src/core/logger.ts';
import { openPlatform, type Platform } from '../../src/platform.ts';
import { AccountCache } from '../../src/identity/account-cache.ts';
import { AccountChangeListener, LISTENER_APPLICATION_NAME } from '../../src/identity/account-change-listener.ts';
import { createTestDatabase, tempDir } from '../helpers/services.ts';
import { REPO_ROOT } from '../helpers/pass.ts';

/** Reads until the value is accepted (or the time is up), for what another connection does in its own time. */
async function eventually<T>(read: () => Promise<T>, accept: (value: T) => boolean, withinMs = 5000): Promise<T> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    const value = await read();
    if (accept(value) || Date.now() > deadline) return value;
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('account cache (PostgreSQL)', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  const dir = tempDir();
  let a: Platform;
  let b: Platform;
  let sql: pg.Client;
  const queriesOn = (platform: Platform) => {
    let n = 0;
    platform.db.on('query', () => (n += 1));
    return () => n;
  };

  beforeAll(async () => {
    database = await createTestDatabase();
    const config = loadConfig({ NODE_ENV: 'test', DATABASE_URL: database.url, PASS_DEMO_DATA: 'false', PASS_DATA_DIR: dir.path, LOG_LEVEL: 'silent' }, REPO_ROOT);
    a = await openPlatform(config, createLogger('silent'), 'apply');
    b = await openPlatform(config, createLogger('silent'), 'require');
    sql = new pg.Client({ connectionString: database.url });
    await sql.connect();
  }, 60_000);

  afterAll(async () => {
    await sql?.end();
    await a?.close();
    await b?.close();
    await database?.drop();
    dir.remove();
  });

  test('a second read costs no query; a change committed anywhere reaches every node', async () => {
    const account = await a.accounts.create({ email: 'cache@example.jp', password: 'a long enough password 2026', verified: true });
    const countA = queriesOn(a);
    expect((await a.accounts.findWithSelfPerson(account.id))?.selfPersonId).toBeUndefined();
    expect((await a.accounts.findWithSelfPerson(account.id))?.account.email).toBe('cache@example.jp');
    expect(countA()).toBe(1);
    expect((await b.accounts.findWithSelfPerson(account.id))?.selfPersonId).toBeUndefined();

    // Proofing (or a first face) gives the account its own person: plain SQL, outside PASS.
    const personId = randomUUID();
    await sql.query("insert into persons (id, account_id, relation) values ($1, $2, 'self')", [personId, account.id]);
    for (const node of [a, b]) {
      const seen = await eventually(() => node.accounts.findWithSelfPerson(account.id), (v) => v?.selfPersonId === personId);
      expect(seen?.selfPersonId).toBe(personId);
    }

    await sql.query('delete from persons where id = $1', [personId]);
    await sql.query('delete from accounts where id = $1', [account.id]);
    for (const node of [a, b]) {
      const seen = await eventually(() => node.accounts.findWithSelfPerson(account.id), (v) => v === undefined);
      expect(seen).toBeUndefined();
    }
  });

  test('ACCOUNT_CACHE_SECONDS=0 turns it off: every read goes to the database, and no connection listens', async () => {
    const config = loadConfig({ NODE_ENV: 'test', DATABASE_URL: database.url, PASS_DEMO_DATA: 'false', PASS_DATA_DIR: dir.path, LOG_LEVEL: 'silent', ACCOUNT_CACHE_SECONDS: '0' }, REPO_ROOT);
    const off = await openPlatform(config, createLogger('silent'), 'require');
    try {
      const account = await off.accounts.create({ email: 'uncached@example.jp', password: 'a long enough password 2026', verified: true });
      const count = queriesOn(off);
      for (let i = 0; i < 3; i += 1) await off.accounts.findWithSelfPerson(account.id);
      expect(count()).toBe(3);
      const listening = await sql.query('select count(*)::int as n from pg_stat_activity where datname = current_database() and application_name = $1', [LISTENER_APPLICATION_NAME]);
      expect(listening.rows[0].n).toBe(2);
    } finally {
      await off.close();
    }
  });

  test('with its listener cut off a node reads the database, sees what changed meanwhile, then caches again', async () => {
    const account = await a.accounts.create({ email: 'cut@example.jp', password: 'a long enough password 2026', verified: true });
    await a.accounts.findWithSelfPerson(account.id);
    await b.accounts.findWithSelfPerson(account.id);
    // Both nodes' listeners are cut; the change below is announced to nobody.
    const cut = await sql.query('select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and application_name = $1', [LISTENER_APPLICATION_NAME]);
    expect(cut.rowCount).toBe(2);
    // Each node has noticed once its cached entry is gone: a read costs a query again.
    for (const node of [a, b]) {
      const count = queriesOn(node);
      await eventually(
        async () => {
          const before = count();
          await node.accounts.findWithSelfPerson(account.id);
          return count() - before;
        },
        (queries) => queries > 0,
      );
    }
    const personId = randomUUID();
    await sql.query("insert into persons (id, account_id, relation) values ($1, $2, 'self')", [personId, account.id]);
    expect((await a.accounts.findWithSelfPerson(account.id))?.selfPersonId).toBe(personId);
    expect((await b.accounts.findWithSelfPerson(account.id))?.selfPersonId).toBe(personId);

    // The listener comes back by itself and the node caches again.
    const countA = queriesOn(a);
    await eventually(
      async () => {
        const before = countA();
        await a.accounts.findWithSelfPerson(account.id);
        await a.accounts.findWithSelfPerson(account.id);
        return countA() - before;
      },
      (queries) => queries === 0,
      10_000,
    );
    const before = countA();
    expect((await a.accounts.findWithSelfPerson(account.id))?.selfPersonId).toBe(personId);
    expect(countA() - before).toBe(0);
  }, 30_000);
});

describe('account change listener (PostgreSQL)', () => {
  test('a listener whose server stops answering is given up within its heartbeat: the cache goes off', async () => {
    const database = await createTestDatabase();
    const dir = tempDir();
    const config = loadConfig({ NODE_ENV: 'test', DATABASE_URL: database.url, PASS_DEMO_DATA: 'false', PASS_DATA_DIR: dir.path, LOG_LEVEL: 'silent' }, REPO_ROOT);
    const platform = await openPlatform(config, createLogger('silent'), 'apply');
    const cache = new AccountCache();
    const listener = new AccountChangeListener({ url: database.url, cache, log: createLogger('silent'), connectTimeoutMs: 2000, heartbeatMs: 200, heartbeatTimeoutMs: 300 });
    const sql = new pg.Client({ connectionString: database.url });
    let stopped: number | undefined;
    try {
      await sql.connect();
      await listener.start();
      expect(cache.enabled).toBe(true);
      // The listener's server process freezes (as a host that died without closing its connections).
      // The platform's own listener and this one: this one connected last.
      const row = await sql.query('select pid from pg_stat_activity where datname = current_database() and application_name = $1 order by backend_start desc limit 1', [LISTENER_APPLICATION_NAME]);
      stopped = (row.rows[0] as { pid: number }).pid;
      process.kill(stopped, 'SIGSTOP');
      const off = await eventually(async () => cache.enabled, (enabled) => !enabled, 3000);
      expect(off).toBe(false);
    } finally {
      if (stopped) process.kill(stopped, 'SIGCONT');
      await listener.close();
      await sql.end();
      await platform.close();
      await database.drop();
      dir.remove();
    }
  }, 30_000);
});

describe('AccountCache', () => {
  const value = (email: string) => ({
    account: { id: 'x', email, phoneE164: null, role: 'resident' as const, emailVerified: true, phoneVerified: false, createdAt: new Date() },
    selfPersonId: undefined,
  });

  test('a read that raced a change does not store what it read before the change', () => {
    const cache = new AccountCache();
    cache.enable();
    const epoch = cache.epoch;
    cache.forget('x');
    cache.set('x', value('old@example.jp'), epoch);
    expect(cache.get('x')).toBeUndefined();
    cache.set('x', value('new@example.jp'), cache.epoch);
    expect(cache.get('x')?.account.email).toBe('new@example.jp');
  });

  test('off until enabled, emptied when disabled, bounded in size and time', () => {
    let now = Date.now();
    const cache = new AccountCache({ ttlMs: 50, maxEntries: 2, now: () => now });
    cache.set('x', value('a@example.jp'), cache.epoch);
    expect(cache.get('x')).toBeUndefined();
    cache.enable();
    for (const id of ['1', '2', '3']) cache.set(id, value(`${id}@example.jp`), cache.epoch);
    expect(cache.size).toBe(2);
    expect(cache.get('1')).toBeUndefined();
    expect(cache.get('3')?.account.email).toBe('3@example.jp');
    now += 50;
    expect(cache.get('3')).toBeUndefined();
    cache.set('2', value('2@example.jp'), cache.epoch);
    cache.disable();
    expect(cache.get('2')).toBeUndefined();
    expect(cache.size).toBe(0);
  });
});

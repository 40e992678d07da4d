// The audit log is append-only and hash-chained: appends from several connections keep one valid
// chain, the database refuses changes, and `audit verify` (library and CLI) finds the exact first
// link that a database owner broke by hand.
import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { configFor, createStorage, type TestStorage } from '../helpers/pass.ts';
import { createTestDatabase, storageModes, type StorageMode } from '../helpers/services.ts';
import { passCli } from '../helpers/cli.ts';
import { createDatabase, migrate } from '../../src/db/database.ts';
import { migrationSource } from '../../src/db/migration-source.ts';
import { appendAudit as audit } from '../../src/audit/audit-log.ts';
import { entryHash, GENESIS_HASH } from '../../src/audit/canonical.ts';
import { fieldsOfRow } from '../../src/audit/audit-log.ts';
import { verifyAuditChain } from '../../src/audit/verify.ts';

const modes = storageModes().filter((m): m is Exclude<StorageMode, 'postgres+redis'> => m !== 'postgres+redis');

const entry = (i: number) => ({
  actorAccountId: randomUUID(),
  action: 'registration.created' as const,
  personId: randomUUID(),
  facilityId: 'kaga-niconico-park',
  registrationId: randomUUID(),
  details: { claims: ['name', 'age_over_18'], n: i, nested: { b: 2, a: [1, 'x', null] } },
});

async function rowsBySeq(db: Knex): Promise<Array<Record<string, any>>> {
  return db('audit_log').orderBy('seq', 'asc');
}

/** What an insider with the owner's rights does: lift the append-only trigger, change, put it back. */
async function asOwner(db: Knex, change: (trx: Knex.Transaction) => Promise<unknown>): Promise<void> {
  await db.transaction(async (trx) => {
    await trx.raw('alter table audit_log disable trigger audit_log_append_only');
    await trx.raw('alter table audit_chain_head disable trigger audit_chain_head_forward');
    await change(trx);
    await trx.raw('alter table audit_log enable trigger audit_log_append_only');
    await trx.raw('alter table audit_chain_head enable trigger audit_chain_head_forward');
  });
}

describe.each(modes)('audit chain (%s)', (mode) => {
  let storage: TestStorage;
  let db: Knex;

  beforeAll(async () => {
    storage = await createStorage(mode);
    db = createDatabase(configFor(storage.env));
    await migrate(db);
  }, 60_000);

  afterAll(async () => {
    await db?.destroy();
    await storage?.cleanup();
  });

  test('appends chain from the genesis hash; a rolled-back change leaves no entry and no gap', async () => {
    for (let i = 0; i < 10; i += 1) await audit(db, entry(i));
    await expect(
      db.transaction(async (trx) => {
        await audit(trx, entry(99));
        throw new Error('the change failed after its audit entry');
      }),
    ).rejects.toThrow('the change failed');
    // Other forms of the same uuid are stored (and hashed) as PostgreSQL stores them.
    const upper = randomUUID();
    await db.transaction((trx) => audit(trx, { actorAccountId: `{${upper.toUpperCase()}}`, action: 'household.created', householdId: upper.replaceAll('-', '') }));

    const rows = await rowsBySeq(db);
    expect(rows.map((r) => String(r.seq))).toEqual(Array.from({ length: 11 }, (_, i) => String(i + 1)));
    expect(rows[0]!.prev_hash).toBe(GENESIS_HASH);
    for (let i = 1; i < rows.length; i += 1) expect(rows[i]!.prev_hash).toBe(rows[i - 1]!.hash);
    for (const row of rows) expect(row.hash).toBe(entryHash(fieldsOfRow(row)));
    expect(rows.at(-1)).toMatchObject({ actor_account_id: upper, household_id: upper });
    expect(rows.some((r) => r.details.n === 99)).toBe(false);

    const report = await verifyAuditChain(db, { batchSize: 4 });
    expect(report).toEqual({ ok: true, count: 11, headSeq: '11', headHash: rows.at(-1)!.hash });
  });

  test('the database refuses UPDATE, DELETE and TRUNCATE of the log, and moving the head by hand', async () => {
    await audit(db, entry(1));
    const before = await verifyAuditChain(db);
    await expect(db('audit_log').update({ action: 'registration.withdrawn' })).rejects.toThrow(/append-only: UPDATE refused/);
    await expect(db('audit_log').where('seq', 1).delete()).rejects.toThrow(/append-only: DELETE refused/);
    await expect(db.raw('truncate audit_log')).rejects.toThrow(/append-only: TRUNCATE refused/);
    await expect(db('audit_chain_head').update({ seq: 0, hash: GENESIS_HASH })).rejects.toThrow(/only moves one entry forward/);
    await expect(db('audit_chain_head').delete()).rejects.toThrow(/only moves one entry forward/);
    // A row written around audit() has no place in the chain: refused too.
    await expect(db('audit_log').insert({ action: 'household.created', details: '{}' })).rejects.toThrow();
    expect(await verifyAuditChain(db)).toEqual(before);
  });

  test('concurrent appends from two connections keep one valid chain', async () => {
    // PGlite is one connection in one process: there both bursts share it, and still interleave.
    const other = mode === 'embedded' ? db : createDatabase(configFor(storage.env));
    try {
      const start = (await verifyAuditChain(db)) as { count: number };
      const burst = (conn: Knex, tag: string) =>
        Array.from({ length: 25 }, (_, i) =>
          i % 3 === 0
            ? audit(conn, { ...entry(i), details: { tag, i } })
            : conn.transaction(async (trx) => {
                await trx.raw('select 1');
                await audit(trx, { ...entry(i), details: { tag, i } });
                // Hold the head lock a little while the other connection waits for it.
                await new Promise((r) => setTimeout(r, 2));
              }),
        );
      await Promise.all([...burst(db, 'a'), ...burst(other, 'b')]);
      const report = await verifyAuditChain(db);
      expect(report).toMatchObject({ ok: true, count: start.count + 50 });
      const tags = (await db('audit_log').where('seq', '>', start.count)).map((r) => r.details.tag);
      expect(tags.filter((t) => t === 'a')).toHaveLength(25);
      expect(tags.filter((t) => t === 'b')).toHaveLength(25);
    } finally {
      if (other !== db) await other.destroy();
    }
  }, 60_000);

  test('tampering by the database owner is reported at the exact first broken link', async () => {
    for (let i = 0; i < 6; i += 1) await audit(db, entry(i));
    const rows = await rowsBySeq(db);
    const good = await verifyAuditChain(db);
    expect(good.ok).toBe(true);
    const victim = rows[Math.floor(rows.length / 2)]!;
    const next = rows[Math.floor(rows.length / 2) + 1]!;

    // A changed field: that row's hash no longer holds.
    await asOwner(db, (trx) => trx('audit_log').where({ id: victim.id }).update({ details: JSON.stringify({ ...victim.details, claims: ['address'] }) }));
    const changed = await verifyAuditChain(db, { batchSize: 5 });
    const forged = entryHash({ ...fieldsOfRow(victim), details: { ...victim.details, claims: ['address'] } });
    expect(changed).toEqual({
      ok: false,
      count: Number(victim.seq) - 1,
      broken: { id: String(victim.id), seq: String(victim.seq), field: 'hash', expected: forged, found: victim.hash },
    });

    // The insider also rewrites that row's hash: the next row's link breaks instead.
    await asOwner(db, (trx) => trx('audit_log').where({ id: victim.id }).update({ hash: forged }));
    expect(await verifyAuditChain(db)).toMatchObject({
      ok: false,
      broken: { id: String(next.id), seq: String(next.seq), field: 'prev_hash', expected: forged, found: victim.hash },
    });

    // Put back as it was: the chain holds again.
    await asOwner(db, (trx) => trx('audit_log').where({ id: victim.id }).update({ details: JSON.stringify(victim.details), hash: victim.hash }));
    expect(await verifyAuditChain(db)).toEqual(good);

    // A removed entry: the one after it is out of sequence.
    await asOwner(db, (trx) => trx('audit_log').where({ id: victim.id }).delete());
    expect(await verifyAuditChain(db)).toMatchObject({
      ok: false,
      broken: { id: String(next.id), field: 'seq', expected: String(victim.seq), found: String(next.seq) },
    });
    await db('audit_log').insert({ ...victim, details: JSON.stringify(victim.details) });
    expect(await verifyAuditChain(db)).toEqual(good);

    // A cut tail: every row holds, the head does not.
    const last = rows.at(-1)!;
    await asOwner(db, (trx) => trx('audit_log').where({ id: last.id }).delete());
    expect(await verifyAuditChain(db)).toMatchObject({ ok: false, count: rows.length - 1, broken: { id: null, field: 'head', found: `seq ${last.seq} ${last.hash}` } });
    await db('audit_log').insert({ ...last, details: JSON.stringify(last.details) });
    expect(await verifyAuditChain(db)).toEqual(good);
  });
});

/** An empty database: createStorage migrates PostgreSQL to the latest schema at once. */
async function unmigratedStorage(mode: StorageMode): Promise<TestStorage> {
  if (mode === 'embedded') return createStorage(mode);
  const database = await createTestDatabase();
  const dir = await createStorage('embedded');
  return { mode, env: { ...dir.env, DATABASE_URL: database.url }, cleanup: async () => (await database.drop(), await dir.cleanup()) };
}

describe(`migration 0011 chains the entries written before it (${modes.at(-1)})`, () => {
  test('older rows get seq, prev_hash and hash in id order, and appends continue the chain', async () => {
    const storage = await unmigratedStorage(modes.at(-1)!);
    const db = createDatabase(configFor(storage.env));
    try {
      const before0011: Knex.MigrationSource<string> = {
        ...migrationSource,
        getMigrations: async (loadExtensions) => (await migrationSource.getMigrations(loadExtensions)).filter((name) => name < '0011'),
      };
      await db.migrate.latest({ migrationSource: before0011 });
      for (let i = 0; i < 5; i += 1) {
        await db('audit_log').insert({ actor_account_id: randomUUID(), action: 'household.created', household_id: randomUUID(), details: JSON.stringify({ i }) });
      }
      await migrate(db);
      const report = await verifyAuditChain(db);
      expect(report).toMatchObject({ ok: true, count: 5, headSeq: '5' });
      const rows = await rowsBySeq(db);
      expect(rows.map((r) => r.details.i)).toEqual([0, 1, 2, 3, 4]);
      await audit(db, entry(5));
      expect(await verifyAuditChain(db)).toMatchObject({ ok: true, count: 6 });
    } finally {
      await db.destroy();
      await storage.cleanup();
    }
  }, 60_000);
});

describe(`npm run pass -- audit verify (${modes.at(-1)})`, () => {
  test('reports OK with the count, or the first broken link with exit status 1', async () => {
    const storage = await createStorage(modes.at(-1)!);
    const db = createDatabase(configFor(storage.env));
    try {
      await migrate(db);
      for (let i = 0; i < 4; i += 1) await audit(db, entry(i));
      const rows = await rowsBySeq(db);
      // The embedded database is one process: the CLI gets it only while no one else holds it.
      const release = async () => {
        if (storage.mode === 'embedded') await db.destroy();
      };
      await release();
      const ok = await passCli(['audit', 'verify'], storage.env);
      expect(ok).toMatchObject({ code: 0, stdout: `audit chain OK: 4 entries, head 4 ${rows[3]!.hash}\n` });

      const tamperDb = storage.mode === 'embedded' ? createDatabase(configFor(storage.env)) : db;
      await asOwner(tamperDb, (trx) => trx('audit_log').where({ id: rows[1]!.id }).update({ action: 'household.deleted' }));
      if (storage.mode === 'embedded') await tamperDb.destroy();
      const broken = await passCli(['audit', 'verify', '--json'], storage.env);
      expect(broken.code).toBe(1);
      expect(JSON.parse(broken.stdout)).toMatchObject({ ok: false, count: 1, broken: { id: String(rows[1]!.id), seq: '2', field: 'hash', found: rows[1]!.hash } });
      const readable = await passCli(['audit', 'verify'], storage.env);
      expect(readable.code).toBe(1);
      expect(readable.stdout).toContain(`first broken link: id ${rows[1]!.id} (seq 2), hash`);
      expect(readable.stdout).toContain(`found:    ${rows[1]!.hash}`);
    } finally {
      if (storage.mode !== 'embedded') await db.destroy();
      await storage.cleanup();
    }
  }, 90_000);
});

// Migration files were renamed (0006 was taken twice). A database migrated before the rename has
// the old names in knex_migrations; it must start and migrate with the new code, running nothing twice.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { createLogger } from '../../src/core/logger.ts';
import { createDatabase, migrate, pendingMigrations, type Database } from '../../src/db/database.ts';
import { RENAMED_MIGRATIONS } from '../../src/db/migration-source.ts';
import { openPlatform } from '../../src/platform.ts';
import { configFor, REPO_ROOT } from '../helpers/pass.ts';
import { createTestDatabase, storageModes, tempDir } from '../helpers/services.ts';

const migrationFiles = readdirSync(path.join(REPO_ROOT, 'migrations')).filter((f) => /^\d{4}_/.test(f)).sort();
const migrationNames = migrationFiles.map((f) => f.replace(/\.(ts|js)$/, ''));

test('every migration has its own number, and renames point from a gone name to a present one', () => {
  const numbers = migrationFiles.map((f) => f.slice(0, 4));
  expect(new Set(numbers).size).toBe(numbers.length);
  expect(Object.keys(RENAMED_MIGRATIONS).length).toBeGreaterThan(0);
  for (const [old, renamed] of Object.entries(RENAMED_MIGRATIONS)) {
    expect(migrationNames).not.toContain(old);
    expect(migrationNames).toContain(renamed);
  }
});

interface Recorded {
  id: number;
  name: string;
  batch: number;
  migration_time: Date;
}

const recorded = (db: Database): Promise<Recorded[]> => db('knex_migrations').orderBy('id').select('id', 'name', 'batch', 'migration_time');

/** What a database migrated before the rename holds: the same rows under the old names. */
async function recordOldNames(db: Database): Promise<void> {
  for (const [old, renamed] of Object.entries(RENAMED_MIGRATIONS)) {
    expect(await db('knex_migrations').where({ name: renamed }).update({ name: old })).toBe(1);
  }
}

/** Unmigrated storage: a fresh PostgreSQL database, or an empty data folder for PGlite. */
async function freshEnv(mode: 'embedded' | 'postgres'): Promise<{ env: Record<string, string>; cleanup(): Promise<void> }> {
  const dir = tempDir();
  if (mode === 'embedded') return { env: { PASS_DATA_DIR: dir.path }, cleanup: async () => dir.remove() };
  const database = await createTestDatabase();
  return { env: { PASS_DATA_DIR: dir.path, DATABASE_URL: database.url }, cleanup: async () => (await database.drop(), dir.remove()) };
}

const modes = storageModes().filter((mode): mode is 'embedded' | 'postgres' => mode === 'embedded' || mode === 'postgres');

describe.each(modes)('a database that recorded the old migration names (%s)', (mode) => {
  test('starts with the new names and re-runs nothing, however often it migrates', async () => {
    const storage = await freshEnv(mode);
    const config = configFor(storage.env);
    let db = createDatabase(config);
    try {
      await migrate(db);
      const migrated = await recorded(db);
      expect(migrated.map((row) => row.name)).toEqual(migrationNames);
      await recordOldNames(db);
      // The embedded database is one process's: the platform gets it only once this handle lets go.
      await db.destroy();

      // Starting requires an up-to-date schema (PostgreSQL) or migrates (embedded): both meet the old names.
      const platform = await openPlatform(config, createLogger('silent'), 'require');
      await platform.close();

      db = createDatabase(config);
      expect(await recorded(db)).toEqual(migrated);
      await recordOldNames(db);
      expect(await pendingMigrations(db)).toEqual([]);
      expect(await recorded(db)).toEqual(migrated);
      await recordOldNames(db);
      expect(await migrate(db)).toEqual([]);
      expect(await migrate(db)).toEqual([]);
      expect(await recorded(db)).toEqual(migrated);
    } finally {
      await db.destroy();
      await storage.cleanup();
    }
  }, 60_000);
});

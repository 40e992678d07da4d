import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Knex } from 'knex';

const MIGRATIONS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../migrations');

interface MigrationModule {
  up(knex: Knex): Promise<void>;
  down(knex: Knex): Promise<void>;
}

/**
 * Migrations renamed after databases had recorded them (old name → new name). knex refuses a
 * database whose knex_migrations names a migration it cannot find, so the recorded names are
 * rewritten before knex reads them (see adoptRenamedMigrations).
 */
export const RENAMED_MIGRATIONS: Readonly<Record<string, string>> = {
  // 0006 was taken twice. resource_servers needs no later migration, so it moved to the end
  // instead of shifting the numbers that code and docs cite (0011 audit chain, 0012 notify).
  '0006_resource_servers': '0013_resource_servers',
};

/** Same migrations for PostgreSQL and PGlite, loaded as ES modules from migrations/ in name order. */
export const migrationSource: Knex.MigrationSource<string> = {
  async getMigrations() {
    const files = readdirSync(MIGRATIONS_DIR)
      .filter((f) => /^\d{4}_[a-z0-9_]+\.(ts|js)$/.test(f))
      .sort();
    const taken = files.map((f) => f.slice(0, 4)).filter((number, i, all) => all.indexOf(number) !== i);
    if (taken.length > 0) throw new Error(`two migrations share the number ${taken.join(', ')}: give each its own`);
    return files;
  },
  getMigrationName(file) {
    return file.replace(/\.(ts|js)$/, '');
  },
  async getMigration(file) {
    return (await import(pathToFileURL(path.join(MIGRATIONS_DIR, file)).href)) as MigrationModule;
  },
};

/**
 * Rewrites the recorded names of renamed migrations to their new names, in one statement.
 * Idempotent, and a no-op on a database that has never migrated.
 */
export async function adoptRenamedMigrations(db: Knex): Promise<void> {
  const renames = Object.entries(RENAMED_MIGRATIONS);
  if (renames.length === 0 || !(await db.schema.hasTable('knex_migrations'))) return;
  await db('knex_migrations')
    .whereIn('name', renames.map(([old]) => old))
    .update({ name: db.raw(`case name ${renames.map(() => 'when ? then ?').join(' ')} end`, renames.flat()) });
}

import { mkdirSync } from 'node:fs';
import path from 'node:path';
import knexFactory, { type Knex } from 'knex';
import ClientPGLite from 'knex-pglite';
import type { Config } from '../config/load-config.ts';
import { UnavailableError } from '../core/errors.ts';
import { adoptRenamedMigrations, migrationSource } from './migration-source.ts';
import { guardTextBindings } from './text-guard.ts';

export type Database = Knex;

export interface DatabaseInfo {
  kind: 'postgres' | 'embedded';
  /** Where the data lives, without credentials: safe to log. */
  location: string;
}

export function describeDatabase(config: Config): DatabaseInfo {
  if (!config.database.url) return { kind: 'embedded', location: path.join(config.dataDir, 'pglite') };
  const url = new URL(config.database.url);
  return { kind: 'postgres', location: `${url.hostname}:${url.port || 5432}${url.pathname}` };
}

/** knex over pg for PostgreSQL, or over PGlite (the same SQL, in-process) when DATABASE_URL is absent. */
export function createDatabase(config: Config): Database {
  const db = openDatabase(config);
  guardTextBindings(db);
  return db;
}

function openDatabase(config: Config): Database {
  if (config.database.url) {
    return knexFactory({
      client: 'pg',
      connection: {
        connectionString: config.database.url,
        connectionTimeoutMillis: config.database.connectTimeoutSeconds * 1000,
      },
      pool: { min: 0, max: config.database.poolMax },
      acquireConnectionTimeout: config.database.connectTimeoutSeconds * 1000 + 1000,
    });
  }
  const dir = path.join(config.dataDir, 'pglite');
  mkdirSync(dir, { recursive: true });
  return knexFactory({ client: EmbeddedClient as unknown as typeof Knex.Client, connection: { filename: dir } });
}

/** The port in the socket's name (`.s.PGSQL.5432`), which psql and pg derive from `-h DIR`. */
export const EMBEDDED_SOCKET_PORT = 5432;

/**
 * knex over pg to the embedded database that another PASS process holds and shares on its socket
 * (embedded-share.ts). One connection: the socket hands out one session, one unit of work at a time.
 */
export function createSharedEmbeddedDatabase(config: Config, socketDir: string): Database {
  const db = knexFactory({
    client: 'pg',
    connection: {
      host: socketDir,
      port: EMBEDDED_SOCKET_PORT,
      user: 'postgres',
      database: 'postgres',
      connectionTimeoutMillis: config.database.connectTimeoutSeconds * 1000,
    },
    pool: { min: 0, max: 1 },
    acquireConnectionTimeout: config.database.connectTimeoutSeconds * 1000 + 1000,
  });
  guardTextBindings(db);
  return db;
}

/**
 * knex-pglite names a delete's command after knex's method ('DEL'), which knex's PostgreSQL
 * dialect does not know: a delete would answer PGlite's raw result instead of the row count it
 * answers on PostgreSQL, and `if (deleted === 0)` checks would never fire on the embedded database.
 */
class EmbeddedClient extends (ClientPGLite as unknown as new (config: unknown) => { processResponse(obj: { method?: string }, runner: unknown): unknown }) {
  override processResponse(obj: { method?: string }, runner: unknown): unknown {
    return super.processResponse(obj.method === 'del' ? { ...obj, method: 'delete' } : obj, runner);
  }
}

/** Fails with one clear line (no credentials) when the database cannot be reached. */
export async function checkDatabase(db: Database, info: DatabaseInfo): Promise<void> {
  try {
    await db.raw('select 1');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message.split('\n')[0];
    throw new UnavailableError('database_unreachable', `cannot reach the ${info.kind} database at ${info.location}: ${reason}`);
  }
}

export async function migrate(db: Database): Promise<string[]> {
  await adoptRenamedMigrations(db);
  const [, applied] = (await db.migrate.latest({ migrationSource })) as [number, string[]];
  return applied;
}

/** The migrations the database has not run yet. */
export async function pendingMigrations(db: Database): Promise<string[]> {
  await adoptRenamedMigrations(db);
  const [, pending] = (await db.migrate.list({ migrationSource })) as [unknown[], string[]];
  return pending;
}

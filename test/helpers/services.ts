import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';

/**
 * Real PostgreSQL and Redis come from TEST_DATABASE_URL and TEST_REDIS_URL (.ci/services.sh
 * starts both). In CI they must be there: a run that silently skipped them would prove nothing.
 */
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL;
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL;

if (process.env.CI && (!TEST_DATABASE_URL || !TEST_REDIS_URL)) {
  throw new Error('CI must provide TEST_DATABASE_URL and TEST_REDIS_URL (see .ci/services.sh)');
}

export type StorageMode = 'embedded' | 'postgres' | 'postgres+redis';

/** Every storage mode this machine can test: embedded always, the others with real services. */
export function storageModes(): StorageMode[] {
  const modes: StorageMode[] = ['embedded'];
  if (TEST_DATABASE_URL) modes.push('postgres');
  if (TEST_DATABASE_URL && TEST_REDIS_URL) modes.push('postgres+redis');
  return modes;
}

export function tempDir(prefix = 'pass-test-'): { path: string; remove(): void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  return { path: dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A fresh PostgreSQL database per test file, dropped afterwards. */
export async function createTestDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  if (!TEST_DATABASE_URL) throw new Error('TEST_DATABASE_URL is not set');
  const name = `pass_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(TEST_DATABASE_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
      await client.connect();
      await client.query(`drop database if exists ${name} with (force)`);
      await client.end();
    },
  };
}

/** Test files share one Redis: records carry random ids, and rate-limit keys include the database location. */
export function redisUrlForTest(): string {
  if (!TEST_REDIS_URL) throw new Error('TEST_REDIS_URL is not set');
  return TEST_REDIS_URL;
}

import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

export const REPO_ROOT = path.resolve(import.meta.dirname, '../..');

export interface Services {
  databaseUrl: string;
  redisUrl: string;
  /** Where they came from, for the report header. */
  source: string;
}

/** `export A=1 B=2` lines, as .ci/services.sh prints them for `source <(...)`. */
export function parseExports(text: string): Record<string, string> {
  const values: Record<string, string> = {};
  for (const line of text.split('\n')) {
    if (!line.startsWith('export ')) continue;
    for (const match of line.slice('export '.length).matchAll(/([A-Za-z_][A-Za-z0-9_]*)=(\S+)/g)) values[match[1]!] = match[2]!;
  }
  return values;
}

/**
 * PostgreSQL and Redis for the run: BENCH_* first (a dedicated machine), then TEST_* (CI has
 * them already), else the throw-away pair that .ci/services.sh starts on loopback.
 */
export async function resolveServices(env: NodeJS.ProcessEnv = process.env): Promise<Services> {
  if (env.BENCH_DATABASE_URL && env.BENCH_REDIS_URL) {
    return { databaseUrl: env.BENCH_DATABASE_URL, redisUrl: env.BENCH_REDIS_URL, source: 'BENCH_DATABASE_URL / BENCH_REDIS_URL' };
  }
  if (env.TEST_DATABASE_URL && env.TEST_REDIS_URL) {
    return { databaseUrl: env.TEST_DATABASE_URL, redisUrl: env.TEST_REDIS_URL, source: 'TEST_DATABASE_URL / TEST_REDIS_URL' };
  }
  const { stdout } = await promisify(execFile)('bash', [path.join(REPO_ROOT, '.ci/services.sh')], { cwd: REPO_ROOT });
  const values = parseExports(stdout);
  if (!values.TEST_DATABASE_URL || !values.TEST_REDIS_URL) {
    throw new Error(`.ci/services.sh did not print TEST_DATABASE_URL and TEST_REDIS_URL:\n${stdout}`);
  }
  return { databaseUrl: values.TEST_DATABASE_URL, redisUrl: values.TEST_REDIS_URL, source: '.ci/services.sh' };
}

async function admin<T>(serverUrl: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: serverUrl, connectionTimeoutMillis: 10_000 });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** A fresh database on the given server for one scenario run, so runs never see each other's rows. */
export async function createScratchDatabase(serverUrl: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `pass_bench_${randomBytes(6).toString('hex')}`;
  await admin(serverUrl, (c) => c.query(`create database ${name}`));
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      await admin(serverUrl, (c) => c.query(`drop database if exists ${name} with (force)`));
    },
  };
}

// PostgreSQL and Redis that one test file owns: started on free loopback ports in a temporary
// directory, so a fault test can stop, restart or kill them without touching the shared pair of
// .ci/services.sh (other test files run against those at the same time).
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './pass.ts';

const run = promisify(execFile);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function postgresBin(): string {
  if (process.env.PASS_TEST_PG_BIN && existsSync(path.join(process.env.PASS_TEST_PG_BIN, 'pg_ctl'))) return process.env.PASS_TEST_PG_BIN;
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).sort((a, b) => Number(b) - Number(a)) : [];
  for (const version of versions) if (existsSync(path.join(root, version, 'bin/pg_ctl'))) return path.join(root, version, 'bin');
  throw new Error('no PostgreSQL server binaries (initdb, pg_ctl) under /usr/lib/postgresql; install Debian\'s postgresql');
}

/** PostgreSQL refuses to run as root: as root, its commands run as the postgres user (as .ci/services.sh does). */
function asPostgres(bin: string, args: string[]): [string, string[]] {
  return process.getuid?.() === 0 ? ['runuser', ['-u', 'postgres', '--', bin, ...args]] : [bin, args];
}

export interface PrivatePostgres {
  /** postgres://… of the `postgres` database on this server. */
  url: string;
  port: number;
  /** Stops the server: `fast` ends sessions cleanly, `immediate` is a crash (recovery on the next start). */
  stop(mode?: 'fast' | 'immediate'): Promise<void>;
  start(): Promise<void>;
  /** Removes the server and its data. */
  destroy(): Promise<void>;
}

export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const bin = postgresBin();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'pass-private-pg-'));
  const data = path.join(dir, 'data');
  if (process.getuid?.() === 0) chownSync(dir, Number((await run('id', ['-u', 'postgres'])).stdout.trim()), -1);
  const port = await freePort();
  const pgCtl = (args: string[]) => {
    const [cmd, argv] = asPostgres(path.join(bin, 'pg_ctl'), ['-D', data, ...args]);
    return run(cmd, argv, { timeout: 60_000 });
  };
  const [initCmd, initArgs] = asPostgres(path.join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C.UTF-8', '--no-sync']);
  await run(initCmd, initArgs, { timeout: 60_000 });
  // Durability settings off: these tests restart the server, they do not crash the machine.
  const options = `-h 127.0.0.1 -p ${port} -k ${dir} -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200`;
  const start = async () => {
    await pgCtl(['-l', path.join(dir, 'postgres.log'), '-w', '-t', '60', '-o', options, 'start']);
  };
  await start();
  let destroyed = false;
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    async stop(mode = 'fast') {
      await pgCtl(['-m', mode, '-w', '-t', '60', 'stop']);
    },
    start,
    async destroy() {
      if (destroyed) return;
      destroyed = true;
      await pgCtl(['-m', 'immediate', '-w', 'stop']).catch(() => {});
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface PrivateRedis {
  url: string;
  port: number;
  /** Shuts Redis down as an operator would (SIGTERM: the append-only file is flushed first). */
  stop(): Promise<void>;
  /** Starts it again on the same port and data directory. */
  start(): Promise<void>;
  destroy(): Promise<void>;
}

/**
 * Redis with the append-only file on, as README's "Scaling out" asks of production: access tokens
 * and sessions kept in Redis survive its restart.
 */
export async function startPrivateRedis(): Promise<PrivateRedis> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'pass-private-redis-'));
  const port = await freePort();
  let child: ChildProcess | undefined;
  const start = async () => {
    child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--appendfsync', 'everysec', '--save', ''], {
      stdio: 'ignore',
    });
    const started = child;
    for (let i = 0; i < 100; i += 1) {
      if (started.exitCode !== null) throw new Error(`redis-server on port ${port} exited with ${started.exitCode}`);
      try {
        const { stdout } = await run('redis-cli', ['-p', String(port), 'ping'], { timeout: 2000 });
        if (stdout.trim() === 'PONG') return;
      } catch {
        // Not listening yet.
      }
      await sleep(50);
    }
    throw new Error(`redis-server did not answer on port ${port}`);
  };
  const stop = async () => {
    const running = child;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    const exited = once(running, 'exit');
    running.kill('SIGTERM');
    await exited;
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    stop,
    start,
    async destroy() {
      if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

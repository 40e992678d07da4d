import { chmodSync, lstatSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import path from 'node:path';
import type { Config } from '../config/load-config.ts';
import type { Logger } from '../core/logger.ts';
import { UnavailableError } from '../core/errors.ts';
import { createDatabase, createSharedEmbeddedDatabase, EMBEDDED_SOCKET_PORT, type Database } from './database.ts';
import { claimEmbeddedDatabase } from './embedded-lock.ts';
import { DEFAULT_SHARE_TIMING, shareEmbeddedDatabase, type EmbeddedShare, type ShareTiming } from './embedded-share.ts';

/**
 * The embedded database as this process reaches it: opened here (it holds PGlite, and once migrated
 * shares it on a Unix socket), or through the socket of the PASS process that holds it — so the
 * admin CLI works while PASS runs, as it does beside PASS on PostgreSQL.
 */
export interface EmbeddedDatabase {
  db: Database;
  /** 'own': this process holds PGlite; 'shared': it talks to the process that does. */
  via: 'own' | 'shared';
  /** Starts serving the database to other local processes, once migrated ('serve' only). */
  share(): Promise<void>;
  close(): Promise<void>;
}

/** What the holder writes once it serves: who it is and where its socket is. */
interface ShareState {
  pid: number;
  socketDir: string;
}

export function embeddedSocketDir(dataDir: string): string {
  return path.join(path.resolve(dataDir), 'pglite-socket');
}

export function embeddedSocketPath(dataDir: string): string {
  return path.join(embeddedSocketDir(dataDir), `.s.PGSQL.${EMBEDDED_SOCKET_PORT}`);
}

function stateFile(dataDir: string): string {
  return path.join(dataDir, 'pglite-socket.json');
}

function readState(dataDir: string): ShareState | undefined {
  try {
    const state = JSON.parse(readFileSync(stateFile(dataDir), 'utf8')) as Partial<ShareState>;
    return Number.isInteger(state.pid) && typeof state.socketDir === 'string' ? (state as ShareState) : undefined;
  } catch {
    return undefined;
  }
}

/** Whether something accepts connections on the socket (a file left by a crash refuses them). */
function answers(socketPath: string, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(socketPath);
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

// sun_path holds 108 bytes on Linux (104 on macOS), its terminating NUL included.
const MAX_SOCKET_PATH_BYTES = 103;

/**
 * The socket's directory, private to this OS user: that is the authentication. A directory someone
 * else made (or a link) is not trusted, since its owner could reach the socket inside.
 */
function privateDirectory(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const stat = lstatSync(dir);
  if (!stat.isDirectory() || (process.getuid && stat.uid !== process.getuid())) {
    throw new Error(`${dir} is not a directory of this OS user`);
  }
  chmodSync(dir, 0o700);
}

/**
 * The CLI trusts the socket only in a directory of its own OS user that nobody else may enter:
 * anything else was not made by PASS as this user, and whoever made it could answer as the database.
 */
function checkJoinable(socketDir: string): void {
  const stat = lstatSync(socketDir, { throwIfNoEntry: false });
  if (!stat) return;
  const uid = process.getuid?.();
  if (uid !== undefined && stat.uid !== uid) {
    throw new UnavailableError(
      'embedded_database_other_user',
      `the embedded database is shared only with the OS user who runs PASS (uid ${stat.uid}, the owner of ${socketDir}); run the command as that user`,
    );
  }
  if (!stat.isDirectory() || (stat.mode & 0o077) !== 0) {
    throw new UnavailableError('embedded_socket_not_private', `${socketDir} must be a directory only its owner may enter (mode 700); the CLI will not use a socket there`);
  }
}

async function serve(db: Database, dataDir: string, log: Logger, timing: ShareTiming): Promise<() => Promise<void>> {
  const socketDir = embeddedSocketDir(dataDir);
  const socketPath = embeddedSocketPath(dataDir);
  const unshared = (why: string) => {
    log.warn({ socketPath }, `embedded database not shared (${why}): the admin CLI and psql cannot reach it while PASS runs`);
    return async () => {};
  };
  if (process.platform === 'win32') return unshared('Unix sockets are used only on Linux and macOS');
  if (Buffer.byteLength(socketPath) > MAX_SOCKET_PATH_BYTES) return unshared('the path is too long for a Unix socket: choose a shorter PASS_DATA_DIR');
  let share: EmbeddedShare | undefined;
  try {
    privateDirectory(socketDir);
    // This process holds the lock, so a socket file here is a crashed holder's.
    rmSync(socketPath, { force: true });
    share = await shareEmbeddedDatabase(db, socketPath, log, timing);
    chmodSync(socketPath, 0o600);
    const temporary = `${stateFile(dataDir)}.${process.pid}`;
    writeFileSync(temporary, JSON.stringify({ pid: process.pid, socketDir } satisfies ShareState), { mode: 0o600 });
    renameSync(temporary, stateFile(dataDir));
    log.info({ socketDir }, 'embedded database shared on a Unix socket (this OS user only)');
    const serving = share;
    return async () => {
      if (readState(dataDir)?.pid === process.pid) rmSync(stateFile(dataDir), { force: true });
      await serving.close();
      rmSync(socketPath, { force: true });
    };
  } catch (error) {
    await share?.close();
    rmSync(socketPath, { force: true });
    return unshared((error as Error).message);
  }
}

/**
 * 'serve': hold the database and share it (PASS itself); a live holder is refused.
 * 'join': use a live holder's socket, or hold the database when no PASS holds it (the admin CLI).
 */
export type EmbeddedRole = 'serve' | 'join';

export interface OpenEmbeddedOptions {
  /** How long 'join' waits for a holder that is still starting (or another command) before it gives up. */
  waitMs?: number;
  timing?: ShareTiming;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function openEmbeddedDatabase(config: Config, log: Logger, role: EmbeddedRole, options: OpenEmbeddedOptions = {}): Promise<EmbeddedDatabase> {
  const dataDir = config.dataDir;
  const deadline = Date.now() + (options.waitMs ?? 15_000);
  for (;;) {
    const claim = claimEmbeddedDatabase(dataDir);
    if ('unlock' in claim) return ownDatabase(config, log, claim.unlock, role === 'serve' ? (options.timing ?? DEFAULT_SHARE_TIMING) : undefined);
    if (role === 'serve') {
      throw new UnavailableError(
        'embedded_database_in_use',
        `the embedded database in ${dataDir} is in use by another PASS process (pid ${claim.holder}); stop it first, or use PostgreSQL (DATABASE_URL) to run several`,
      );
    }
    const state = readState(dataDir);
    const socketDir = embeddedSocketDir(dataDir);
    if (state?.pid === claim.holder && state.socketDir === socketDir) {
      checkJoinable(socketDir);
      if (await answers(embeddedSocketPath(dataDir), 2000)) {
        const db = createSharedEmbeddedDatabase(config, socketDir);
        return { db, via: 'shared', share: async () => {}, close: () => db.destroy() };
      }
    }
    // PASS shares the database once it has opened and migrated it, seconds after it locked it; a
    // command holding it (another CLI run) does not share, and is waited for instead.
    if (Date.now() >= deadline) {
      throw new UnavailableError(
        'embedded_database_in_use',
        `the embedded database in ${dataDir} is held by PASS process ${claim.holder}, which does not share it on ${embeddedSocketDir(dataDir)} ` +
          '(still starting, a command still running, or its socket could not be made: see its log); try again, or use PostgreSQL (DATABASE_URL)',
      );
    }
    await sleep(250);
  }
}

function ownDatabase(config: Config, log: Logger, unlock: () => void, timing: ShareTiming | undefined): EmbeddedDatabase {
  let db: Database;
  try {
    // A holder that crashed left its state file and socket: nobody may follow them to a socket no one serves.
    rmSync(stateFile(config.dataDir), { force: true });
    rmSync(embeddedSocketPath(config.dataDir), { force: true });
    db = createDatabase(config);
  } catch (error) {
    unlock();
    throw error;
  }
  let unshare = async () => {};
  return {
    db,
    via: 'own',
    async share() {
      if (timing) unshare = await serve(db, config.dataDir, log, timing);
    },
    async close() {
      try {
        await unshare();
        await db.destroy();
      } finally {
        unlock();
      }
    },
  };
}

// How a process reaches the embedded database (src/db/embedded-access.ts): the holder shares it on a
// private socket and removes every trace on a clean close; a second holder is refused; the CLI's
// 'join' refuses, after its wait, a live holder that does not share (still starting, or a command).
// The CLI joining a running PASS, and a killed PASS's leftovers, are test/cli/cli-while-running.test.ts.
import { chmodSync, chownSync, existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createLogger } from '../../src/core/logger.ts';
import { embeddedSocketDir, embeddedSocketPath, openEmbeddedDatabase } from '../../src/db/embedded-access.ts';
import { configFor } from '../helpers/pass.ts';
import { tempDir } from '../helpers/services.ts';

const log = createLogger('silent');

test('the holder shares on a 0700 directory / 0600 socket and leaves nothing behind on a clean close', async () => {
  const dir = tempDir('pass-access-');
  const config = configFor({ PASS_DATA_DIR: dir.path });
  try {
    const embedded = await openEmbeddedDatabase(config, log, 'serve');
    // As PASS does: the database is open (and migrated) before it is shared.
    await embedded.db.raw('select 1');
    await embedded.share();
    expect(embedded.via).toBe('own');
    expect(statSync(embeddedSocketDir(dir.path)).mode & 0o777).toBe(0o700);
    expect(statSync(embeddedSocketPath(dir.path)).mode & 0o777).toBe(0o600);
    expect(existsSync(path.join(dir.path, 'pglite-socket.json'))).toBe(true);
    await embedded.close();
    expect(['pglite.lock', 'pglite-socket.json', 'pglite-socket/.s.PGSQL.5432'].filter((f) => existsSync(path.join(dir.path, f)))).toEqual([]);
  } finally {
    dir.remove();
  }
});

test('a data directory too deep for a Unix socket still runs, unshared', async () => {
  const dir = tempDir('pass-access-');
  const deep = path.join(dir.path, 'd'.repeat(60), 'e'.repeat(60));
  mkdirSync(deep, { recursive: true });
  try {
    const embedded = await openEmbeddedDatabase(configFor({ PASS_DATA_DIR: deep }), log, 'serve');
    await embedded.share();
    expect(((await embedded.db.raw('select 1 as one')) as { rows: unknown[] }).rows).toEqual([{ one: 1 }]);
    expect(existsSync(path.join(deep, 'pglite-socket.json'))).toBe(false);
    await embedded.close();
  } finally {
    dir.remove();
  }
});

test('a live holder: PASS is refused at once, the CLI after its wait when the holder does not share', async () => {
  const dir = tempDir('pass-access-');
  const config = configFor({ PASS_DATA_DIR: dir.path });
  // A live process other than this one stands for the holder; its "state file" names a socket nobody serves.
  const holder = process.ppid;
  writeFileSync(path.join(dir.path, 'pglite.lock'), String(holder));
  writeFileSync(path.join(dir.path, 'pglite-socket.json'), JSON.stringify({ pid: holder, socketDir: embeddedSocketDir(dir.path) }));
  try {
    await expect(openEmbeddedDatabase(config, log, 'serve')).rejects.toThrow(`in use by another PASS process (pid ${holder}); stop it first`);
    const started = Date.now();
    await expect(openEmbeddedDatabase(config, log, 'join', { waitMs: 600 })).rejects.toThrow(`held by PASS process ${holder}, which does not share it`);
    expect(Date.now() - started).toBeGreaterThanOrEqual(600);
    expect(existsSync(path.join(dir.path, 'pglite.lock'))).toBe(true);
  } finally {
    dir.remove();
  }
});

describe('the CLI trusts only a socket directory private to its own OS user', () => {
  const holder = process.ppid;
  const setUp = (mode: number) => {
    const dir = tempDir('pass-access-');
    mkdirSync(embeddedSocketDir(dir.path), { mode });
    chmodSync(embeddedSocketDir(dir.path), mode);
    writeFileSync(path.join(dir.path, 'pglite.lock'), String(holder));
    writeFileSync(path.join(dir.path, 'pglite-socket.json'), JSON.stringify({ pid: holder, socketDir: embeddedSocketDir(dir.path) }));
    return dir;
  };

  test('a directory others may enter is refused at once', async () => {
    const dir = setUp(0o755);
    try {
      await expect(openEmbeddedDatabase(configFor({ PASS_DATA_DIR: dir.path }), log, 'join', { waitMs: 10_000 })).rejects.toThrow('only its owner may enter (mode 700)');
    } finally {
      dir.remove();
    }
  });

  // Only root can hand a directory to another user: elsewhere this case cannot be set up.
  (process.getuid?.() === 0 ? test : test.skip)("another OS user's socket directory is refused, naming the user to run as", async () => {
    const dir = setUp(0o700);
    chownSync(embeddedSocketDir(dir.path), 65534, 65534);
    try {
      await expect(openEmbeddedDatabase(configFor({ PASS_DATA_DIR: dir.path }), log, 'join', { waitMs: 10_000 })).rejects.toThrow('shared only with the OS user who runs PASS (uid 65534');
    } finally {
      dir.remove();
    }
  });
});

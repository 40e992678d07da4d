import { openSync, readFileSync, rmSync, writeSync, closeSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { UnavailableError } from '../core/errors.ts';

/** Whether a process with this id exists (EPERM: it does, as another OS user's). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export type EmbeddedClaim = { unlock: () => void } | { holder: number };

/**
 * PGlite is one in-process database: two processes opening the same directory would corrupt it.
 * A pid file guards it; a stale one (its process gone) is taken over. When a live process holds
 * it, the claim names that process: it may share the database on its socket (embedded-access.ts).
 */
export function claimEmbeddedDatabase(dataDir: string): EmbeddedClaim {
  mkdirSync(dataDir, { recursive: true });
  const file = path.join(dataDir, 'pglite.lock');
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      const fd = openSync(file, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return { unlock: () => rmSync(file, { force: true }) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number.parseInt(readFileSync(file, 'utf8'), 10);
      if (Number.isInteger(holder) && holder !== process.pid && alive(holder)) return { holder };
      rmSync(file, { force: true });
    }
  }
  throw new UnavailableError('embedded_database_in_use', `cannot lock the embedded database in ${dataDir}`);
}

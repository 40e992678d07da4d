import { openSync, readFileSync, rmSync, writeSync, closeSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { UnavailableError } from '../core/errors.ts';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * PGlite is one in-process database: two processes opening the same directory would corrupt it.
 * A pid file guards it; a stale one (its process gone) is taken over.
 */
export function lockEmbeddedDatabase(dataDir: string): () => void {
  mkdirSync(dataDir, { recursive: true });
  const file = path.join(dataDir, 'pglite.lock');
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      const fd = openSync(file, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => rmSync(file, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number.parseInt(readFileSync(file, 'utf8'), 10);
      if (Number.isInteger(holder) && holder !== process.pid && alive(holder)) {
        throw new UnavailableError(
          'embedded_database_in_use',
          `the embedded database in ${dataDir} is in use by another PASS process (pid ${holder}); stop it first, or use PostgreSQL (DATABASE_URL) to run several`,
        );
      }
      rmSync(file, { force: true });
    }
  }
  throw new UnavailableError('embedded_database_in_use', `cannot lock the embedded database in ${dataDir}`);
}

import type { Database } from '../db/database.ts';

/** Failures before the first lock; each further failure doubles it (backoff), up to the maximum. */
export const LOCK_AFTER_FAILURES = 5;
const FIRST_LOCK_SECONDS = 60;
const MAX_LOCK_SECONDS = 3600;

interface FailureRow {
  account_id: string;
  failures: number;
  last_failed_at: Date;
  locked_until: Date | null;
}

export interface LockState {
  failures: number;
  /** Seconds until sign-in is possible again; 0 when not locked. */
  lockedForSeconds: number;
}

/**
 * Temporary lockout of an account after repeated wrong passwords: 5 failures lock it for a
 * minute, each further failure doubles that, to at most an hour. A correct password (when not
 * locked) or a password reset clears it. Rate limits per IP and account sit in front of this.
 */
export class Lockout {
  readonly #db: Database;

  constructor(db: Database) {
    this.#db = db;
  }

  async state(accountId: string, now = new Date()): Promise<LockState> {
    const row = (await this.#db('login_failures').where({ account_id: accountId }).first()) as FailureRow | undefined;
    if (!row) return { failures: 0, lockedForSeconds: 0 };
    const left = row.locked_until ? Math.ceil((row.locked_until.getTime() - now.getTime()) / 1000) : 0;
    return { failures: row.failures, lockedForSeconds: Math.max(0, left) };
  }

  /** Counts a wrong password; returns the lock that now applies. */
  async recordFailure(accountId: string, now = new Date()): Promise<LockState> {
    const [row] = (await this.#db('login_failures')
      .insert({ account_id: accountId, failures: 1, last_failed_at: now })
      .onConflict('account_id')
      .merge({ failures: this.#db.raw('login_failures.failures + 1'), last_failed_at: now })
      .returning('*')) as FailureRow[];
    const failures = row!.failures;
    if (failures < LOCK_AFTER_FAILURES) return { failures, lockedForSeconds: 0 };
    const seconds = Math.min(MAX_LOCK_SECONDS, FIRST_LOCK_SECONDS * 2 ** (failures - LOCK_AFTER_FAILURES));
    await this.#db('login_failures').where({ account_id: accountId }).update({ locked_until: new Date(now.getTime() + seconds * 1000) });
    return { failures, lockedForSeconds: seconds };
  }

  async clear(accountId: string): Promise<void> {
    await this.#db('login_failures').where({ account_id: accountId }).delete();
  }
}

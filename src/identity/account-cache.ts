import type { Database } from '../db/database.ts';
import type { Account } from './accounts.ts';

/** What token, userinfo and resumed authorization requests read about an account. */
export interface AccountWithSelf {
  account: Account;
  selfPersonId: string | undefined;
}

export interface AccountCacheOptions {
  ttlMs?: number;
  maxEntries?: number;
  /** The clock entries expire by, in milliseconds (tests pass their own rather than wait). */
  now?: () => number;
}

/**
 * Accounts as last read, per node. A resident's sign-in reads their account four times within
 * seconds (twice when the authorization resumes, at /token, at userinfo); each read is a round
 * trip to PostgreSQL on the busiest path PASS has.
 *
 * Kept correct by the database: migration 0012 announces every committed change to an account or
 * to its persons, and AccountChangeListener forgets the entry on every node. Until the listener
 * is listening (start-up, or after its connection dropped) the cache is off and forgets all it
 * had, since announcements may have been missed. The epoch stops a read that raced a change from
 * storing what it read before the change. The TTL bounds the damage of anything unforeseen.
 */
export class AccountCache {
  readonly #entries = new Map<string, { value: AccountWithSelf; expiresAt: number }>();
  readonly #ttlMs: number;
  readonly #maxEntries: number;
  readonly #now: () => number;
  #enabled = false;
  #epoch = 0;

  constructor(options: AccountCacheOptions = {}) {
    this.#ttlMs = options.ttlMs ?? 30_000;
    this.#maxEntries = options.maxEntries ?? 10_000;
    this.#now = options.now ?? Date.now;
  }

  get enabled(): boolean {
    return this.#enabled;
  }

  /** Taken before a read; `set` stores the result only if nothing was forgotten since. */
  get epoch(): number {
    return this.#epoch;
  }

  get(accountId: string): AccountWithSelf | undefined {
    if (!this.#enabled) return undefined;
    const entry = this.#entries.get(accountId);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.#now()) {
      this.#entries.delete(accountId);
      return undefined;
    }
    return entry.value;
  }

  set(accountId: string, value: AccountWithSelf, epoch: number): void {
    if (!this.#enabled || epoch !== this.#epoch) return;
    if (this.#entries.size >= this.#maxEntries && !this.#entries.has(accountId)) {
      // Map keeps insertion order: the first key is the oldest entry.
      this.#entries.delete(this.#entries.keys().next().value!);
    }
    this.#entries.set(accountId, { value, expiresAt: this.#now() + this.#ttlMs });
  }

  forget(accountId: string): void {
    this.#epoch += 1;
    this.#entries.delete(accountId);
  }

  /** Announcements are heard from now on. */
  enable(): void {
    this.#epoch += 1;
    this.#entries.clear();
    this.#enabled = true;
  }

  /** Announcements may be missed from now on. */
  disable(): void {
    this.#enabled = false;
    this.#epoch += 1;
    this.#entries.clear();
  }

  get size(): number {
    return this.#entries.size;
  }
}

const caches = new WeakMap<Database, AccountCache>();

export function registerAccountCache(db: Database, cache: AccountCache): void {
  caches.set(db, cache);
}

/**
 * Forgets an account on this node at once, for code that has just committed a change to it and
 * answers the resident next: the database's announcement reaches every node too, a moment later.
 */
export function accountChanged(db: Database, accountId: string): void {
  caches.get(db)?.forget(accountId);
}

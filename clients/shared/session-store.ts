import { createHash, randomBytes } from 'node:crypto';
import type { Database } from '../../src/db/database.ts';
import type { SecretBox } from '../../src/core/secret-box.ts';

/**
 * Where each client keeps its sessions: its own table, and the purpose its rows are sealed under
 * (a row copied to another table or id does not open). The booking site's rows also carry PASS's
 * `sub` and `sid`, so that PASS's back-channel logout finds them.
 */
const STORES = {
  app: { table: 'app_sessions', purpose: 'app-session', passLinked: false },
  manager: { table: 'manager_sessions', purpose: 'manager-session', passLinked: false },
  booking: { table: 'booking_sessions', purpose: 'booking-session', passLinked: true },
} as const;

export type SessionStoreName = keyof typeof STORES;

/** PASS's session a client session belongs to, as PASS named it in the ID token. */
export interface PassSession {
  sub?: string | undefined;
  sid?: string | undefined;
}

const BATCH = 500;

function idOf(cookie: string): string {
  return createHash('sha256').update(cookie).digest('hex');
}

/**
 * A client's sessions, kept on the server: the browser holds only a random cookie (the table
 * keeps its SHA-256, so a database leak gives no live sessions); the data (tokens, the signed-in
 * user, a sign-in in progress) is sealed with PASS's encryption key. One implementation for the
 * PASS app, PASS Manager and the booking site, each in its own table.
 */
export class ClientSessions<D extends object> {
  readonly #db: Database;
  readonly #box: SecretBox;
  readonly #store: (typeof STORES)[SessionStoreName];
  readonly #ttlSeconds: number;

  constructor(db: Database, box: SecretBox, store: SessionStoreName, ttlSeconds: number) {
    this.#db = db;
    this.#box = box;
    this.#store = STORES[store];
    this.#ttlSeconds = ttlSeconds;
  }

  #seal(id: string, data: D): string {
    return this.#box.seal(JSON.stringify(data), `${this.#store.purpose}:${id}`);
  }

  #open(id: string, sealed: string): D | undefined {
    try {
      return JSON.parse(this.#box.openText(sealed, `${this.#store.purpose}:${id}`)) as D;
    } catch {
      return undefined; // sealed under a retired key, or damaged: no session
    }
  }

  async load(cookie: string | undefined): Promise<D | undefined> {
    if (!cookie || !/^[A-Za-z0-9_-]{43}$/.test(cookie)) return undefined;
    const id = idOf(cookie);
    const row = (await this.#db(this.#store.table).where({ id }).first()) as { data_sealed: string; expires_at: Date } | undefined;
    if (!row || row.expires_at.getTime() <= Date.now()) return undefined;
    return this.#open(id, row.data_sealed);
  }

  /**
   * Stores the data under a new cookie value (so a session id never outlives a sign-in) and
   * returns it. `pass`: the PASS session it belongs to, for stores that PASS's logout reaches.
   */
  async create(data: D, ttlSeconds = this.#ttlSeconds, pass: PassSession = {}): Promise<string> {
    const cookie = randomBytes(32).toString('base64url');
    const id = idOf(cookie);
    await this.#db(this.#store.table).insert({
      id,
      data_sealed: this.#seal(id, data),
      ...(this.#store.passLinked ? { pass_sub: pass.sub ?? null, pass_sid: pass.sid ?? null } : {}),
      expires_at: new Date(Date.now() + ttlSeconds * 1000),
    });
    return cookie;
  }

  async update(cookie: string, data: D): Promise<void> {
    const id = idOf(cookie);
    await this.#db(this.#store.table).where({ id }).update({ data_sealed: this.#seal(id, data) });
  }

  async destroy(cookie: string | undefined): Promise<void> {
    if (cookie) await this.#db(this.#store.table).where({ id: idOf(cookie) }).delete();
  }

  /** Back-channel logout: the sessions of the PASS session named (sid), or every session of the resident (sub only). */
  async endPassSessions(sub: string | undefined, sid: string | undefined): Promise<number> {
    if (!this.#store.passLinked) throw new Error(`${this.#store.table} rows do not record PASS's session`);
    const table = this.#store.table;
    if (sid) return this.#db(table).where({ pass_sid: sid }).modify((q) => (sub ? q.andWhere({ pass_sub: sub }) : q)).delete();
    if (sub) return this.#db(table).where({ pass_sub: sub }).delete();
    return 0;
  }

  /**
   * Ends every session of one PASS subject (an account being deleted). Stores linked to PASS's
   * session find them by column; the others open each row and compare the signed-in user's `sub`.
   */
  async endSessionsOf(sub: string): Promise<number> {
    if (this.#store.passLinked) return this.endPassSessions(sub, undefined);
    const table = this.#store.table;
    let ended = 0;
    let after = '';
    for (;;) {
      const rows = (await this.#db(table).where('id', '>', after).orderBy('id').limit(BATCH).select('id', 'data_sealed')) as Array<{ id: string; data_sealed: string }>;
      const theirs = rows.filter((row) => (this.#open(row.id, row.data_sealed) as { user?: { sub?: unknown } } | undefined)?.user?.sub === sub);
      if (theirs.length) ended += await this.#db(table).whereIn('id', theirs.map((row) => row.id)).delete();
      if (rows.length < BATCH) return ended;
      after = rows.at(-1)!.id;
    }
  }

  async purgeExpired(): Promise<number> {
    return this.#db(this.#store.table).where('expires_at', '<', new Date()).delete();
  }
}

import { createHash, randomBytes } from 'node:crypto';
import type { Database } from '../../src/db/database.ts';
import type { SecretBox } from '../../src/core/secret-box.ts';

export interface AppUser {
  sub: string;
  email?: string;
  phoneNumber?: string;
}

export interface AppSessionData {
  /** An authorization request in progress (state, nonce and PKCE verifier). */
  flow?: { state: string; nonce: string; verifier: string; returnTo: string };
  tokens?: { accessToken: string; idToken: string; expiresAt: number; refreshToken?: string };
  user?: AppUser;
}

function idOf(cookie: string): string {
  return createHash('sha256').update(cookie).digest('hex');
}

/**
 * The PASS app's sessions, kept on the server: the browser holds only a random cookie; the
 * tokens stay in the database, sealed with PASS's encryption key.
 */
export class AppSessions {
  readonly #db: Database;
  readonly #box: SecretBox;
  readonly #ttlSeconds: number;
  readonly #table: string;
  readonly #purpose: string;

  /** `store`: another first-party relying party (PASS Manager) keeps its sessions in its own table. */
  constructor(db: Database, box: SecretBox, ttlSeconds: number, store: { table: string; purpose: string } = { table: 'app_sessions', purpose: 'app-session' }) {
    this.#db = db;
    this.#box = box;
    this.#ttlSeconds = ttlSeconds;
    this.#table = store.table;
    this.#purpose = store.purpose;
  }

  async load(cookie: string | undefined): Promise<AppSessionData | undefined> {
    if (!cookie || !/^[A-Za-z0-9_-]{43}$/.test(cookie)) return undefined;
    const id = idOf(cookie);
    const row = (await this.#db(this.#table).where({ id }).first()) as { data_sealed: string; expires_at: Date } | undefined;
    if (!row || row.expires_at.getTime() <= Date.now()) return undefined;
    try {
      return JSON.parse(this.#box.openText(row.data_sealed, `${this.#purpose}:${id}`)) as AppSessionData;
    } catch {
      return undefined;
    }
  }

  /** Stores the data under a new cookie value (so a session id never outlives a sign-in); returns it. */
  async create(data: AppSessionData, ttlSeconds = this.#ttlSeconds): Promise<string> {
    const cookie = randomBytes(32).toString('base64url');
    const id = idOf(cookie);
    await this.#db(this.#table).insert({
      id,
      data_sealed: this.#box.seal(JSON.stringify(data), `${this.#purpose}:${id}`),
      expires_at: new Date(Date.now() + ttlSeconds * 1000),
    });
    return cookie;
  }

  async update(cookie: string, data: AppSessionData): Promise<void> {
    const id = idOf(cookie);
    await this.#db(this.#table).where({ id }).update({ data_sealed: this.#box.seal(JSON.stringify(data), `${this.#purpose}:${id}`) });
  }

  async destroy(cookie: string | undefined): Promise<void> {
    if (cookie) await this.#db(this.#table).where({ id: idOf(cookie) }).delete();
  }

  async purgeExpired(): Promise<number> {
    return this.#db(this.#table).where('expires_at', '<', new Date()).delete();
  }
}

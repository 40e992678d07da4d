import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Database } from '../../src/db/database.ts';
import type { SecretBox } from '../../src/core/secret-box.ts';

/** What the booking site keeps about its user: made from the claims PASS gave at the first login. */
export interface BookingProfile {
  name?: string;
  familyName?: string;
  givenName?: string;
  birthdate?: string;
  address?: string;
  email?: string;
  phoneNumber?: string;
}

export interface BookingUser {
  id: string;
  passSub: string;
  profile: BookingProfile;
  createdAt: Date;
}

export interface Reservation {
  id: number;
  room: string;
  day: string;
  slot: string;
}

export interface BookingSessionData {
  /** A PASS login in progress. */
  flow?: { state: string; nonce: string; verifier: string };
  userId?: string;
  idToken?: string;
  /** Shown once after the first login. */
  firstLogin?: boolean;
}

function idOf(cookie: string): string {
  return createHash('sha256').update(cookie).digest('hex');
}

function dayString(value: unknown): string {
  if (value instanceof Date) return `${value.getFullYear()}-${String(value.getMonth() + 1).padStart(2, '0')}-${String(value.getDate()).padStart(2, '0')}`;
  return String(value).slice(0, 10);
}

/**
 * The booking site's own storage: its users, server-side sessions (the browser holds a random
 * cookie; a session is found again by PASS's `sub` and `sid` when PASS says the resident logged
 * out) and reservations. A real booking system has its own database; the demo shares PASS's.
 */
export class BookingStore {
  readonly #db: Database;
  readonly #box: SecretBox;

  constructor(db: Database, box: SecretBox) {
    this.#db = db;
    this.#box = box;
  }

  async loadSession(cookie: string | undefined): Promise<BookingSessionData | undefined> {
    if (!cookie || !/^[A-Za-z0-9_-]{43}$/.test(cookie)) return undefined;
    const id = idOf(cookie);
    const row = (await this.#db('booking_sessions').where({ id }).first()) as { data_sealed: string; expires_at: Date } | undefined;
    if (!row || row.expires_at.getTime() <= Date.now()) return undefined;
    try {
      return JSON.parse(this.#box.openText(row.data_sealed, `booking-session:${id}`)) as BookingSessionData;
    } catch {
      return undefined;
    }
  }

  /** A new session under a new cookie value; returns the cookie. */
  async createSession(data: BookingSessionData, ttlSeconds: number, pass: { sub?: string; sid?: string } = {}): Promise<string> {
    const cookie = randomBytes(32).toString('base64url');
    const id = idOf(cookie);
    await this.#db('booking_sessions').insert({
      id,
      data_sealed: this.#box.seal(JSON.stringify(data), `booking-session:${id}`),
      pass_sub: pass.sub ?? null,
      pass_sid: pass.sid ?? null,
      expires_at: new Date(Date.now() + ttlSeconds * 1000),
    });
    return cookie;
  }

  async updateSession(cookie: string, data: BookingSessionData): Promise<void> {
    const id = idOf(cookie);
    await this.#db('booking_sessions').where({ id }).update({ data_sealed: this.#box.seal(JSON.stringify(data), `booking-session:${id}`) });
  }

  async destroySession(cookie: string | undefined): Promise<void> {
    if (cookie) await this.#db('booking_sessions').where({ id: idOf(cookie) }).delete();
  }

  /** Back-channel logout: the session PASS names (sid), or every session of the resident (sub only). */
  async endPassSessions(sub: string | undefined, sid: string | undefined): Promise<number> {
    if (sid) return this.#db('booking_sessions').where({ pass_sid: sid }).modify((q) => (sub ? q.andWhere({ pass_sub: sub }) : q)).delete();
    if (sub) return this.#db('booking_sessions').where({ pass_sub: sub }).delete();
    return 0;
  }

  /** Finds the user for a PASS subject, or creates one from the claims (first login). */
  async upsertUser(passSub: string, profile: BookingProfile): Promise<{ user: BookingUser; created: boolean }> {
    const existing = (await this.#db('booking_users').where({ pass_sub: passSub }).first()) as Record<string, unknown> | undefined;
    if (existing) {
      await this.#db('booking_users').where({ id: existing.id }).update({ profile: JSON.stringify(profile), last_login_at: new Date() });
      return { user: { id: String(existing.id), passSub, profile, createdAt: existing.created_at as Date }, created: false };
    }
    const id = randomUUID();
    await this.#db('booking_users').insert({ id, pass_sub: passSub, profile: JSON.stringify(profile) });
    return { user: { id, passSub, profile, createdAt: new Date() }, created: true };
  }

  async findUser(id: string): Promise<BookingUser | undefined> {
    const row = (await this.#db('booking_users').where({ id }).first()) as Record<string, unknown> | undefined;
    return row ? { id: String(row.id), passSub: String(row.pass_sub), profile: row.profile as BookingProfile, createdAt: row.created_at as Date } : undefined;
  }

  async reservations(userId: string): Promise<Reservation[]> {
    const rows = (await this.#db('booking_reservations').where({ user_id: userId }).orderBy(['day', 'slot'])) as Array<Record<string, unknown>>;
    return rows.map((r) => ({ id: Number(r.id), room: String(r.room), day: dayString(r.day), slot: String(r.slot) }));
  }

  /** False when the room is already taken at that time. */
  async reserve(userId: string, room: string, day: string, slot: string): Promise<boolean> {
    const inserted = (await this.#db('booking_reservations')
      .insert({ user_id: userId, room, day, slot })
      .onConflict(['room', 'day', 'slot'])
      .ignore()
      .returning('id')) as unknown[];
    return inserted.length > 0;
  }

  async purgeExpired(): Promise<number> {
    return this.#db('booking_sessions').where('expires_at', '<', new Date()).delete();
  }
}

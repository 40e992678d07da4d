import { randomUUID } from 'node:crypto';
import type { Database } from '../../src/db/database.ts';

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

/** The booking site's session (clients/shared/session-store.ts, linked to PASS's session for back-channel logout). */
export interface BookingSessionData {
  /** A PASS login in progress. */
  flow?: { state: string; nonce: string; verifier: string };
  userId?: string;
  idToken?: string;
  /** Shown once after the first login. */
  firstLogin?: boolean;
}

function dayString(value: unknown): string {
  if (value instanceof Date) return `${value.getFullYear()}-${String(value.getMonth() + 1).padStart(2, '0')}-${String(value.getDate()).padStart(2, '0')}`;
  return String(value).slice(0, 10);
}

/**
 * The booking site's own records: its users (made from the claims PASS gave at the first login)
 * and their reservations. A real booking system has its own database; the demo shares PASS's.
 */
export class BookingStore {
  readonly #db: Database;

  constructor(db: Database) {
    this.#db = db;
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
}

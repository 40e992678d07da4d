/**
 * Codes of the device-code check-in: a kiosk shows one (short-lived, renewed by the kiosk), or staff
 * print one for the entrance (long-lived, no kiosk needed). A resident scans it with their phone,
 * signs in to PASS, consents, and the check-in is recorded against the code's facility; the kiosk
 * that shows the code sees the latest check-in made with it.
 */
import { randomInt } from 'node:crypto';
import type { Database } from '../db/database.ts';
import type { Direction } from './checkin-store.ts';

/** The device-grant charset of oidc-provider (base-20, no vowels): nothing rude, nothing ambiguous. */
const CHARSET = 'BCDFGHJKLMNPQRSTVWXZ';
export const CODE_PATTERN = /^[BCDFGHJKLMNPQRSTVWXZ]{8}$/;

export interface CheckinCode {
  code: string;
  facilityId: string;
  kioskId: string | undefined;
  direction: Direction;
  expiresAt: Date | undefined;
  lastCheckinId: string | undefined;
}

interface Row {
  code: string;
  facility_id: string;
  kiosk_id: string | null;
  direction: Direction;
  expires_at: Date | null;
  last_checkin_id: string | null;
}

export function normaliseCode(value: string): string {
  return value.toUpperCase().replace(/[^A-Z]/g, '');
}

export function displayCode(code: string): string {
  return `${code.slice(0, 4)}-${code.slice(4)}`;
}

export class CheckinCodes {
  readonly #db: Database;

  constructor(db: Database) {
    this.#db = db;
  }

  async create(input: { facilityId: string; kioskId?: string; direction?: Direction; ttlSeconds?: number }, now = new Date()): Promise<CheckinCode> {
    const code = Array.from({ length: 8 }, () => CHARSET[randomInt(CHARSET.length)]).join('');
    const expiresAt = input.ttlSeconds ? new Date(now.getTime() + input.ttlSeconds * 1000) : undefined;
    if (input.kioskId) await this.#db('checkin_codes').where({ kiosk_id: input.kioskId }).andWhere('expires_at', '<', now).delete();
    await this.#db('checkin_codes').insert({
      code,
      facility_id: input.facilityId,
      kiosk_id: input.kioskId ?? null,
      direction: input.direction ?? 'in',
      expires_at: expiresAt ?? null,
    });
    return { code, facilityId: input.facilityId, kioskId: input.kioskId, direction: input.direction ?? 'in', expiresAt, lastCheckinId: undefined };
  }

  /** The code, when it exists and has not expired. */
  async find(value: string, now = new Date()): Promise<CheckinCode | undefined> {
    const code = normaliseCode(value);
    if (!CODE_PATTERN.test(code)) return undefined;
    const row = (await this.#db('checkin_codes').where({ code }).first()) as Row | undefined;
    if (!row || (row.expires_at && new Date(row.expires_at) <= now)) return undefined;
    return {
      code: row.code,
      facilityId: row.facility_id,
      kioskId: row.kiosk_id ?? undefined,
      direction: row.direction,
      expiresAt: row.expires_at ? new Date(row.expires_at) : undefined,
      lastCheckinId: row.last_checkin_id ?? undefined,
    };
  }

  async used(code: string, checkinId: string): Promise<void> {
    await this.#db('checkin_codes').where({ code }).update({ last_checkin_id: checkinId });
  }
}

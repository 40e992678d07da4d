/**
 * Durable check-ins. The id is made by the kiosk (a UUID), and the insert is "on conflict do
 * nothing": a retry of the same check-in, however often and however concurrent, finds the first
 * record and answers with it, so nothing is ever counted twice. A check-in is acknowledged only
 * after this insert has committed in PostgreSQL.
 */
import type { Database } from '../db/database.ts';
import { occupancyOf } from './shelter-status.ts';
import type { PadOutcome, PadStatus } from './pad.ts';

export const CHECKIN_METHODS = ['face', 'qr', 'card', 'device-code', 'credential'] as const;
export type CheckinMethod = (typeof CHECKIN_METHODS)[number];
export type CheckinResult = 'accepted' | 'rejected';
export type Direction = 'in' | 'out';

/** What a facility may show about the person checked in (only what the registration allows). */
export interface ShownFacts {
  name?: string;
  age?: number;
  resident?: boolean;
  ageOver?: Record<string, boolean>;
}

export interface NewCheckin {
  id: string;
  facilityId: string;
  kioskId: string | undefined;
  method: CheckinMethod;
  result: CheckinResult;
  reason: string | undefined;
  personId: string | undefined;
  cardKey: string | undefined;
  direction: Direction;
  galleryId: string | undefined;
  detailsSealed: string | undefined;
  shown: ShownFacts | undefined;
  occurredAt: Date;
  /** Whether the person lived in the facility's municipality then (analytics); absent when unknown. */
  resident?: boolean | undefined;
  /** The presentation-attack check of a face check-in, where the facility's PAD policy keeps it (pad.ts). */
  pad?: PadOutcome | undefined;
  /** An accepted wallet presentation's key-binding digest (credential-checkins.ts): one check-in per presentation. */
  presentationDigest?: string | undefined;
}

export interface CheckinRecord extends NewCheckin {
  recordedAt: Date;
}

interface Row {
  id: string;
  facility_id: string;
  kiosk_id: string | null;
  method: CheckinMethod;
  result: CheckinResult;
  reason: string | null;
  person_id: string | null;
  card_key: string | null;
  direction: Direction;
  gallery_id: string | null;
  details_sealed: string | null;
  shown: ShownFacts | string | null;
  occurred_at: Date;
  recorded_at: Date;
  pad_status?: PadStatus | null;
  pad_score?: number | string | null;
  pad_method?: string | null;
  pad_model?: string | null;
}

/** The PAD columns of a check-in row as a PadOutcome; undefined when none was kept. */
export function padOf(r: { pad_status?: PadStatus | null; pad_score?: number | string | null; pad_method?: string | null; pad_model?: string | null }): PadOutcome | undefined {
  if (!r.pad_status) return undefined;
  return {
    status: r.pad_status,
    ...(r.pad_score !== null && r.pad_score !== undefined ? { score: Number(r.pad_score) } : {}),
    method: r.pad_method ?? 'none',
    ...(r.pad_model ? { model: r.pad_model } : {}),
  };
}

function toRecord(r: Row): CheckinRecord {
  const shown = typeof r.shown === 'string' ? (JSON.parse(r.shown) as ShownFacts) : r.shown;
  const pad = padOf(r);
  return {
    id: r.id,
    facilityId: r.facility_id,
    kioskId: r.kiosk_id ?? undefined,
    method: r.method,
    result: r.result,
    reason: r.reason ?? undefined,
    personId: r.person_id ?? undefined,
    cardKey: r.card_key ?? undefined,
    direction: r.direction,
    galleryId: r.gallery_id ?? undefined,
    detailsSealed: r.details_sealed ?? undefined,
    shown: shown ?? undefined,
    occurredAt: new Date(r.occurred_at),
    recordedAt: new Date(r.recorded_at),
    ...(pad ? { pad } : {}),
  };
}

export class CheckinStore {
  readonly #db: Database;

  constructor(db: Database) {
    this.#db = db;
  }

  async find(id: string): Promise<CheckinRecord | undefined> {
    const row = (await this.#db('checkins').where({ id }).first()) as Row | undefined;
    return row ? toRecord(row) : undefined;
  }

  /** Inserts once; `created` is false when the id was already recorded (the first record is returned). */
  async record(c: NewCheckin): Promise<{ record: CheckinRecord; created: boolean }> {
    const rows = (await this.#db('checkins')
      .insert({
        id: c.id,
        facility_id: c.facilityId,
        kiosk_id: c.kioskId ?? null,
        method: c.method,
        result: c.result,
        reason: c.reason ?? null,
        person_id: c.personId ?? null,
        card_key: c.cardKey ?? null,
        direction: c.direction,
        gallery_id: c.galleryId ?? null,
        details_sealed: c.detailsSealed ?? null,
        shown: c.shown ? JSON.stringify(c.shown) : null,
        occurred_at: c.occurredAt,
        ...(c.resident !== undefined ? { resident: c.resident } : {}),
        ...(c.presentationDigest ? { presentation_digest: c.presentationDigest } : {}),
        ...(c.pad ? { pad_status: c.pad.status, pad_score: c.pad.score ?? null, pad_method: c.pad.method, pad_model: c.pad.model ?? null } : {}),
      })
      .onConflict('id')
      .ignore()
      .returning('*')) as Row[];
    if (rows[0]) return { record: toRecord(rows[0]), created: true };
    const existing = await this.find(c.id);
    if (!existing) throw new Error('check-in vanished after a conflicting insert');
    return { record: existing, created: false };
  }

  /** The check-in (other than `exceptId`) that already used this presentation, if any. */
  async presentationUsedBy(digest: string, exceptId: string): Promise<string | undefined> {
    const row = (await this.#db('checkins').where({ presentation_digest: digest }).whereNot({ id: exceptId }).first('id')) as { id: string } | undefined;
    return row?.id;
  }

  /** Recent check-ins of a facility, newest first (for staff and tests). */
  async recent(facilityId: string, options: { result?: CheckinResult; limit?: number } = {}): Promise<CheckinRecord[]> {
    const query = this.#db('checkins').where({ facility_id: facilityId }).orderBy('recorded_at', 'desc').limit(options.limit ?? 50);
    if (options.result) query.andWhere({ result: options.result });
    return ((await query) as Row[]).map(toRecord);
  }

  /**
   * People inside a shelter now: everyone (a person, or an anonymous card) whose latest accepted
   * check-in there is "in".
   */
  async occupancy(facilityId: string): Promise<number> {
    return (await occupancyOf(this.#db, [facilityId])).get(facilityId) ?? 0;
  }
}

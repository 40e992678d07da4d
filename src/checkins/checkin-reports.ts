/**
 * Stored check-ins as staff read them back (history, alerts, guardian lookup): filtered, ordered
 * and limited here, on the check-in's own columns only. Callers add what other capabilities own
 * (a kiosk's name, who acknowledged an alert) by the ids these rows carry.
 */
import type { Knex } from 'knex';
import { padOf, type CheckinResult, type Direction, type ShownFacts } from './checkin-store.ts';
import type { PadOutcome, PadStatus } from './pad.ts';

export interface CheckinEntry {
  id: string;
  facilityId: string;
  kioskId: string | null;
  method: string;
  result: CheckinResult;
  reason: string | null;
  direction: Direction;
  personId: string | null;
  shown: ShownFacts | null;
  occurredAt: Date;
  recordedAt: Date;
  /** The presentation-attack check of a face check-in, where the facility's policy kept it. */
  pad: PadOutcome | null;
}

interface EntryRow {
  id: string;
  facility_id: string;
  kiosk_id: string | null;
  method: string;
  result: CheckinResult;
  reason: string | null;
  direction: Direction;
  person_id: string | null;
  shown: ShownFacts | string | null;
  occurred_at: Date | string;
  recorded_at: Date | string;
  pad_status: PadStatus | null;
  pad_score: number | string | null;
  pad_method: string | null;
  pad_model: string | null;
}

const ENTRY_COLUMNS = ['id', 'facility_id', 'kiosk_id', 'method', 'result', 'reason', 'direction', 'person_id', 'shown', 'occurred_at', 'recorded_at', 'pad_status', 'pad_score', 'pad_method', 'pad_model'];

function toEntry(r: EntryRow): CheckinEntry {
  return {
    id: r.id,
    facilityId: r.facility_id,
    kioskId: r.kiosk_id,
    method: r.method,
    result: r.result,
    reason: r.reason,
    direction: r.direction,
    personId: r.person_id,
    shown: typeof r.shown === 'string' ? (JSON.parse(r.shown) as ShownFacts) : r.shown,
    occurredAt: new Date(r.occurred_at),
    recordedAt: new Date(r.recorded_at),
    pad: padOf(r) ?? null,
  };
}

export interface CheckinFilter {
  facilityIds: readonly string[];
  /** Occurred at or after. */
  since?: Date | undefined;
  /** Occurred before. */
  until?: Date | undefined;
  method?: string | undefined;
  result?: CheckinResult | undefined;
}

function historyQuery(db: Knex, filter: CheckinFilter): Knex.QueryBuilder {
  const query = db('checkins').whereIn('facility_id', [...filter.facilityIds]);
  if (filter.since) query.andWhere('occurred_at', '>=', filter.since);
  if (filter.until) query.andWhere('occurred_at', '<', filter.until);
  if (filter.method) query.andWhere('method', filter.method);
  if (filter.result) query.andWhere('result', filter.result);
  return query;
}

export async function countHistory(db: Knex, filter: CheckinFilter): Promise<number> {
  const counted = (await historyQuery(db, filter).count({ n: '*' }).first()) as { n: string | number } | undefined;
  return Number(counted?.n ?? 0);
}

/** Latest first (when it happened at the door, then when it was stored), in a stable order for paging. */
export async function historyPage(db: Knex, filter: CheckinFilter, page: { limit: number; offset?: number }): Promise<CheckinEntry[]> {
  const rows = (await historyQuery(db, filter)
    .orderBy([
      { column: 'occurred_at', order: 'desc' },
      { column: 'recorded_at', order: 'desc' },
      { column: 'id', order: 'asc' },
    ])
    .limit(page.limit)
    .offset(page.offset ?? 0)
    .select(ENTRY_COLUMNS)) as EntryRow[];
  return rows.map(toEntry);
}

export interface RefusedFilter {
  facilityIds: readonly string[];
  /** Recorded after. */
  after?: Date | undefined;
  /** Only this check-in. */
  id?: string | undefined;
  /** Check-ins to leave out (those already dealt with). */
  excluding?: readonly string[] | undefined;
  /** By the time each was recorded. */
  order: 'asc' | 'desc';
  limit?: number | undefined;
}

/** Refused check-ins of the facilities. */
export async function refusedCheckins(db: Knex, filter: RefusedFilter): Promise<CheckinEntry[]> {
  const query = db('checkins').whereIn('facility_id', [...filter.facilityIds]).andWhere('result', 'rejected');
  if (filter.after) query.andWhere('recorded_at', '>', filter.after);
  if (filter.id !== undefined) query.andWhere('id', filter.id);
  if (filter.excluding?.length) query.whereNotIn('id', [...filter.excluding]);
  query.orderBy('recorded_at', filter.order);
  if (filter.limit !== undefined) query.limit(filter.limit);
  return ((await query.select(ENTRY_COLUMNS)) as EntryRow[]).map(toEntry);
}

/** Which way the person last passed the facility's door ('in' or 'out'), by their latest accepted check-in there. */
export async function latestDirection(db: Knex, facilityId: string, personId: string): Promise<Direction | undefined> {
  const latest = (await db('checkins')
    .where({ facility_id: facilityId, person_id: personId, result: 'accepted' })
    .orderBy([
      { column: 'occurred_at', order: 'desc' },
      { column: 'recorded_at', order: 'desc' },
    ])
    .first('direction')) as { direction: Direction } | undefined;
  return latest?.direction;
}

/**
 * Accepted check-ins of the given people at the given facilities (facility id → person ids) that
 * happened after `since`, latest first.
 */
export async function acceptedCheckinsOf(db: Knex, people: ReadonlyMap<string, readonly string[]>, since: Date, limit: number): Promise<CheckinEntry[]> {
  const wanted = [...people].filter(([, persons]) => persons.length > 0);
  if (wanted.length === 0) return [];
  const rows = (await db('checkins')
    .where((any) => {
      // One array binding per facility, however many people.
      for (const [facilityId, persons] of wanted) any.orWhere((q) => q.where('facility_id', facilityId).whereRaw('person_id = any(?)', [[...persons]]));
    })
    .andWhere('result', 'accepted')
    .andWhere('occurred_at', '>', since)
    .orderBy('occurred_at', 'desc')
    .limit(limit)
    .select(ENTRY_COLUMNS)) as EntryRow[];
  return rows.map(toEntry);
}

/**
 * A resident's own check-ins, newest first, a page at a time: where (the facility), when, how
 * (face, QR code, My Number Card, device code), in or out, and whether the kiosk let them in. For
 * the PASS app's history screen (through src/privacy); the full record is the data export's.
 * What the kiosk showed and the sealed details stay out: the screen needs neither.
 */
import type { Knex } from 'knex';
import type { CheckinMethod, CheckinResult, Direction } from './checkin-store.ts';

export interface CheckinHistoryEntry {
  id: string;
  personId: string;
  facilityId: string;
  method: CheckinMethod;
  result: CheckinResult;
  reason: string | undefined;
  direction: Direction;
  occurredAt: Date;
}

/** Where the previous page ended: the last entry's time and id (ids break ties of the same moment). */
export interface CheckinCursor {
  at: Date;
  id: string;
}

/** Up to `limit` check-ins of these persons, newest first, older than `before` when given. */
export async function checkinHistory(db: Knex, personIds: readonly string[], page: { limit: number; before?: CheckinCursor | undefined }): Promise<CheckinHistoryEntry[]> {
  if (personIds.length === 0) return [];
  const query = db('checkins')
    .whereIn('person_id', [...personIds])
    .orderBy([{ column: 'occurred_at', order: 'desc' }, { column: 'id', order: 'desc' }])
    .limit(page.limit)
    .select('id', 'person_id', 'facility_id', 'method', 'result', 'reason', 'direction', 'occurred_at');
  if (page.before) query.whereRaw('(occurred_at, id) < (?, ?)', [page.before.at, page.before.id]);
  const rows = (await query) as Array<{ id: string; person_id: string; facility_id: string; method: CheckinMethod; result: CheckinResult; reason: string | null; direction: Direction; occurred_at: Date }>;
  return rows.map((r) => ({
    id: r.id,
    personId: r.person_id,
    facilityId: r.facility_id,
    method: r.method,
    result: r.result,
    reason: r.reason ?? undefined,
    direction: r.direction,
    occurredAt: new Date(r.occurred_at),
  }));
}

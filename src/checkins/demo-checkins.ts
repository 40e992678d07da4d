/**
 * Check-ins for demo data (development only): stored as if they had happened a while ago, and
 * recorded then too, so PASS Manager's history and alerts have something to show. A demo
 * check-in already stored is left as it is.
 */
import type { Knex } from 'knex';
import type { CheckinMethod, CheckinResult, ShownFacts } from './checkin-store.ts';

export interface DemoCheckin {
  id: string;
  facilityId: string;
  method: CheckinMethod;
  result: CheckinResult;
  reason: string | null;
  personId: string | null;
  shown: ShownFacts | null;
  /** When it happened at the door, and when it was recorded. */
  at: Date;
}

export async function recordDemoCheckin(db: Knex, c: DemoCheckin): Promise<void> {
  await db('checkins')
    .insert({
      id: c.id,
      facility_id: c.facilityId,
      kiosk_id: null,
      method: c.method,
      result: c.result,
      reason: c.reason,
      person_id: c.personId,
      direction: 'in',
      shown: c.shown ? JSON.stringify(c.shown) : null,
      occurred_at: c.at,
      recorded_at: c.at,
    })
    .onConflict('id')
    .ignore();
}

/**
 * Check-ins are kept as long as their facility's claim policy says (facility_claim_policies.
 * retention_days) or, for a facility without one, the configured default, counted from when PASS
 * recorded them; then the periodic purger deletes them. Accepted and refused check-ins alike: a
 * refused one is the stored side of a failure event (the live copy went out on the bus and is not
 * kept), and what PASS Manager keeps about it — the acknowledgement and the alert thumbnail of a
 * refused face check-in, which expires within minutes anyway — goes with it (ON DELETE CASCADE).
 *
 * Per facility and in batches, over the (facility_id, recorded_at) index, so a purge never scans
 * the whole table or holds long locks; safe to run on every node at once.
 */
import type { Database } from '../db/database.ts';
import { facilityRetentionDays } from '../facilities/facility-store.ts';

const BATCH = 5000;
const DAY_MS = 86_400_000;

export interface RetentionRule {
  facilityId: string;
  days: number;
}

/** Every facility's retention: its policy's days, else the default. */
export async function retentionRules(db: Database, defaultDays: number): Promise<RetentionRule[]> {
  const rows = await facilityRetentionDays(db);
  return rows.map((r) => ({ facilityId: r.facilityId, days: r.retentionDays && r.retentionDays > 0 ? r.retentionDays : defaultDays }));
}

/** Deletes check-ins past their facility's retention; returns how many went. */
export async function purgeExpiredCheckins(db: Database, defaultDays: number, now = new Date()): Promise<number> {
  let total = 0;
  for (const rule of await retentionRules(db, defaultDays)) {
    const cutoff = new Date(now.getTime() - rule.days * DAY_MS);
    for (;;) {
      const result = (await db.raw(
        `delete from checkins where ctid in (select ctid from checkins where facility_id = ? and recorded_at < ? limit ${BATCH})`,
        [rule.facilityId, cutoff],
      )) as { rowCount?: number };
      const deleted = result.rowCount ?? 0;
      total += deleted;
      if (deleted < BATCH) break;
    }
  }
  return total;
}

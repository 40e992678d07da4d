import type { Database } from '../../db/database.ts';

const BATCH = 5000;

/**
 * Deletes expired oidc-provider records in batches, so one purge never holds long locks. Safe to
 * run on every node at once: each batch deletes what it finds.
 */
export async function purgeExpired(db: Database, now = new Date()): Promise<number> {
  let total = 0;
  for (;;) {
    const result = await db.raw(
      `delete from oidc_payloads where ctid in (select ctid from oidc_payloads where expires_at < ? limit ${BATCH})`,
      [now],
    );
    const deleted = (result as { rowCount?: number }).rowCount ?? 0;
    total += deleted;
    if (deleted < BATCH) return total;
  }
}

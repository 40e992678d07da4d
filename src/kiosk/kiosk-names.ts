/** The names staff gave their kiosks, for views that show where a check-in happened. */
import type { Knex } from 'knex';

/** Kiosk id → name, for the kiosks that exist among these ids (one query, whatever the number). */
export async function kioskNames(db: Knex, ids: ReadonlyArray<string | null>): Promise<Map<string, string>> {
  const wanted = [...new Set(ids.filter((id): id is string => id !== null))];
  if (wanted.length === 0) return new Map();
  const rows = (await db('kiosks').whereIn('id', wanted).select('id', 'name')) as Array<{ id: string; name: string }>;
  return new Map(rows.map((r) => [r.id, r.name]));
}

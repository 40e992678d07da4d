/**
 * What staff views read of facility registrations (the units a person consented to at a facility
 * are `activeRegistrationClaims` in active-claims.ts): who consented to a given unit, and registrations and withdrawals counted per day.
 */
import type { Knex } from 'knex';

/** For each of these facilities, the people whose active registration there includes the unit (facility id → person ids). */
export async function registrantsWithUnit(db: Knex, facilityIds: readonly string[], unit: string): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  if (facilityIds.length === 0) return out;
  const rows = (await db('registrations')
    .whereIn('facility_id', [...facilityIds])
    .andWhere('status', 'active')
    .andWhereRaw('claims @> ?::jsonb', [JSON.stringify([unit])])
    .select('facility_id', 'person_id')) as Array<{ facility_id: string; person_id: string }>;
  for (const r of rows) {
    const people = out.get(r.facility_id) ?? [];
    if (people.length === 0) out.set(r.facility_id, people);
    people.push(r.person_id);
  }
  return out;
}

/** Registrations made (`created_at`) or withdrawn (`withdrawn_at`) per day in the time zone, for days with any. */
export async function registrationsPerDay(
  db: Knex,
  period: { facilityIds: readonly string[]; start: Date; end: Date; zone: string },
  event: 'registered' | 'withdrawn',
): Promise<Array<{ day: string; count: number }>> {
  const column = event === 'registered' ? 'created_at' : 'withdrawn_at';
  const rows = (await db('registrations')
    .whereIn('facility_id', [...period.facilityIds])
    .where(column, '>=', period.start)
    .where(column, '<', period.end)
    .select(db.raw(`to_char(${column} at time zone ?, 'YYYY-MM-DD') as day`, [period.zone]), db.raw('count(*)::int as n'))
    .groupByRaw('1')) as Array<{ day: string; n: unknown }>;
  return rows.map((r) => ({ day: r.day, count: Number(r.n ?? 0) }));
}

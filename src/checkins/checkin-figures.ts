/**
 * Counts of arrivals at facilities over a period, aggregated in SQL so that only numbers leave the
 * database. An arrival is a check-in in the `in` direction; a "check-in" among them is an accepted
 * one, a refusal is counted beside them, check-outs not at all. Days and hours are those of the
 * time zone asked for.
 */
import type { Knex } from 'knex';

export interface ArrivalPeriod {
  facilityIds: readonly string[];
  /** Occurred at or after. */
  start: Date;
  /** Occurred before. */
  end: Date;
  /** An IANA time zone name, e.g. Asia/Tokyo. */
  zone: string;
}

export interface ArrivalFigures {
  /** Only the days with arrivals, as YYYY-MM-DD in the zone. */
  perDay: Array<{ day: string; checkins: number; refused: number }>;
  /** Only the hours (0–23 in the zone) with check-ins. */
  perHour: Array<{ hour: number; checkins: number }>;
  byMethod: Array<{ method: string; checkins: number }>;
  residency: { resident: number; nonResident: number; unknown: number };
}

const ACCEPTED = "result = 'accepted' and direction = 'in'";

export async function arrivalFigures(db: Knex, period: ArrivalPeriod): Promise<ArrivalFigures> {
  const arrivals = () => db('checkins').whereIn('facility_id', [...period.facilityIds]).where('occurred_at', '>=', period.start).where('occurred_at', '<', period.end);
  const [days, hours, methods, residency] = await Promise.all([
    arrivals()
      .select(
        db.raw(`to_char(occurred_at at time zone ?, 'YYYY-MM-DD') as day`, [period.zone]),
        db.raw(`count(*) filter (where ${ACCEPTED})::int as checkins`),
        db.raw(`count(*) filter (where result = 'rejected')::int as refused`),
      )
      .groupByRaw('1') as Promise<Array<{ day: string; checkins: unknown; refused: unknown }>>,
    arrivals()
      .whereRaw(ACCEPTED)
      .select(db.raw('extract(hour from (occurred_at at time zone ?))::int as hour', [period.zone]), db.raw('count(*)::int as checkins'))
      .groupByRaw('1') as Promise<Array<{ hour: unknown; checkins: unknown }>>,
    arrivals().whereRaw(ACCEPTED).select('method', db.raw('count(*)::int as checkins')).groupBy('method') as Promise<Array<{ method: string; checkins: unknown }>>,
    arrivals()
      .whereRaw(ACCEPTED)
      .first(
        db.raw('count(*) filter (where resident is true)::int as resident'),
        db.raw('count(*) filter (where resident is false)::int as non_resident'),
        db.raw('count(*) filter (where resident is null)::int as unknown'),
      ) as Promise<{ resident: unknown; non_resident: unknown; unknown: unknown } | undefined>,
  ]);
  return {
    perDay: days.map((d) => ({ day: d.day, checkins: Number(d.checkins ?? 0), refused: Number(d.refused ?? 0) })),
    perHour: hours.map((h) => ({ hour: Number(h.hour), checkins: Number(h.checkins ?? 0) })),
    byMethod: methods.map((m) => ({ method: m.method, checkins: Number(m.checkins ?? 0) })),
    residency: { resident: Number(residency?.resident ?? 0), nonResident: Number(residency?.non_resident ?? 0), unknown: Number(residency?.unknown ?? 0) },
  };
}

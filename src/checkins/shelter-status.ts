/**
 * Who is inside shelters now, as the kiosk counts them: everyone (a person, or an anonymous card)
 * whose latest accepted check-in at the shelter is "in"; when each shelter last saw a check-in;
 * and which municipalities are in emergency mode. Read by the shelter dashboard.
 */
import type { Knex } from 'knex';
import type { ShownFacts } from './checkin-store.ts';

/** The latest accepted check-in of everyone inside these facilities; the one binding is the array of facility ids. */
function insideSql(count: boolean): string {
  return `select ${count ? 'facility_id, count(*)::int as n' : 'latest.*'} from (
      select distinct on (facility_id, coalesce(person_id::text, card_key))
             id, facility_id, direction, method, shown, details_sealed, occurred_at, card_key, person_id, kiosk_id
      from checkins
      where facility_id = any(?) and result = 'accepted' and (person_id is not null or card_key is not null)
      order by facility_id, coalesce(person_id::text, card_key), occurred_at desc, recorded_at desc
    ) latest
    where latest.direction = 'in'
    ${count ? 'group by facility_id' : 'order by latest.occurred_at, latest.id'}`;
}

function rows<T>(result: unknown): T[] {
  return (result as { rows: T[] }).rows;
}

/** How many are inside each facility (facilities with nobody inside are absent). */
export async function occupancyOf(db: Knex, facilityIds: readonly string[]): Promise<Map<string, number>> {
  if (facilityIds.length === 0) return new Map();
  const counts = rows<{ facility_id: string; n: unknown }>(await db.raw(insideSql(true), [[...facilityIds]]));
  return new Map(counts.map((c) => [c.facility_id, Number(c.n)]));
}

export interface Inside {
  /** The check-in that brought them in. */
  checkinId: string;
  facilityId: string;
  method: string;
  kioskId: string | null;
  /** What the kiosk showed in public (its display policy); staff read more through CheckinService.staffFacts. */
  shown: ShownFacts | null;
  /** An anonymous card check-in's text-AP facts, sealed. */
  detailsSealed: string | null;
  since: Date;
  personId: string | null;
  cardKey: string | null;
}

interface InsideRow {
  id: string;
  facility_id: string;
  method: string;
  kiosk_id: string | null;
  shown: ShownFacts | string | null;
  details_sealed: string | null;
  occurred_at: Date | string;
  person_id: string | null;
  card_key: string | null;
}

/** Everyone inside these facilities, in the order they came in. */
export async function peopleInside(db: Knex, facilityIds: readonly string[]): Promise<Inside[]> {
  if (facilityIds.length === 0) return [];
  return rows<InsideRow>(await db.raw(insideSql(false), [[...facilityIds]])).map((r) => ({
    checkinId: r.id,
    facilityId: r.facility_id,
    method: r.method,
    kioskId: r.kiosk_id,
    shown: (typeof r.shown === 'string' ? JSON.parse(r.shown) : r.shown) as ShownFacts | null,
    detailsSealed: r.details_sealed,
    since: new Date(r.occurred_at),
    personId: r.person_id,
    cardKey: r.card_key,
  }));
}

/** When each facility last stored a check-in of any kind (facilities with none are absent). */
export async function lastCheckinAt(db: Knex, facilityIds: readonly string[]): Promise<Map<string, Date>> {
  if (facilityIds.length === 0) return new Map();
  const activity = (await db('checkins').whereIn('facility_id', [...facilityIds]).groupBy('facility_id').select('facility_id', db.raw('max(recorded_at) as at'))) as Array<{
    facility_id: string;
    at: Date | string | null;
  }>;
  return new Map(activity.filter((a) => a.at !== null).map((a) => [a.facility_id, new Date(a.at!)]));
}

/** Which of these municipalities are in emergency mode now (read fresh, not from the kiosks' one-second cache). */
export async function emergenciesAmong(db: Knex, municipalityCodes: readonly string[]): Promise<Set<string>> {
  if (municipalityCodes.length === 0) return new Set();
  const rows = (await db('municipal_emergencies').whereIn('municipality_code', [...municipalityCodes]).select('municipality_code')) as Array<{ municipality_code: string }>;
  return new Set(rows.map((r) => r.municipality_code));
}

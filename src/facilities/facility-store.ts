/**
 * The facilities PASS serves, read from the database (seeded from config/municipalities.json by
 * `pass seed`): the one `Facility` shape and the one reader of the `facilities` table for every
 * other capability. Callers that need less take a `Pick<Facility, …>`.
 */
import type { Knex } from 'knex';

export interface Facility {
  id: string;
  municipalityCode: string;
  /** playground, hospital, shelter, library, booking, other (config/municipalities.json). */
  kind: string;
  nameJa: string;
  nameEn: string;
}

/** What a check-in, a claim or a consent needs to know of its facility. */
export type FacilityRef = Pick<Facility, 'id' | 'municipalityCode'>;

interface FacilityRow {
  id: string;
  municipality_code: string;
  kind: string;
  name_ja: string;
  name_en: string;
}

function toFacility(r: FacilityRow): Facility {
  return { id: r.id, municipalityCode: r.municipality_code, kind: r.kind, nameJa: r.name_ja, nameEn: r.name_en };
}

export async function findFacility(db: Knex, id: string): Promise<Facility | undefined> {
  const row = (await db('facilities').where({ id }).first()) as FacilityRow | undefined;
  return row ? toFacility(row) : undefined;
}

export async function facilityExists(db: Knex, id: string): Promise<boolean> {
  return Boolean(await db('facilities').where({ id }).first('id'));
}

/** Every facility, by municipality then id. */
export async function listFacilities(db: Knex): Promise<Facility[]> {
  const rows = (await db('facilities').orderBy(['municipality_code', 'id'])) as FacilityRow[];
  return rows.map(toFacility);
}

/**
 * The facilities a set of roles opens, by id: those named, and every facility of the named
 * municipalities (one query, whatever the numbers).
 */
export async function facilitiesInScope(db: Knex, scope: { facilityIds: readonly string[]; municipalityCodes: readonly string[] }): Promise<Facility[]> {
  if (scope.facilityIds.length === 0 && scope.municipalityCodes.length === 0) return [];
  const rows = (await db('facilities')
    .where((w) => w.whereIn('id', [...scope.facilityIds]).orWhereIn('municipality_code', [...scope.municipalityCodes]))
    .orderBy('id')) as FacilityRow[];
  return rows.map(toFacility);
}

/**
 * Every facility's retention in days from its claim policy; null for a facility without one
 * (the caller's default applies).
 */
export async function facilityRetentionDays(db: Knex): Promise<Array<{ facilityId: string; retentionDays: number | null }>> {
  const rows = (await db('facilities as f')
    .leftJoin('facility_claim_policies as p', 'p.facility_id', 'f.id')
    .select('f.id', 'p.retention_days')) as Array<{ id: string; retention_days: number | null }>;
  return rows.map((r) => ({ facilityId: r.id, retentionDays: r.retention_days }));
}

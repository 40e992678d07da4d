import type { Knex } from 'knex';

function unitsOf(value: unknown): string[] {
  const parsed: unknown = typeof value === 'string' ? JSON.parse(value) : value;
  return Array.isArray(parsed) ? parsed.filter((u): u is string => typeof u === 'string') : [];
}

/** The facts (units) a person's active registration at a facility consents to; undefined when not registered there. */
export async function activeRegistrationClaims(db: Knex, personId: string, facilityId: string): Promise<string[] | undefined> {
  const row = (await db('registrations').where({ person_id: personId, facility_id: facilityId, status: 'active' }).first('claims')) as { claims: unknown } | undefined;
  return row ? unitsOf(row.claims) : undefined;
}

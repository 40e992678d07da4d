import type { Database } from '../db/database.ts';

/** The facts a person's active registration at a facility consents to; undefined when not registered there. */
export async function activeRegistrationClaims(db: Database, personId: string, facilityId: string): Promise<string[] | undefined> {
  const row = (await db('registrations').where({ person_id: personId, facility_id: facilityId, status: 'active' }).first('claims')) as
    | { claims: string[] | string }
    | undefined;
  if (!row) return undefined;
  return typeof row.claims === 'string' ? (JSON.parse(row.claims) as string[]) : row.claims;
}

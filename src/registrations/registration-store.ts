/**
 * What other capabilities read and write of a person's facility registrations, through the owner:
 * households (a member removed or moving to an account of their own) and the development seed.
 */
import type { Knex } from 'knex';

/** Stores a new active registration and its first history event, in the caller's transaction. */
export async function insertRegistration(
  trx: Knex.Transaction,
  registration: { id: string; personId: string; facilityId: string; claims: readonly string[]; actorAccountId: string },
): Promise<void> {
  const claims = JSON.stringify(registration.claims);
  await trx('registrations').insert({
    id: registration.id,
    person_id: registration.personId,
    facility_id: registration.facilityId,
    status: 'active',
    claims,
    registered_by_account_id: registration.actorAccountId,
  });
  await trx('registration_events').insert({ registration_id: registration.id, event: 'registered', claims, actor_account_id: registration.actorAccountId });
}

/** The facilities where the person is registered now. */
export async function activeFacilitiesOf(db: Knex, personId: string): Promise<string[]> {
  const rows = (await db('registrations').where({ person_id: personId, status: 'active' }).select('facility_id')) as Array<{ facility_id: string }>;
  return rows.map((r) => r.facility_id);
}

export async function countActiveRegistrations(db: Knex, personId: string): Promise<number> {
  const [row] = (await db('registrations').where({ person_id: personId, status: 'active' }).count({ n: '*' })) as Array<{ n: string | number }>;
  return Number(row!.n);
}

/** Whether the person has any registration, active or withdrawn (at one facility when given). */
export async function hasRegistration(db: Knex, personId: string, facilityId?: string): Promise<boolean> {
  return Boolean(await db('registrations').where({ person_id: personId, ...(facilityId ? { facility_id: facilityId } : {}) }).first('id'));
}

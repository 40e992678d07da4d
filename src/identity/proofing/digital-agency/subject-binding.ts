/**
 * One national identity, one PASS ID, as the Digital Agency sees it: the keyed `sub` of a proof
 * through its app (evidence.ts digitalAgencySubjectKey) is kept as that verification's serial
 * number, and a `sub` already proven for a person stays that person's. This holds even where the
 * basic four would not tell (a name changed by marriage), beside the rule the card path enforces
 * (person_identities.person_key, records.ts), which this path goes through as well.
 */
import type { Knex } from 'knex';
import { DIGITAL_AGENCY_METHOD } from './evidence.ts';

/** The person a Digital Agency identity was proven for, if any. */
export async function personHoldingSubject(db: Knex, issuer: string, subjectKey: string): Promise<string | undefined> {
  const row = (await db('identity_verifications')
    .where({ method: DIGITAL_AGENCY_METHOD, issuer, serial_number: subjectKey })
    .orderBy('verified_at')
    .first('person_id')) as { person_id: string } | undefined;
  return row?.person_id;
}

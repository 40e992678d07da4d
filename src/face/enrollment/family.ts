import type { Knex } from 'knex';
import { personRecord, personsOfAccount } from '../../identity/persons.ts';

/**
 * A person's family, as far as faces go: every person of the account the person belongs to — the
 * account holder and the household members they manage (members are persons of the
 * representative's account). The person itself is among them.
 */
export async function familyOf(db: Knex, personId: string): Promise<string[]> {
  const person = await personRecord(db, personId);
  return person?.accountId ? personsOfAccount(db, person.accountId) : [];
}

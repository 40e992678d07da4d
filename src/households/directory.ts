/**
 * Whom an account acts for: its own person, and — when it represents a household — every member.
 * The representative consents and registers for members; nobody else can.
 */
import type { Knex } from 'knex';
import { selfPersonOf } from '../identity/persons.ts';

export interface ManagedPerson {
  personId: string;
  /** self (the account's own person), child or parent. */
  relation: string;
  householdId: string | undefined;
}

export async function householdOf(db: Knex, accountId: string): Promise<{ id: string; representativePersonId: string } | undefined> {
  const row = (await db('households').where({ representative_account_id: accountId }).first('id', 'representative_person_id')) as
    | { id: string; representative_person_id: string }
    | undefined;
  return row ? { id: row.id, representativePersonId: row.representative_person_id } : undefined;
}

export interface Membership {
  /** The household's id. */
  id: string;
  /** representative, child or parent. */
  relation: string;
  representativeAccountId: string;
  representativePersonId: string;
}

/** The household the person belongs to, and as what; undefined for a person in none. */
export async function membershipOf(db: Knex, personId: string): Promise<Membership | undefined> {
  const row = (await db('household_members as m')
    .join('households as h', 'h.id', 'm.household_id')
    .where('m.person_id', personId)
    .first('h.id', 'm.relation', 'h.representative_account_id', 'h.representative_person_id')) as
    | { id: string; relation: string; representative_account_id: string; representative_person_id: string }
    | undefined;
  return row ? { id: row.id, relation: row.relation, representativeAccountId: row.representative_account_id, representativePersonId: row.representative_person_id } : undefined;
}

/** The account's own person first, then the members of the household it represents. */
export async function managedPersons(db: Knex, accountId: string): Promise<ManagedPerson[]> {
  const self = await selfPersonOf(db, accountId);
  const household = await householdOf(db, accountId);
  const out: ManagedPerson[] = self ? [{ personId: self, relation: 'self', householdId: household?.id }] : [];
  if (household) {
    const rows = (await db('household_members')
      .where({ household_id: household.id })
      .whereNot({ relation: 'representative' })
      .orderBy('created_at')
      .select('person_id', 'relation')) as Array<{ person_id: string; relation: string }>;
    for (const r of rows) out.push({ personId: r.person_id, relation: r.relation, householdId: household.id });
  }
  return out;
}

export async function canActFor(db: Knex, accountId: string, personId: string): Promise<ManagedPerson | undefined> {
  return (await managedPersons(db, accountId)).find((p) => p.personId === personId);
}

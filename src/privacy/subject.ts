/**
 * Whose data a request is about: the account, and every person it holds — its own person (or
 * persons: two racing first uses may have made two) and, for a household representative, each
 * member, who has no account of their own (persons.account_id is the representative's).
 */
import type { Knex } from 'knex';

export interface SubjectPerson {
  id: string;
  relation: string;
  createdAt: Date;
}

export interface DataSubject {
  accountId: string;
  email: string;
  phoneE164: string | null;
  persons: SubjectPerson[];
  /** The household the account represents, if any. */
  householdId: string | undefined;
}

export async function dataSubject(db: Knex, accountId: string): Promise<DataSubject | undefined> {
  const account = (await db('accounts').where({ id: accountId }).first('id', 'email', 'phone_e164')) as { id: string; email: string; phone_e164: string | null } | undefined;
  if (!account) return undefined;
  const persons = (await db('persons').where({ account_id: accountId }).orderBy('created_at').select('id', 'relation', 'created_at')) as Array<{ id: string; relation: string; created_at: Date }>;
  const household = (await db('households').where({ representative_account_id: accountId }).first('id')) as { id: string } | undefined;
  return {
    accountId,
    email: account.email,
    phoneE164: account.phone_e164,
    persons: persons.map((p) => ({ id: p.id, relation: p.relation, createdAt: new Date(p.created_at) })),
    householdId: household?.id,
  };
}

export function personIds(subject: DataSubject): string[] {
  return subject.persons.map((p) => p.id);
}

/** Members of the household: persons the account holds other than its own. */
export function members(subject: DataSubject): SubjectPerson[] {
  return subject.persons.filter((p) => p.relation !== 'self');
}

/**
 * Whose data a request is about (src/core/data-rights.ts: DataSubject), asked of the owners: the
 * account and its persons of identity, the household it represents of households.
 */
import type { Knex } from 'knex';
import type { DataSubject, SubjectPerson } from '../core/data-rights.ts';
import { accountHolder } from '../identity/data-rights.ts';
import { householdOf } from '../households/directory.ts';

export type { DataSubject, SubjectPerson };
export { personIdsOf as personIds } from '../core/data-rights.ts';

export async function dataSubject(db: Knex, accountId: string): Promise<DataSubject | undefined> {
  const holder = await accountHolder(db, accountId);
  if (!holder) return undefined;
  return { ...holder, householdId: (await householdOf(db, accountId))?.id };
}

/** Members of the household: persons the account holds other than its own. */
export function members(subject: DataSubject): SubjectPerson[] {
  return subject.persons.filter((p) => p.relation !== 'self');
}

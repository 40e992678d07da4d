/**
 * Who holds which staff role where, as PASS Manager lists and removes them. Removing a municipal
 * admin happens under a row lock on that municipality's admins (lockMunicipalAdmins, then
 * removeAssignment in the same transaction), so two admins removing each other at once cannot
 * both succeed and leave the municipality with none.
 */
import type { Knex } from 'knex';
import type { StaffRole } from './staff-service.ts';

export interface RosterEntry {
  accountId: string;
  role: StaffRole;
  facilityId: string | null;
  municipalityCode: string;
  createdAt: Date;
}

/** One of: the staff of a facility, the admins of a municipality, or one account's assignment in one scope. */
export type RosterFilter = { facilityId: string } | { municipalAdminsOf: string } | { accountId: string; scope: string };

interface Row {
  account_id: string;
  role: StaffRole;
  facility_id: string | null;
  municipality_code: string;
  created_at: Date | string;
}

export async function roster(db: Knex, filter: RosterFilter): Promise<RosterEntry[]> {
  const query = db('staff_assignments');
  if ('facilityId' in filter) query.where({ facility_id: filter.facilityId });
  else if ('municipalAdminsOf' in filter) query.where({ role: 'municipal_admin', municipality_code: filter.municipalAdminsOf });
  else query.where({ account_id: filter.accountId, scope: filter.scope });
  const rows = (await query.select('account_id', 'role', 'facility_id', 'municipality_code', 'created_at')) as Row[];
  return rows.map((r) => ({ accountId: r.account_id, role: r.role, facilityId: r.facility_id, municipalityCode: r.municipality_code, createdAt: new Date(r.created_at) }));
}

/** The account ids of a municipality's admins, their rows locked until the transaction ends. */
export async function lockMunicipalAdmins(trx: Knex.Transaction, municipalityCode: string): Promise<string[]> {
  const admins = (await trx('staff_assignments').where({ role: 'municipal_admin', municipality_code: municipalityCode }).forUpdate().select('account_id')) as Array<{ account_id: string }>;
  return admins.map((a) => a.account_id);
}

/** Removes the account's assignment in the scope (`facility:<id>` or `municipality:<code>`); answers how many rows went (0 or 1). */
export async function removeAssignment(db: Knex, accountId: string, scope: string): Promise<number> {
  // Rows, not a count: PGlite's driver answers a delete with a result object rather than a number.
  const gone = (await db('staff_assignments').where({ account_id: accountId, scope }).delete().returning('account_id')) as unknown[];
  return gone.length;
}

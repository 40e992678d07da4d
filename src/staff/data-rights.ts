/**
 * Staff's part of a resident's data rights (docs/data-rights.md): the account's staff roles.
 * Deleting, they go with the account (by cascade).
 */
import { exportTime as iso, type DataRightsHooks } from '../core/data-rights.ts';

type Row = Record<string, any>;

export const staffDataRights: DataRightsHooks = {
  owner: 'staff',

  async exportFor(trx, subject) {
    const rows = (await trx('staff_assignments').where({ account_id: subject.accountId }).orderBy('created_at')) as Row[];
    return { account: { staff_roles: rows.map((s) => ({ scope: s.scope, role: s.role, facility_id: s.facility_id, municipality_code: s.municipality_code, since: iso(s.created_at) })) } };
  },
};

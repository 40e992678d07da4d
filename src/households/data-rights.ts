/**
 * Households' part of a resident's data rights (docs/data-rights.md): the household the account
 * represents and its members. Deleting, the household goes with the representative's person (by
 * cascade); only the name of whoever added a member to another household is emptied.
 */
import { emptyActorColumns, exportTime as iso, type DataRightsHooks } from '../core/data-rights.ts';

type Row = Record<string, any>;

export const householdsDataRights: DataRightsHooks = {
  owner: 'households',

  async exportFor(trx, subject) {
    if (!subject.householdId) return { account: { household: null } };
    const rows = (await trx('household_members').where({ household_id: subject.householdId }).orderBy('created_at').select('person_id', 'relation', 'created_at')) as Row[];
    // Pre-registrations without the sealed name and birthdate: the representative typed those and sees them in the app.
    const pre = (await trx('household_preregistrations').where({ household_id: subject.householdId }).orderBy('created_at').select('id', 'relation', 'status', 'created_at', 'expires_at', 'person_id')) as Row[];
    return {
      account: {
        household: {
          id: subject.householdId,
          representative: true,
          members: rows.map((m) => ({ person_id: m.person_id, relation: m.relation, added_at: iso(m.created_at) })),
          preregistrations: pre.map((p) => ({ id: p.id, relation: p.relation, status: p.status, created_at: iso(p.created_at), expires_at: iso(p.expires_at), person_id: p.person_id })),
        },
      },
    };
  },

  async forget(trx, subject) {
    await emptyActorColumns(trx, subject.accountId, [['household_members', 'added_by_account_id']]);
  },
};

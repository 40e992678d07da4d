/**
 * The audit log's part of a resident's data rights (docs/data-rights.md): the entries about the
 * account, its persons or its household, or done by it. The log is append-only and hash-chained, so
 * a deletion keeps them (ids only) and src/privacy appends its own entry.
 */
import { exportTime as iso, jsonColumn as json, personIdsOf, type DataRightsHooks } from '../core/data-rights.ts';
import { AUDIT_TABLE } from './audit-log.ts';

type Row = Record<string, any>;

export const auditDataRights: DataRightsHooks = {
  owner: 'audit',

  /** Who acted is `self` or `other`: another account's id (a staff member, an administrator) is not the resident's data. */
  async exportFor(trx, subject) {
    const ids = personIdsOf(subject);
    const rows = (await trx(AUDIT_TABLE)
      .where((q) => {
        q.where({ actor_account_id: subject.accountId });
        if (ids.length) q.orWhereIn('person_id', ids);
        if (subject.householdId) q.orWhere({ household_id: subject.householdId });
      })
      .orderBy('id')) as Row[];
    return {
      account: {
        audit: rows.map((r) => ({
          ...(r.seq !== undefined ? { seq: String(r.seq) } : {}),
          at: iso(r.created_at),
          action: r.action,
          actor: r.actor_account_id === subject.accountId ? 'self' : r.actor_account_id ? 'other' : null,
          person_id: r.person_id,
          household_id: r.household_id,
          facility_id: r.facility_id,
          registration_id: r.registration_id,
          details: json<Row>(r.details),
        })),
      },
    };
  },
};

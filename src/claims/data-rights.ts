/**
 * Claims' part of a resident's data rights (docs/data-rights.md): every release of facts about the
 * account or its persons — who got which facts, when, for what use. Deleting, the releases go, and
 * the name of whoever changed a relying party's claim policy is emptied.
 */
import type { Knex } from 'knex';
import { emptyActorColumns, exportTime as iso, jsonColumn as json, personIdsOf, type AccountSections, type DataRightsHooks, type DataSubject } from '../core/data-rights.ts';
import { clientNames } from '../oidc/data-rights.ts';

type Row = Record<string, any>;

async function releases(trx: Knex, subject: DataSubject): Promise<AccountSections['claim_releases']> {
  const ids = personIdsOf(subject);
  const rows = (await trx('claim_releases')
    .where((q) => {
      q.where({ account_id: subject.accountId });
      if (ids.length) q.orWhereIn('person_id', ids);
    })
    .orderBy('id')) as Row[];
  const names = await clientNames(trx, [...new Set(rows.map((r) => r.client_id as string))]);
  return rows.map((r) => ({
    person_id: r.person_id,
    client_id: r.client_id,
    client_name: names.get(r.client_id) ?? null,
    facility_id: r.facility_id,
    use: r.use,
    claims: json<string[]>(r.claims),
    at: iso(r.created_at),
  }));
}

export const claimsDataRights: DataRightsHooks = {
  owner: 'claims',

  async exportFor(trx, subject) {
    return { account: { claim_releases: await releases(trx, subject) } };
  },

  async forget(trx, subject) {
    const ids = personIdsOf(subject);
    await trx('claim_releases').where({ account_id: subject.accountId }).delete();
    if (ids.length) await trx('claim_releases').whereIn('person_id', ids).delete();
    await emptyActorColumns(trx, subject.accountId, [['client_claim_policies', 'updated_by_account_id']]);
  },
};

/**
 * Registrations' part of a resident's data rights (docs/data-rights.md): each person's facility
 * registrations with the consented facts and their history. Deleting, they go with the person (by
 * cascade); only the name of whoever registered or withdrew someone else's is emptied.
 */
import type { Knex } from 'knex';
import { countOf, emptyActorColumns, exportTime as iso, jsonColumn as json, personIdsOf, type DataRightsHooks, type PersonSections } from '../core/data-rights.ts';
import { facilityNames, type FacilityNames } from '../facilities/data-rights.ts';

type Row = Record<string, any>;

async function registrationsOf(trx: Knex, personId: string, facilities: FacilityNames): Promise<PersonSections['registrations']> {
  const registrations = (await trx('registrations').where({ person_id: personId }).orderBy('created_at')) as Row[];
  const events = registrations.length ? ((await trx('registration_events').whereIn('registration_id', registrations.map((r) => r.id)).orderBy('id')) as Row[]) : [];
  return registrations.map((r) => ({
    id: r.id,
    facility_id: r.facility_id,
    facility_name: facilities.get(r.facility_id) ?? null,
    status: r.status,
    consented_claims: json<string[]>(r.claims),
    created_at: iso(r.created_at),
    withdrawn_at: iso(r.withdrawn_at),
    history: events.filter((e) => e.registration_id === r.id).map((e) => ({ event: e.event, claims: json<string[]>(e.claims), at: iso(e.created_at) })),
  }));
}

export const registrationsDataRights: DataRightsHooks = {
  owner: 'registrations',

  async exportFor(trx, subject) {
    const facilities = await facilityNames(trx);
    const persons: Record<string, Partial<PersonSections>> = {};
    for (const p of subject.persons) persons[p.id] = { registrations: await registrationsOf(trx, p.id, facilities) };
    return { persons };
  },

  async preview(db, subject) {
    const ids = personIdsOf(subject);
    return { activeRegistrations: ids.length ? await countOf(db('registrations').whereIn('person_id', ids).andWhere({ status: 'active' })) : 0 };
  },

  async forget(trx, subject) {
    await emptyActorColumns(trx, subject.accountId, [
      ['registrations', 'registered_by_account_id'],
      ['registrations', 'withdrawn_by_account_id'],
      ['registration_events', 'actor_account_id'],
    ]);
  },
};

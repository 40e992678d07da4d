/**
 * Check-ins' part of a resident's data rights (docs/data-rights.md): each person's check-ins (what
 * the facility was shown). Deleting, check-ins stay for the facility's counts — method, result,
 * direction, time — with nobody in them, nor the key of a card the person held (identity's card
 * links, which go with the person); the name of whoever started an emergency is emptied.
 */
import type { Knex } from 'knex';
import { countOf, emptyActorColumns, exportTime as iso, jsonColumn as json, personIdsOf, type DataRightsHooks, type PersonSections } from '../core/data-rights.ts';
import { facilityNames, type FacilityNames } from '../facilities/data-rights.ts';
import { cardKeysOf } from '../identity/proofing/card-links.ts';

type Row = Record<string, any>;

async function checkinsOf(trx: Knex, personId: string, facilities: FacilityNames): Promise<Pick<PersonSections, 'check_ins'>> {
  const checkins = (await trx('checkins').where({ person_id: personId }).orderBy('occurred_at')) as Row[];
  return {
    check_ins: checkins.map((c) => ({
      id: c.id,
      facility_id: c.facility_id,
      facility_name: facilities.get(c.facility_id) ?? null,
      method: c.method,
      result: c.result,
      ...(c.reason ? { reason: c.reason } : {}),
      direction: c.direction,
      shown_to_facility: c.shown ? json<Record<string, unknown>>(c.shown) : null,
      // What the facility's presentation-attack check kept about the face (its PAD policy).
      ...(c.pad_status ? { presentation_attack_check: { status: c.pad_status, score: c.pad_score === null ? null : Number(c.pad_score), method: c.pad_method, model: c.pad_model } } : {}),
      occurred_at: iso(c.occurred_at),
      recorded_at: iso(c.recorded_at),
    })),
  };
}

export const checkinsDataRights: DataRightsHooks = {
  owner: 'checkins',

  async exportFor(trx, subject) {
    const facilities = await facilityNames(trx);
    const persons: Record<string, Partial<PersonSections>> = {};
    for (const p of subject.persons) persons[p.id] = await checkinsOf(trx, p.id, facilities);
    return { persons };
  },

  async preview(db, subject) {
    const ids = personIdsOf(subject);
    return { checkins: ids.length ? await countOf(db('checkins').whereIn('person_id', ids)) : 0 };
  },

  async forget(trx, subject) {
    const ids = personIdsOf(subject);
    const cards = await cardKeysOf(trx, ids);
    const anonymised =
      ids.length || cards.length
        ? await trx('checkins')
            .where((q) => {
              if (ids.length) q.whereIn('person_id', ids);
              if (cards.length) q.orWhereIn('card_key', cards);
            })
            .update({ person_id: null, card_key: null, shown: null, details_sealed: null })
        : 0;
    await emptyActorColumns(trx, subject.accountId, [['municipal_emergencies', 'started_by_account_id']]);
    return { checkinsAnonymised: anonymised };
  },
};

/**
 * Face's part of a resident's data rights (docs/data-rights.md): whether each person is enrolled,
 * with which model, and in which galleries — metadata only: the template itself (a sealed
 * embedding) never leaves PASS. Deleting, templates and gallery places go with the person (by
 * cascade); the running galleries drop the person after the commit (src/privacy, event bus).
 */
import type { Knex } from 'knex';
import { countOf, exportTime as iso, personIdsOf, type DataRightsHooks, type PersonSections } from '../core/data-rights.ts';

type Row = Record<string, any>;

async function faceOf(trx: Knex, personId: string): Promise<PersonSections['face']> {
  const face = (await trx('face_templates').where({ person_id: personId }).first('model_id', 'key_id', 'created_at', 'updated_at')) as Row | undefined;
  const galleries = ((await trx('face_gallery_members').where({ person_id: personId }).orderBy('gallery_id').select('gallery_id', 'created_at')) as Row[]).map((g) => ({
    gallery: g.gallery_id,
    since: iso(g.created_at),
  }));
  return face ? { enrolled: true, model: face.model_id, enrolled_at: iso(face.created_at), updated_at: iso(face.updated_at), galleries } : { enrolled: false, galleries };
}

export const faceDataRights: DataRightsHooks = {
  owner: 'face',

  async exportFor(trx, subject) {
    const persons: Record<string, Partial<PersonSections>> = {};
    for (const p of subject.persons) persons[p.id] = { face: await faceOf(trx, p.id) };
    return { persons };
  },

  async preview(db, subject) {
    const ids = personIdsOf(subject);
    return { faceEnrollments: ids.length ? await countOf(db('face_templates').whereIn('person_id', ids)) : 0 };
  },
};

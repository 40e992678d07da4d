import type { Database } from '../../db/database.ts';
import { ensureSelfPerson, personExists } from '../../identity/persons.ts';

export interface TemplateRow {
  person_id: string;
  model_id: string;
  key_id: string;
  template: Uint8Array;
  created_at: Date;
  updated_at: Date;
}

export type TemplateMeta = Omit<TemplateRow, 'template'>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: string): boolean {
  return UUID.test(value);
}

/** Database access of the face factor: face_templates and face_gallery_members; persons through identity. */
export class FaceStore {
  readonly #db: Database;

  constructor(db: Database) {
    this.#db = db;
  }

  async personExists(personId: string): Promise<boolean> {
    return personExists(this.#db, personId);
  }

  /** The account's own person (relation 'self'), created on first use. */
  async selfPerson(accountId: string): Promise<string> {
    return ensureSelfPerson(this.#db, accountId);
  }

  async template(personId: string): Promise<TemplateRow | undefined> {
    return (await this.#db('face_templates').where({ person_id: personId }).first()) as TemplateRow | undefined;
  }

  async meta(personId: string): Promise<TemplateMeta | undefined> {
    return (await this.#db('face_templates')
      .where({ person_id: personId })
      .first('person_id', 'model_id', 'key_id', 'created_at', 'updated_at')) as TemplateMeta | undefined;
  }

  /** Inserts or replaces; returns whether a template existed before. */
  async put(personId: string, modelId: string, keyId: string, template: Uint8Array): Promise<{ replaced: boolean }> {
    return this.#db.transaction(async (trx) => {
      const existing = await trx('face_templates').where({ person_id: personId }).forUpdate().first('person_id');
      const values = { model_id: modelId, key_id: keyId, template: Buffer.from(template), updated_at: trx.fn.now() };
      if (existing) await trx('face_templates').where({ person_id: personId }).update(values);
      else await trx('face_templates').insert({ person_id: personId, ...values });
      return { replaced: Boolean(existing) };
    });
  }

  async reseal(personId: string, expectedKeyId: string, keyId: string, template: Uint8Array): Promise<boolean> {
    const n = await this.#db('face_templates').where({ person_id: personId, key_id: expectedKeyId }).update({ key_id: keyId, template: Buffer.from(template) });
    return n > 0;
  }

  /** Which of the persons have a face template. */
  async enrolledAmong(personIds: readonly string[]): Promise<Set<string>> {
    if (personIds.length === 0) return new Set();
    const rows = (await this.#db('face_templates').whereIn('person_id', personIds).select('person_id')) as Pick<TemplateRow, 'person_id'>[];
    return new Set(rows.map((r) => r.person_id));
  }

  async delete(personId: string): Promise<boolean> {
    return (await this.#db('face_templates').where({ person_id: personId }).delete()) > 0;
  }

  async galleriesOf(personId: string): Promise<string[]> {
    const rows = (await this.#db('face_gallery_members').where({ person_id: personId }).select('gallery_id')) as { gallery_id: string }[];
    return rows.map((r) => r.gallery_id);
  }

  async addMember(galleryId: string, personId: string): Promise<void> {
    await this.#db('face_gallery_members').insert({ gallery_id: galleryId, person_id: personId }).onConflict(['gallery_id', 'person_id']).ignore();
  }

  async removeMember(galleryId: string, personId: string): Promise<boolean> {
    return (await this.#db('face_gallery_members').where({ gallery_id: galleryId, person_id: personId }).delete()) > 0;
  }

  async members(galleryId: string): Promise<string[]> {
    const rows = (await this.#db('face_gallery_members').where({ gallery_id: galleryId }).orderBy('person_id').select('person_id')) as { person_id: string }[];
    return rows.map((r) => r.person_id);
  }

  /** Every membership: (gallery, person) pairs, for loading and reconciling the in-memory galleries. */
  async allMembers(): Promise<{ gallery_id: string; person_id: string }[]> {
    return (await this.#db('face_gallery_members').select('gallery_id', 'person_id')) as { gallery_id: string; person_id: string }[];
  }

  /** Every template of one recognizer: each enrolled person, in galleries or not. */
  async currentTemplates(modelId: string): Promise<TemplateRow[]> {
    return (await this.#db('face_templates').where({ model_id: modelId })) as TemplateRow[];
  }

  /** The templates of these persons (those who have one). */
  async templatesOf(personIds: readonly string[]): Promise<TemplateRow[]> {
    if (personIds.length === 0) return [];
    return (await this.#db('face_templates').whereIn('person_id', personIds)) as TemplateRow[];
  }

  /** person → updated_at (ms) of every template of the recognizer, for reconciliation. */
  async versions(modelId: string): Promise<Map<string, number>> {
    const rows = (await this.#db('face_templates').where({ model_id: modelId }).select('person_id', 'updated_at')) as Pick<TemplateRow, 'person_id' | 'updated_at'>[];
    return new Map(rows.map((r) => [r.person_id, new Date(r.updated_at).getTime()]));
  }

  async templatesNotUnder(keyId: string, limit: number): Promise<TemplateRow[]> {
    return (await this.#db('face_templates').whereNot({ key_id: keyId }).limit(limit)) as TemplateRow[];
  }
}

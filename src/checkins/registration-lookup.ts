/**
 * The kiosk's question to the registrations of issue #6: is this person registered (利用中) and
 * consenting at this facility, and which consent units may the facility see? And, for shelters in
 * an emergency: did the person consent to emergency use in this municipality?
 *
 * Assumptions (told to the lead): an active registration is a `registrations` row with status
 * 'active' whose `claims` lists consent units (`name`, `age`, `resident_of`, `age_over_N`…);
 * emergency consent is membership of the face gallery `municipality:<code>`, which issue #6 keeps
 * in step with that consent. Without the registrations table (an older schema) gallery
 * membership of `facility:<id>` stands for the registration, with `name` only.
 */
import type { Database } from '../db/database.ts';

export interface FacilityAccess {
  registered: boolean;
  /** Consent units the facility may show (empty when not registered). */
  units: string[];
}

export interface RegistrationLookup {
  facilityAccess(personId: string, facilityId: string): Promise<FacilityAccess>;
  emergencyConsent(personId: string, municipalityCode: string): Promise<boolean>;
}

export function facilityGallery(facilityId: string): string {
  return `facility:${facilityId}`;
}

export function municipalityGallery(code: string): string {
  return `municipality:${code}`;
}

function unitsOf(value: unknown): string[] {
  const parsed: unknown = typeof value === 'string' ? JSON.parse(value) : value;
  if (Array.isArray(parsed)) return parsed.filter((v): v is string => typeof v === 'string');
  if (parsed && typeof parsed === 'object') {
    // { units: [...] } or { name: true, age: true }
    const units = (parsed as { units?: unknown }).units;
    if (Array.isArray(units)) return units.filter((v): v is string => typeof v === 'string');
    return Object.entries(parsed).filter(([, v]) => v === true).map(([k]) => k);
  }
  return [];
}

async function isMember(db: Database, galleryId: string, personId: string): Promise<boolean> {
  return Boolean(await db('face_gallery_members').where({ gallery_id: galleryId, person_id: personId }).first('person_id'));
}

export class RegistrationsTableLookup implements RegistrationLookup {
  readonly #db: Database;

  constructor(db: Database) {
    this.#db = db;
  }

  async facilityAccess(personId: string, facilityId: string): Promise<FacilityAccess> {
    const row = (await this.#db('registrations').where({ person_id: personId, facility_id: facilityId, status: 'active' }).first('claims')) as
      | { claims: unknown }
      | undefined;
    return row ? { registered: true, units: unitsOf(row.claims) } : { registered: false, units: [] };
  }

  emergencyConsent(personId: string, municipalityCode: string): Promise<boolean> {
    return isMember(this.#db, municipalityGallery(municipalityCode), personId);
  }
}

export class GalleryMembershipLookup implements RegistrationLookup {
  readonly #db: Database;

  constructor(db: Database) {
    this.#db = db;
  }

  async facilityAccess(personId: string, facilityId: string): Promise<FacilityAccess> {
    return (await isMember(this.#db, facilityGallery(facilityId), personId)) ? { registered: true, units: ['name'] } : { registered: false, units: [] };
  }

  emergencyConsent(personId: string, municipalityCode: string): Promise<boolean> {
    return isMember(this.#db, municipalityGallery(municipalityCode), personId);
  }
}

export async function createRegistrationLookup(db: Database): Promise<RegistrationLookup> {
  return (await db.schema.hasTable('registrations')) ? new RegistrationsTableLookup(db) : new GalleryMembershipLookup(db);
}

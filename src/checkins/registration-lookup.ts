/**
 * The kiosk's question to the registrations of issue #6: is this person registered (利用中) and
 * consenting at this facility, and which consent units may the facility see? And, for shelters in
 * an emergency: did the person consent to emergency use in this municipality?
 *
 * An active registration's consented units come from src/registrations; emergency consent is
 * membership of the face gallery `municipality:<code>` (src/face), which the registration
 * capability keeps in step with that consent.
 */
import type { Database } from '../db/database.ts';
import { FaceStore } from '../face/service/template-store.ts';
import { activeRegistrationClaims } from '../registrations/active-claims.ts';

export interface FacilityAccess {
  registered: boolean;
  /** Consent units the facility may show (empty when not registered). */
  units: string[];
}

export interface RegistrationLookup {
  facilityAccess(personId: string, facilityId: string): Promise<FacilityAccess>;
  emergencyConsent(personId: string, municipalityCode: string): Promise<boolean>;
}

/** The gallery of a facility's registered persons, kept by src/registrations. */
export { facilityGallery } from '../registrations/effects.ts';

export function municipalityGallery(code: string): string {
  return `municipality:${code}`;
}

export class RegistrationsTableLookup implements RegistrationLookup {
  readonly #db: Database;
  readonly #faces: FaceStore;

  constructor(db: Database) {
    this.#db = db;
    this.#faces = new FaceStore(db);
  }

  async facilityAccess(personId: string, facilityId: string): Promise<FacilityAccess> {
    const units = await activeRegistrationClaims(this.#db, personId, facilityId);
    return units ? { registered: true, units } : { registered: false, units: [] };
  }

  async emergencyConsent(personId: string, municipalityCode: string): Promise<boolean> {
    return (await this.#faces.galleriesOf(personId)).includes(municipalityGallery(municipalityCode));
  }
}

export function createRegistrationLookup(db: Database): RegistrationLookup {
  return new RegistrationsTableLookup(db);
}

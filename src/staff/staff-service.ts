/**
 * Facility staff assignments (minimal; PASS Manager, issue #9, extends them): an account holds a
 * role for one facility (facility_staff, facility_admin) or for a whole municipality
 * (municipal_admin). Kiosk approval needs any of them for the facility; revoking a kiosk and
 * emergency mode need an admin role.
 */
import { z } from 'zod';
import type { Database } from '../db/database.ts';
import { InvalidInputError, NotFoundError } from '../core/errors.ts';

export const STAFF_ROLES = ['facility_staff', 'facility_admin', 'municipal_admin'] as const;
export type StaffRole = (typeof STAFF_ROLES)[number];

export interface StaffAssignment {
  accountId: string;
  role: StaffRole;
  /** Set for facility roles; undefined for a municipal admin. */
  facilityId: string | undefined;
  municipalityCode: string;
}

export interface StaffFacility {
  id: string;
  municipalityCode: string;
  kind: string;
  nameJa: string;
  nameEn: string;
}

const assignInput = z.object({
  accountId: z.uuid(),
  role: z.enum(STAFF_ROLES),
  facilityId: z.string().regex(/^[a-z0-9-]{3,64}$/).optional(),
  municipalityCode: z.string().regex(/^\d{6}$/).optional(),
});

interface AssignmentRow {
  account_id: string;
  role: StaffRole;
  facility_id: string | null;
  municipality_code: string;
}

interface FacilityRow {
  id: string;
  municipality_code: string;
  kind: string;
  name_ja: string;
  name_en: string;
}

function toFacility(r: FacilityRow): StaffFacility {
  return { id: r.id, municipalityCode: r.municipality_code, kind: r.kind, nameJa: r.name_ja, nameEn: r.name_en };
}

export class StaffService {
  readonly #db: Database;

  constructor(db: Database) {
    this.#db = db;
  }

  /** Adds or changes an assignment; a facility role names a facility, a municipal admin a municipality. */
  async assign(input: z.input<typeof assignInput>): Promise<StaffAssignment> {
    const parsed = assignInput.safeParse(input);
    if (!parsed.success) throw new InvalidInputError('invalid_request', parsed.error.issues.map((i) => i.message).join('; '));
    const { accountId, role, facilityId, municipalityCode } = parsed.data;
    let municipality = municipalityCode;
    if (role === 'municipal_admin') {
      if (!municipality) throw new InvalidInputError('invalid_request', 'a municipal admin needs a municipality code');
    } else {
      if (!facilityId) throw new InvalidInputError('invalid_request', 'a facility role needs a facility id');
      const facility = (await this.#db('facilities').where({ id: facilityId }).first('municipality_code')) as { municipality_code: string } | undefined;
      if (!facility) throw new NotFoundError('facility_not_found', 'no such facility');
      municipality = facility.municipality_code;
    }
    const scope = role === 'municipal_admin' ? `municipality:${municipality}` : `facility:${facilityId}`;
    await this.#db('staff_assignments')
      .insert({ account_id: accountId, scope, role, facility_id: role === 'municipal_admin' ? null : facilityId, municipality_code: municipality })
      .onConflict(['account_id', 'scope'])
      .merge(['role']);
    return { accountId, role, facilityId: role === 'municipal_admin' ? undefined : facilityId, municipalityCode: municipality! };
  }

  async assignments(accountId: string): Promise<StaffAssignment[]> {
    const rows = (await this.#db('staff_assignments').where({ account_id: accountId })) as AssignmentRow[];
    return rows.map((r) => ({ accountId: r.account_id, role: r.role, facilityId: r.facility_id ?? undefined, municipalityCode: r.municipality_code }));
  }

  /** Facilities where the account may approve a kiosk (any role there, or municipal admin of its city). */
  async facilitiesOf(accountId: string): Promise<StaffFacility[]> {
    const rows = (await this.#db('facilities as f')
      .whereExists((q) =>
        q
          .select(this.#db.raw('1'))
          .from('staff_assignments as s')
          .where('s.account_id', accountId)
          .andWhere((w) => w.whereRaw('s.facility_id = f.id').orWhere((m) => m.where('s.role', 'municipal_admin').whereRaw('s.municipality_code = f.municipality_code'))),
      )
      .orderBy('f.id')
      .select('f.*')) as FacilityRow[];
    return rows.map(toFacility);
  }

  /** Whether the account may administer the facility (revoke its kiosks): facility admin or municipal admin. */
  async canAdminister(accountId: string, facilityId: string): Promise<boolean> {
    const assignments = await this.assignments(accountId);
    const facility = await this.facility(facilityId);
    if (!facility) return false;
    return assignments.some(
      (a) => (a.role === 'facility_admin' && a.facilityId === facilityId) || (a.role === 'municipal_admin' && a.municipalityCode === facility.municipalityCode),
    );
  }

  async canSeeFacility(accountId: string, facilityId: string): Promise<boolean> {
    return (await this.facilitiesOf(accountId)).some((f) => f.id === facilityId);
  }

  async isMunicipalAdmin(accountId: string, municipalityCode: string): Promise<boolean> {
    return (await this.assignments(accountId)).some((a) => a.role === 'municipal_admin' && a.municipalityCode === municipalityCode);
  }

  async facility(facilityId: string): Promise<StaffFacility | undefined> {
    const row = (await this.#db('facilities').where({ id: facilityId }).first()) as FacilityRow | undefined;
    return row ? toFacility(row) : undefined;
  }
}

/**
 * Facility staff assignments (minimal; PASS Manager, issue #9, extends them): an account holds a
 * role for one facility (facility_staff, facility_admin) or for a whole municipality
 * (municipal_admin). Kiosk approval needs any of them for the facility; revoking a kiosk and
 * emergency mode need an admin role.
 */
import { z } from 'zod';
import type { Database } from '../db/database.ts';
import { InvalidInputError, NotFoundError } from '../core/errors.ts';
import { facilitiesInScope, findFacility, type Facility } from '../facilities/facility-store.ts';

export const STAFF_ROLES = ['facility_staff', 'facility_admin', 'municipal_admin'] as const;
export type StaffRole = (typeof STAFF_ROLES)[number];

export interface StaffAssignment {
  accountId: string;
  role: StaffRole;
  /** Set for facility roles; undefined for a municipal admin. */
  facilityId: string | undefined;
  municipalityCode: string;
}

/** A facility as staff see it: the one facility shape of src/facilities. */
export type StaffFacility = Facility;

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
      const facility = await findFacility(this.#db, facilityId);
      if (!facility) throw new NotFoundError('facility_not_found', 'no such facility');
      municipality = facility.municipalityCode;
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
    return this.facilitiesOpenedBy(await this.assignments(accountId));
  }

  /** The facilities these assignments open, by id; for a caller that already holds them. */
  facilitiesOpenedBy(assignments: ReadonlyArray<Pick<StaffAssignment, 'role' | 'facilityId' | 'municipalityCode'>>): Promise<StaffFacility[]> {
    return facilitiesInScope(this.#db, {
      facilityIds: assignments.flatMap((a) => (a.facilityId ? [a.facilityId] : [])),
      municipalityCodes: assignments.filter((a) => a.role === 'municipal_admin').map((a) => a.municipalityCode),
    });
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

  facility(facilityId: string): Promise<StaffFacility | undefined> {
    return findFacility(this.#db, facilityId);
  }
}

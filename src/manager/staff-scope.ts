/**
 * Who may see what in PASS Manager, decided in one place. A staff principal is an account with
 * its assignments (src/staff) and the facilities they open: its own facility for facility staff
 * and facility admins, every facility of the municipality for a municipal admin. Every Manager
 * query takes its facility ids from here — never from the request alone.
 */
import { ForbiddenError } from '../core/errors.ts';
import type { AccountService } from '../identity/accounts.ts';
import type { StaffAssignment, StaffFacility, StaffRole, StaffService } from '../staff/staff-service.ts';

export interface ManagerFacility extends StaffFacility {
  /** Facility admin there, or municipal admin of its municipality. */
  administer: boolean;
}

export interface StaffPrincipal {
  accountId: string;
  email: string;
  roles: StaffRole[];
  assignments: Array<Pick<StaffAssignment, 'role' | 'facilityId' | 'municipalityCode'>>;
  facilities: ManagerFacility[];
}

export class StaffScope {
  readonly #staff: StaffService;
  readonly #accounts: AccountService;

  constructor(staff: StaffService, accounts: AccountService) {
    this.#staff = staff;
    this.#accounts = accounts;
  }

  /** The principal of an account, or undefined when it holds no staff assignment. */
  async principal(accountId: string): Promise<StaffPrincipal | undefined> {
    const [assignments, facilities, account] = await Promise.all([
      this.#staff.assignments(accountId),
      this.#staff.facilitiesOf(accountId),
      this.#accounts.findById(accountId),
    ]);
    if (!account || assignments.length === 0) return undefined;
    const administers = (f: StaffFacility) =>
      assignments.some((a) => (a.role === 'facility_admin' && a.facilityId === f.id) || (a.role === 'municipal_admin' && a.municipalityCode === f.municipalityCode));
    return {
      accountId,
      email: account.email,
      roles: [...new Set(assignments.map((a) => a.role))],
      assignments: assignments.map((a) => ({ role: a.role, facilityId: a.facilityId, municipalityCode: a.municipalityCode })),
      facilities: facilities.map((f) => ({ ...f, administer: administers(f) })),
    };
  }
}

/** The facility if the principal may see it; otherwise a 403 that says nothing about the facility. */
export function facilityOf(principal: StaffPrincipal, facilityId: string): ManagerFacility {
  const facility = principal.facilities.find((f) => f.id === facilityId);
  if (!facility) throw new ForbiddenError('facility_not_permitted', 'this facility is not one of yours');
  return facility;
}

/** The facilities a query covers: the one asked for (if permitted) or every facility of the principal. */
export function facilitiesFor(principal: StaffPrincipal, requested: string | undefined): ManagerFacility[] {
  return requested ? [facilityOf(principal, requested)] : principal.facilities;
}

export function mayAdminister(principal: StaffPrincipal, facilityId: string): boolean {
  return facilityOf(principal, facilityId).administer;
}

/**
 * Staff and roles in PASS Manager. A municipal admin assigns and removes every role in their
 * municipality; a facility admin assigns and removes staff and admins of their own facility only;
 * staff may see who works at their facility. Nobody removes the last municipal admin of a
 * municipality: the check and the removal happen under a lock on that municipality's admins, so
 * two admins removing each other at once cannot both succeed. Lists show e-mail addresses
 * (personal data), so every list read is audited, like every change.
 */
import { z } from 'zod';
import type { Database } from '../../db/database.ts';
import type { AccountService } from '../../identity/accounts.ts';
import type { StaffRole, StaffService } from '../../staff/staff-service.ts';
import { lockMunicipalAdmins, removeAssignment, roster, type RosterFilter } from '../../staff/staff-roster.ts';
import { accountEmails } from '../../identity/account-emails.ts';
import { findMunicipality } from '../../facilities/municipalities.ts';
import { appendAudit } from '../../audit/audit-log.ts';
import { facilityOf, type StaffPrincipal } from '../staff-scope.ts';
import { administered, isMunicipalAdmin } from './facility-policies.ts';
import { ManagerRefusal } from './refusals.ts';

export const assignInput = z
  .object({
    email: z.email().max(254),
    role: z.enum(['facility_staff', 'facility_admin']),
  })
  .strict();

export const adminInput = z.object({ email: z.email().max(254) }).strict();

export interface StaffMember {
  accountId: string;
  email: string;
  role: StaffRole;
  facilityId: string | null;
  municipalityCode: string;
  since: string;
}

export class StaffRoles {
  readonly #db: Database;
  readonly #staff: StaffService;
  readonly #accounts: AccountService;

  constructor(db: Database, staff: StaffService, accounts: AccountService) {
    this.#db = db;
    this.#staff = staff;
    this.#accounts = accounts;
  }

  /** The assignments with their accounts' e-mail addresses: highest role first, then by address as PostgreSQL sorts them. */
  async #members(filter: RosterFilter): Promise<StaffMember[]> {
    const entries = await roster(this.#db, filter);
    const emails = await accountEmails(this.#db, entries.map((e) => e.accountId));
    const byEmail = new Map([...emails.keys()].map((accountId, i) => [accountId, i]));
    return entries
      .filter((e) => emails.has(e.accountId))
      .sort((a, b) => (a.role === b.role ? byEmail.get(a.accountId)! - byEmail.get(b.accountId)! : a.role < b.role ? 1 : -1))
      .map((e) => ({ accountId: e.accountId, email: emails.get(e.accountId)!, role: e.role, facilityId: e.facilityId, municipalityCode: e.municipalityCode, since: e.createdAt.toISOString() }));
  }

  async ofFacility(principal: StaffPrincipal, facilityId: string): Promise<StaffMember[]> {
    facilityOf(principal, facilityId);
    const members = await this.#members({ facilityId });
    await appendAudit(this.#db, { actorAccountId: principal.accountId, action: 'manager.staff_read', facilityId, details: { count: members.length } });
    return members;
  }

  async admins(principal: StaffPrincipal, municipalityCode: string): Promise<{ municipality: { code: string; name: { ja: string; en: string } }; admins: StaffMember[] }> {
    if (!isMunicipalAdmin(principal, municipalityCode)) throw new ManagerRefusal('municipal_admin_required');
    const city = await findMunicipality(this.#db, municipalityCode);
    const admins = await this.#members({ municipalAdminsOf: municipalityCode });
    await appendAudit(this.#db, { actorAccountId: principal.accountId, action: 'manager.staff_read', details: { municipalityCode, count: admins.length } });
    return { municipality: { code: municipalityCode, name: { ja: city?.nameJa ?? municipalityCode, en: city?.nameEn ?? municipalityCode } }, admins };
  }

  async #account(email: string): Promise<string> {
    const account = await this.#accounts.findByEmail(email.trim().toLowerCase());
    if (!account) throw new ManagerRefusal('account_not_found');
    return account.id;
  }

  async assign(principal: StaffPrincipal, facilityId: string, input: z.output<typeof assignInput>): Promise<StaffMember> {
    administered(principal, facilityId);
    const accountId = await this.#account(input.email);
    const assigned = await this.#staff.assign({ accountId, role: input.role, facilityId });
    await appendAudit(this.#db, { actorAccountId: principal.accountId, action: 'manager.staff_assigned', facilityId, details: { accountId, role: input.role } });
    return (await this.#one(accountId, `facility:${facilityId}`)) ?? { accountId, email: input.email, role: assigned.role, facilityId, municipalityCode: assigned.municipalityCode, since: new Date().toISOString() };
  }

  async assignAdmin(principal: StaffPrincipal, municipalityCode: string, input: z.output<typeof adminInput>): Promise<StaffMember> {
    if (!isMunicipalAdmin(principal, municipalityCode)) throw new ManagerRefusal('municipal_admin_required');
    const accountId = await this.#account(input.email);
    await this.#staff.assign({ accountId, role: 'municipal_admin', municipalityCode });
    await appendAudit(this.#db, { actorAccountId: principal.accountId, action: 'manager.staff_assigned', details: { accountId, role: 'municipal_admin', municipalityCode } });
    return (await this.#one(accountId, `municipality:${municipalityCode}`))!;
  }

  async #one(accountId: string, scope: string): Promise<StaffMember | undefined> {
    return (await this.#members({ accountId, scope }))[0];
  }

  async remove(principal: StaffPrincipal, facilityId: string, accountId: string): Promise<void> {
    administered(principal, facilityId);
    const deleted = await this.#db.transaction(async (trx) => {
      const gone = await removeAssignment(trx, accountId, `facility:${facilityId}`);
      if (gone > 0) await appendAudit(trx, { actorAccountId: principal.accountId, action: 'manager.staff_removed', facilityId, details: { accountId } });
      return gone;
    });
    if (deleted === 0) throw new ManagerRefusal('assignment_not_found');
  }

  async removeAdmin(principal: StaffPrincipal, municipalityCode: string, accountId: string): Promise<void> {
    if (!isMunicipalAdmin(principal, municipalityCode)) throw new ManagerRefusal('municipal_admin_required');
    await this.#db.transaction(async (trx) => {
      const admins = await lockMunicipalAdmins(trx, municipalityCode);
      if (!admins.includes(accountId)) throw new ManagerRefusal('assignment_not_found');
      if (admins.length <= 1) throw new ManagerRefusal('last_municipal_admin');
      await removeAssignment(trx, accountId, `municipality:${municipalityCode}`);
      await appendAudit(trx, { actorAccountId: principal.accountId, action: 'manager.staff_removed', details: { accountId, role: 'municipal_admin', municipalityCode } });
    });
  }
}

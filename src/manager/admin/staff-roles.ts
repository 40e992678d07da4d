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
import { audit } from '../../households/audit.ts';
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

interface Row {
  account_id: string;
  email: string;
  role: StaffRole;
  facility_id: string | null;
  municipality_code: string;
  created_at: Date | string;
}

function member(r: Row): StaffMember {
  return { accountId: r.account_id, email: r.email, role: r.role, facilityId: r.facility_id, municipalityCode: r.municipality_code, since: new Date(r.created_at).toISOString() };
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

  #rows() {
    return this.#db('staff_assignments as s')
      .join('accounts as a', 'a.id', 's.account_id')
      .select('s.account_id', 'a.email', 's.role', 's.facility_id', 's.municipality_code', 's.created_at')
      .orderBy([{ column: 's.role', order: 'desc' }, { column: 'a.email' }]);
  }

  async ofFacility(principal: StaffPrincipal, facilityId: string): Promise<StaffMember[]> {
    facilityOf(principal, facilityId);
    const rows = (await this.#rows().where('s.facility_id', facilityId)) as Row[];
    await audit(this.#db, { actorAccountId: principal.accountId, action: 'manager.staff_read', facilityId, details: { count: rows.length } });
    return rows.map(member);
  }

  async admins(principal: StaffPrincipal, municipalityCode: string): Promise<{ municipality: { code: string; name: { ja: string; en: string } }; admins: StaffMember[] }> {
    if (!isMunicipalAdmin(principal, municipalityCode)) throw new ManagerRefusal('municipal_admin_required');
    const city = (await this.#db('municipalities').where({ code: municipalityCode }).first('name_ja', 'name_en')) as { name_ja: string; name_en: string } | undefined;
    const rows = (await this.#rows().where({ 's.role': 'municipal_admin', 's.municipality_code': municipalityCode })) as Row[];
    await audit(this.#db, { actorAccountId: principal.accountId, action: 'manager.staff_read', details: { municipalityCode, count: rows.length } });
    return { municipality: { code: municipalityCode, name: { ja: city?.name_ja ?? municipalityCode, en: city?.name_en ?? municipalityCode } }, admins: rows.map(member) };
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
    await audit(this.#db, { actorAccountId: principal.accountId, action: 'manager.staff_assigned', facilityId, details: { accountId, role: input.role } });
    return (await this.#one(accountId, `facility:${facilityId}`)) ?? { accountId, email: input.email, role: assigned.role, facilityId, municipalityCode: assigned.municipalityCode, since: new Date().toISOString() };
  }

  async assignAdmin(principal: StaffPrincipal, municipalityCode: string, input: z.output<typeof adminInput>): Promise<StaffMember> {
    if (!isMunicipalAdmin(principal, municipalityCode)) throw new ManagerRefusal('municipal_admin_required');
    const accountId = await this.#account(input.email);
    await this.#staff.assign({ accountId, role: 'municipal_admin', municipalityCode });
    await audit(this.#db, { actorAccountId: principal.accountId, action: 'manager.staff_assigned', details: { accountId, role: 'municipal_admin', municipalityCode } });
    return (await this.#one(accountId, `municipality:${municipalityCode}`))!;
  }

  async #one(accountId: string, scope: string): Promise<StaffMember | undefined> {
    const row = (await this.#rows().where({ 's.account_id': accountId, 's.scope': scope }).first()) as Row | undefined;
    return row ? member(row) : undefined;
  }

  async remove(principal: StaffPrincipal, facilityId: string, accountId: string): Promise<void> {
    administered(principal, facilityId);
    const deleted = await this.#db.transaction(async (trx) => {
      // Rows, not a count: PGlite's driver answers a delete with a result object rather than a number.
      const gone = (await trx('staff_assignments').where({ account_id: accountId, scope: `facility:${facilityId}` }).delete().returning('account_id')) as unknown[];
      if (gone.length > 0) await audit(trx, { actorAccountId: principal.accountId, action: 'manager.staff_removed', facilityId, details: { accountId } });
      return gone.length;
    });
    if (deleted === 0) throw new ManagerRefusal('assignment_not_found');
  }

  async removeAdmin(principal: StaffPrincipal, municipalityCode: string, accountId: string): Promise<void> {
    if (!isMunicipalAdmin(principal, municipalityCode)) throw new ManagerRefusal('municipal_admin_required');
    await this.#db.transaction(async (trx) => {
      const admins = (await trx('staff_assignments')
        .where({ role: 'municipal_admin', municipality_code: municipalityCode })
        .forUpdate()
        .select('account_id')) as Array<{ account_id: string }>;
      if (!admins.some((a) => a.account_id === accountId)) throw new ManagerRefusal('assignment_not_found');
      if (admins.length <= 1) throw new ManagerRefusal('last_municipal_admin');
      await trx('staff_assignments').where({ account_id: accountId, scope: `municipality:${municipalityCode}` }).delete();
      await audit(trx, { actorAccountId: principal.accountId, action: 'manager.staff_removed', details: { accountId, role: 'municipal_admin', municipalityCode } });
    });
  }
}

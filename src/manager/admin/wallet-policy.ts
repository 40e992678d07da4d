/**
 * A facility's policy for wallet presentations at its kiosks in PASS Manager's management API
 * (src/facilities/wallet-status-policy.ts): how old a status list a kiosk holds may be. Staff of the
 * facility read it; a facility admin (or the municipal admin) changes it, in one transaction with
 * its audit entry, since it bounds how long a revoked credential can still check someone in at a
 * kiosk cut off from PASS.
 */
import { z } from 'zod';
import type { Database } from '../../db/database.ts';
import { STATUS_LIST_MAX_AGE_RANGE } from '../../facilities/wallet-status-policy.ts';
import type { FacilityService } from '../../facilities/facility-service.ts';
import { appendAudit } from '../../audit/audit-log.ts';
import { facilityOf, type StaffPrincipal } from '../staff-scope.ts';
import { administered } from './facility-policies.ts';

export const walletPolicyInput = z
  .object({ statusListMaxAgeSeconds: z.number().int().min(STATUS_LIST_MAX_AGE_RANGE.min).max(STATUS_LIST_MAX_AGE_RANGE.max) })
  .strict();

export interface WalletPolicySetting {
  facilityId: string;
  statusListMaxAgeSeconds: number;
}

export class WalletPolicyAdmin {
  readonly #db: Database;
  readonly #facilities: FacilityService;

  constructor(db: Database, facilities: FacilityService) {
    this.#db = db;
    this.#facilities = facilities;
  }

  async get(principal: StaffPrincipal, facilityId: string): Promise<WalletPolicySetting> {
    const facility = facilityOf(principal, facilityId);
    return { facilityId: facility.id, statusListMaxAgeSeconds: await this.#facilities.statusListMaxAge(facility.id) };
  }

  async set(principal: StaffPrincipal, facilityId: string, seconds: number): Promise<WalletPolicySetting> {
    const facility = administered(principal, facilityId);
    const before = await this.#facilities.statusListMaxAge(facility.id);
    await this.#db.transaction(async (trx) => {
      await this.#facilities.setStatusListMaxAge(facility.id, seconds, trx);
      await appendAudit(trx, { actorAccountId: principal.accountId, action: 'manager.wallet_policy_changed', facilityId: facility.id, details: { from: before, to: seconds } });
    });
    return { facilityId: facility.id, statusListMaxAgeSeconds: await this.#facilities.statusListMaxAge(facility.id) };
  }
}

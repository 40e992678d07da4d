/**
 * A facility's presentation-attack detection policy in PASS Manager's management API
 * (src/facilities/pad-policy.ts): staff of the facility read it; a facility admin (or the
 * municipal admin) changes it, in one transaction with its audit entry, since it decides whether a
 * photo held up to a kiosk can check someone in.
 */
import { z } from 'zod';
import type { Database } from '../../db/database.ts';
import { PAD_POLICIES, type PadPolicy } from '../../facilities/pad-policy.ts';
import type { FacilityService } from '../../facilities/facility-service.ts';
import { appendAudit } from '../../audit/audit-log.ts';
import { facilityOf, type StaffPrincipal } from '../staff-scope.ts';
import { administered } from './facility-policies.ts';

export const padPolicyInput = z.object({ policy: z.enum(PAD_POLICIES) }).strict();

export interface PadPolicySetting {
  facilityId: string;
  policy: PadPolicy;
}

export class PadPolicyAdmin {
  readonly #db: Database;
  readonly #facilities: FacilityService;

  constructor(db: Database, facilities: FacilityService) {
    this.#db = db;
    this.#facilities = facilities;
  }

  async get(principal: StaffPrincipal, facilityId: string): Promise<PadPolicySetting> {
    const facility = facilityOf(principal, facilityId);
    return { facilityId: facility.id, policy: await this.#facilities.padPolicy(facility.id) };
  }

  async set(principal: StaffPrincipal, facilityId: string, policy: PadPolicy): Promise<PadPolicySetting> {
    const facility = administered(principal, facilityId);
    const before = await this.#facilities.padPolicy(facility.id);
    await this.#db.transaction(async (trx) => {
      await this.#facilities.setPadPolicy(facility.id, policy, trx);
      await appendAudit(trx, { actorAccountId: principal.accountId, action: 'manager.pad_policy_changed', facilityId: facility.id, details: { from: before, to: policy } });
    });
    return { facilityId: facility.id, policy: await this.#facilities.padPolicy(facility.id) };
  }
}

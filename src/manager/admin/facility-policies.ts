/**
 * Facilities and their claim policies in PASS Manager. Everyone sees the facilities of their
 * scope; a facility admin (or the municipal admin) changes what the facility may ask for, why and
 * for how long; only a municipal admin changes how subjects are shared (sector, public subjects),
 * since that decides whether the facility's data can be joined with others'. A policy never
 * shrinks below what the facility's relying parties are set to receive.
 */
import { z } from 'zod';
import type { Database } from '../../db/database.ts';
import { CLAIM_UNITS, UNIT_LABELS } from '../../claims/catalog.ts';
import { claimPolicySchema, defaultSector, type ClaimPolicy } from '../../facilities/claim-policy.ts';
import type { FacilityService } from '../../facilities/facility-service.ts';
import { appendAudit } from '../../audit/audit-log.ts';
import { facilityOf, type ManagerFacility, type StaffPrincipal } from '../staff-scope.ts';
import { ManagerRefusal } from './refusals.ts';
import { clientUnitsOfFacility } from './client-claims.ts';

export interface FacilitySummary {
  id: string;
  municipalityCode: string;
  kind: string;
  name: { ja: string; en: string };
  administer: boolean;
  policy: ClaimPolicy | undefined;
}

export const policyInput = z
  .object({
    required: z.array(z.string().max(40)).max(20),
    optional: z.array(z.string().max(40)).max(20).default([]),
    purposeJa: z.string().trim().min(1).max(500),
    purposeEn: z.string().trim().min(1).max(500),
    retentionDays: z.coerce.number().int().min(1).max(36500),
    sector: z.string().regex(/^[A-Za-z0-9._:-]{1,200}$/).optional(),
    subjectType: z.enum(['pairwise', 'public']).optional(),
  })
  .strict();

export type PolicyInput = z.output<typeof policyInput>;

/** Catalog units with their labels, for the policy editor. */
export function catalogUnits(): Array<{ unit: string; label: { ja: string; en: string } }> {
  return CLAIM_UNITS.map((unit) => ({ unit, label: UNIT_LABELS[unit] ?? { ja: unit, en: unit } }));
}

export function isMunicipalAdmin(principal: StaffPrincipal, municipalityCode: string): boolean {
  return principal.assignments.some((a) => a.role === 'municipal_admin' && a.municipalityCode === municipalityCode);
}

/** The facility if the principal may administer it: facility admin there or municipal admin of its city. */
export function administered(principal: StaffPrincipal, facilityId: string): ManagerFacility {
  const facility = facilityOf(principal, facilityId);
  if (!facility.administer) throw new ManagerRefusal('admin_required');
  return facility;
}

export class FacilityPolicies {
  readonly #db: Database;
  readonly #facilities: FacilityService;

  constructor(db: Database, facilities: FacilityService) {
    this.#db = db;
    this.#facilities = facilities;
  }

  async list(principal: StaffPrincipal): Promise<FacilitySummary[]> {
    const out: FacilitySummary[] = [];
    for (const f of principal.facilities) out.push(await this.#summary(f));
    return out;
  }

  async get(principal: StaffPrincipal, facilityId: string): Promise<FacilitySummary> {
    return this.#summary(facilityOf(principal, facilityId));
  }

  async #summary(f: ManagerFacility): Promise<FacilitySummary> {
    return {
      id: f.id,
      municipalityCode: f.municipalityCode,
      kind: f.kind,
      name: { ja: f.nameJa, en: f.nameEn },
      administer: f.administer,
      policy: await this.#facilities.policies.find(f.id),
    };
  }

  /** Replaces the facility's policy after every check; the change and its author are audited. */
  async setPolicy(principal: StaffPrincipal, facilityId: string, input: PolicyInput): Promise<ClaimPolicy> {
    const facility = administered(principal, facilityId);
    const units = [...input.required, ...input.optional];
    const unknown = units.filter((u) => !CLAIM_UNITS.includes(u));
    if (unknown.length) throw new ManagerRefusal('claims_not_in_catalog', { claims: [...new Set(unknown)] });
    if (input.required.some((u) => input.optional.includes(u))) throw new ManagerRefusal('claim_twice', { claims: input.required.filter((u) => input.optional.includes(u)) });
    const current = await this.#facilities.policies.find(facilityId);
    const sector = input.sector ?? current?.sector ?? defaultSector(facilityId);
    const subjectType = input.subjectType ?? current?.subjectType ?? 'pairwise';
    const sharingChanged = sector !== (current?.sector ?? defaultSector(facilityId)) || subjectType !== (current?.subjectType ?? 'pairwise');
    if (sharingChanged && !isMunicipalAdmin(principal, facility.municipalityCode)) throw new ManagerRefusal('municipal_admin_required');
    const allowed = new Set(units);
    const exceeding = (await clientUnitsOfFacility(this.#db, facilityId)).filter((c) => c.units.some((u) => !allowed.has(u)));
    if (exceeding.length) {
      throw new ManagerRefusal('policy_in_use', {
        clients: exceeding.map((c) => c.clientId),
        claims: [...new Set(exceeding.flatMap((c) => c.units.filter((u) => !allowed.has(u))))],
      });
    }
    const policy = claimPolicySchema.parse({ ...input, required: [...new Set(input.required)], optional: [...new Set(input.optional)], sector, subjectType });
    return this.#db.transaction(async (trx) => {
      const saved = await this.#facilities.policies.put(facilityId, policy, trx);
      await appendAudit(trx, {
        actorAccountId: principal.accountId,
        action: 'manager.claim_policy_changed',
        facilityId,
        details: { required: saved.required, optional: saved.optional, retentionDays: saved.retentionDays, subjectType: saved.subjectType, sector: saved.sector },
      });
      return saved;
    });
  }
}

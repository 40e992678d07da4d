/**
 * A facility's claim policy: the claims it requires and those it may ask for, why (Japanese and
 * English), how long it keeps them, and its sector for pairwise subjects. From configuration
 * (config/municipalities.json, `claimPolicy`), stored in facility_claim_policies so admins can
 * manage them later; read through a short cache, since every token for a facility client needs it.
 */
import { z } from 'zod';
import type { Database } from '../db/database.ts';
import { CLAIM_UNITS } from '../claims/catalog.ts';

const unit = z.string().refine((v) => CLAIM_UNITS.includes(v), { message: 'not a claim of the PASS claims catalog' });

export const claimPolicySchema = z
  .object({
    required: z.array(unit).max(20),
    optional: z.array(unit).max(20).default([]),
    purposeJa: z.string().min(1).max(500),
    purposeEn: z.string().min(1).max(500),
    retentionDays: z.number().int().min(1).max(36500),
    /** Facilities of one sector share pairwise subjects; default: the facility alone. */
    sector: z.string().regex(/^[A-Za-z0-9._:-]{1,200}$/).optional(),
    /** `public` only where the municipality allows joining this facility's data with others'. */
    subjectType: z.enum(['pairwise', 'public']).default('pairwise'),
  })
  .refine((p) => p.required.every((c) => !p.optional.includes(c)), { message: 'a claim is either required or optional' });

export type ClaimPolicyInput = z.input<typeof claimPolicySchema>;

export interface ClaimPolicy {
  facilityId: string;
  required: string[];
  optional: string[];
  purpose: { ja: string; en: string };
  retentionDays: number;
  sector: string;
  subjectType: 'pairwise' | 'public';
}

interface PolicyRow {
  facility_id: string;
  required: string[] | string;
  optional: string[] | string;
  purpose_ja: string;
  purpose_en: string;
  retention_days: number;
  sector: string;
  subject_type: 'pairwise' | 'public';
}

const TTL_MS = 30_000;

function list(value: string[] | string): string[] {
  return typeof value === 'string' ? (JSON.parse(value) as string[]) : value;
}

function toPolicy(row: PolicyRow): ClaimPolicy {
  return {
    facilityId: row.facility_id,
    required: list(row.required),
    optional: list(row.optional),
    purpose: { ja: row.purpose_ja, en: row.purpose_en },
    retentionDays: row.retention_days,
    sector: row.sector,
    subjectType: row.subject_type,
  };
}

export function defaultSector(facilityId: string): string {
  return `facility:${facilityId}`;
}

export class ClaimPolicies {
  readonly #db: Database;
  readonly #cache = new Map<string, { value: ClaimPolicy | undefined; expires: number }>();

  constructor(db: Database) {
    this.#db = db;
  }

  async find(facilityId: string): Promise<ClaimPolicy | undefined> {
    const hit = this.#cache.get(facilityId);
    if (hit && hit.expires > Date.now()) return hit.value;
    const row = (await this.#db('facility_claim_policies').where({ facility_id: facilityId }).first()) as PolicyRow | undefined;
    const value = row ? toPolicy(row) : undefined;
    this.#cache.set(facilityId, { value, expires: Date.now() + TTL_MS });
    return value;
  }

  /** Inserts or replaces a facility's policy (configuration import, later the admin console). */
  async put(facilityId: string, input: ClaimPolicyInput, db: Database = this.#db): Promise<ClaimPolicy> {
    const p = claimPolicySchema.parse(input);
    const row = {
      facility_id: facilityId,
      required: JSON.stringify(p.required),
      optional: JSON.stringify(p.optional),
      purpose_ja: p.purposeJa,
      purpose_en: p.purposeEn,
      retention_days: p.retentionDays,
      sector: p.sector ?? defaultSector(facilityId),
      subject_type: p.subjectType,
      updated_at: new Date(),
    };
    await db('facility_claim_policies').insert(row).onConflict('facility_id').merge();
    this.#cache.delete(facilityId);
    return toPolicy({ ...row, required: p.required, optional: p.optional });
  }
}

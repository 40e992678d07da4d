/**
 * Audit entries for household and consent changes: who (account) did what, to which household,
 * person, facility or registration, and when. Details hold ids and claim names only, never facts.
 * Written in the same transaction as the change, so a change without its entry cannot exist.
 * Every entry goes through the hash chain of src/audit (append-only, verified by `audit verify`).
 */
import type { Knex } from 'knex';
import { appendAudit, type AuditEntry } from '../audit/audit-log.ts';

export type { AuditAction, AuditEntry } from '../audit/audit-log.ts';

export async function audit(db: Knex, entry: AuditEntry): Promise<void> {
  await appendAudit(db, entry);
}

export interface AuditRecord {
  at: Date;
  action: string;
  actorAccountId: string | null;
  personId: string | null;
  facilityId: string | null;
  registrationId: string | null;
  details: Record<string, unknown>;
}

export async function auditFor(db: Knex, where: { householdId?: string; personIds?: string[] }, limit = 100): Promise<AuditRecord[]> {
  const query = db('audit_log').orderBy('id', 'desc').limit(limit);
  query.where((q) => {
    if (where.householdId) q.orWhere('household_id', where.householdId);
    if (where.personIds?.length) q.orWhereIn('person_id', where.personIds);
    if (!where.householdId && !where.personIds?.length) q.whereRaw('false');
  });
  const rows = (await query) as Array<Record<string, any>>;
  return rows.map((r) => ({
    at: new Date(r.created_at),
    action: r.action,
    actorAccountId: r.actor_account_id,
    personId: r.person_id,
    facilityId: r.facility_id,
    registrationId: r.registration_id,
    details: typeof r.details === 'string' ? JSON.parse(r.details) : r.details,
  }));
}

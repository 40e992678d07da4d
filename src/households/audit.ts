/**
 * Audit entries for household and consent changes: who (account) did what, to which household,
 * person, facility or registration, and when. Details hold ids and claim names only, never facts.
 * Written in the same transaction as the change, so a change without its entry cannot exist.
 */
import type { Knex } from 'knex';

/** `<area>.<verb>`: each capability names its own actions (household.created, manager.checkins_read…). */
export type AuditAction = `${string}.${string}`;

export interface AuditEntry {
  actorAccountId: string | undefined;
  action: AuditAction;
  householdId?: string | undefined;
  personId?: string | undefined;
  facilityId?: string | undefined;
  registrationId?: string | undefined;
  details?: Record<string, unknown>;
}

export async function audit(db: Knex, entry: AuditEntry): Promise<void> {
  await db('audit_log').insert({
    actor_account_id: entry.actorAccountId ?? null,
    action: entry.action,
    household_id: entry.householdId ?? null,
    person_id: entry.personId ?? null,
    facility_id: entry.facilityId ?? null,
    registration_id: entry.registrationId ?? null,
    details: JSON.stringify(entry.details ?? {}),
  });
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

/**
 * Audit entries for household and consent changes: who (account) did what, to which household,
 * person, facility or registration, and when. Details hold ids and claim names only, never facts.
 * Written in the same transaction as the change, so a change without its entry cannot exist.
 * Every entry goes through the hash chain of src/audit (append-only, verified by `audit verify`).
 */
import type { Knex } from 'knex';
import { appendAudit, type AuditEntry } from '../audit/audit-log.ts';

export type { AuditAction, AuditEntry, AuditRecord } from '../audit/audit-log.ts';

export async function audit(db: Knex, entry: AuditEntry): Promise<void> {
  await appendAudit(db, entry);
}

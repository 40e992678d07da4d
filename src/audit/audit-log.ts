/**
 * The append-only, hash-chained audit log. Each entry carries the hash of the entry before it, so
 * a changed, removed or reordered entry breaks the chain at that point (verify.ts finds where).
 *
 * Appends serialise on the one row of audit_chain_head, locked FOR UPDATE in the caller's
 * transaction: across PASS nodes (the lock is PostgreSQL's), and until the caller commits, so an
 * entry of a change that rolls back leaves no gap. The database itself refuses UPDATE, DELETE and
 * TRUNCATE on audit_log (migrations/0011).
 *
 * Append last in a transaction, after its other writes: the head lock is held until commit, and a
 * transaction that took it before other row locks could deadlock with one taking them the other way.
 */
import type { Knex } from 'knex';
import { canonicalUuid, entryHash, jsonRoundTrip, type ChainedFields } from './canonical.ts';

export const AUDIT_TABLE = 'audit_log';
export const CHAIN_HEAD_TABLE = 'audit_chain_head';

/** `<area>.<verb>`: each capability names its own actions (household.created, manager.checkins_read…). */
export type AuditAction = `${string}.${string}`;

/**
 * Who did what to which household, person, facility or registration. Details hold ids, claim
 * names and counts, never personal facts: the audit outlives a deleted account (docs/security.md).
 */
export interface AuditEntry {
  actorAccountId: string | undefined;
  action: AuditAction;
  householdId?: string | undefined;
  personId?: string | undefined;
  facilityId?: string | undefined;
  registrationId?: string | undefined;
  details?: Record<string, unknown>;
}

export interface AppendedEntry {
  id: string;
  seq: string;
  hash: string;
}

/** Appends in the caller's transaction when given one, otherwise in a transaction of its own. */
export async function appendAudit(db: Knex, entry: AuditEntry): Promise<AppendedEntry> {
  return db.isTransaction ? appendIn(db as Knex.Transaction, entry) : db.transaction((trx) => appendIn(trx, entry));
}

async function appendIn(trx: Knex.Transaction, entry: AuditEntry): Promise<AppendedEntry> {
  const head = (await trx(CHAIN_HEAD_TABLE).where({ id: 1 }).forUpdate().first('seq', 'hash')) as { seq: string | number; hash: string } | undefined;
  if (!head) throw new Error('audit_chain_head is missing: run the migrations');
  const { rows } = (await trx.raw(`select nextval(pg_get_serial_sequence('${AUDIT_TABLE}', 'id')) as id`)) as { rows: Array<{ id: string | number }> };
  // Taken under the lock, so time never runs backwards along the chain on one node.
  const fields: ChainedFields = {
    prevHash: head.hash,
    id: String(rows[0]!.id),
    seq: (BigInt(head.seq) + 1n).toString(),
    at: new Date(),
    actorAccountId: canonicalUuid(entry.actorAccountId, 'actorAccountId'),
    action: entry.action,
    householdId: canonicalUuid(entry.householdId, 'householdId'),
    personId: canonicalUuid(entry.personId, 'personId'),
    facilityId: entry.facilityId ?? null,
    registrationId: canonicalUuid(entry.registrationId, 'registrationId'),
    details: jsonRoundTrip(entry.details),
  };
  const hash = entryHash(fields);
  await trx(AUDIT_TABLE).insert({ ...toRow(fields), hash });
  await trx(CHAIN_HEAD_TABLE).where({ id: 1 }).update({ seq: fields.seq, hash, updated_at: fields.at });
  return { id: fields.id, seq: fields.seq, hash };
}

function toRow(fields: ChainedFields): Record<string, unknown> {
  return {
    id: fields.id,
    seq: fields.seq,
    prev_hash: fields.prevHash,
    created_at: fields.at,
    actor_account_id: fields.actorAccountId,
    action: fields.action,
    household_id: fields.householdId,
    person_id: fields.personId,
    facility_id: fields.facilityId,
    registration_id: fields.registrationId,
    details: JSON.stringify(fields.details),
  };
}

/** An entry as a resident reads it in their audit trail. */
export interface AuditRecord {
  at: Date;
  action: string;
  actorAccountId: string | null;
  personId: string | null;
  facilityId: string | null;
  registrationId: string | null;
  details: Record<string, unknown>;
}

/** The newest entries about a household or any of the persons, newest first; none when neither is given. */
export async function auditEntriesAbout(db: Knex, about: { householdId?: string; personIds?: string[] }, limit = 100): Promise<AuditRecord[]> {
  const query = db(AUDIT_TABLE).orderBy('id', 'desc').limit(limit);
  query.where((q) => {
    if (about.householdId) q.orWhere('household_id', about.householdId);
    if (about.personIds?.length) q.orWhereIn('person_id', about.personIds);
    if (!about.householdId && !about.personIds?.length) q.whereRaw('false');
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

/** A stored row as the hash saw it (pg gives bigints as strings, PGlite as numbers). */
export function fieldsOfRow(row: Record<string, any>): ChainedFields {
  return {
    prevHash: String(row.prev_hash),
    id: String(row.id),
    seq: String(row.seq),
    at: row.created_at instanceof Date ? row.created_at : new Date(row.created_at),
    actorAccountId: row.actor_account_id ?? null,
    action: String(row.action),
    householdId: row.household_id ?? null,
    personId: row.person_id ?? null,
    facilityId: row.facility_id ?? null,
    registrationId: row.registration_id ?? null,
    details: typeof row.details === 'string' ? JSON.parse(row.details) : row.details,
  };
}

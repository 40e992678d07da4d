/**
 * The one byte-exact encoding of an audit entry that its hash covers. Appends (audit-log.ts), the
 * migration that chained the older rows (migrations/0011) and the verifier (verify.ts) must agree
 * forever, so the encoding is versioned: a change means a new version tag, never an edit.
 */
import { createHash } from 'node:crypto';
import { InvalidInputError } from '../core/errors.ts';

export const AUDIT_ENCODING = 'pass-audit-v1';

/** The prev_hash of the first entry: nothing came before it. */
export const GENESIS_HASH = '0'.repeat(64);

/** What the hash of one entry covers: its place in the chain, when, who, what, to whom. */
export interface ChainedFields {
  prevHash: string;
  id: string;
  seq: string;
  at: Date;
  actorAccountId: string | null;
  action: string;
  householdId: string | null;
  personId: string | null;
  facilityId: string | null;
  registrationId: string | null;
  details: unknown;
}

/**
 * JSON with object keys sorted and nothing but JSON values, so an object read back from jsonb
 * (which reorders keys) encodes to the same bytes as the one that was written.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') return JSON.stringify(Number.isFinite(value) ? value : null);
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  throw new InvalidInputError('invalid_audit_details', 'audit details must be plain JSON');
}

/** Details exactly as jsonb will give them back: what JSON cannot hold is gone before hashing. */
export function jsonRoundTrip(details: unknown): unknown {
  return JSON.parse(JSON.stringify(details ?? {}));
}

export function encodeEntry(fields: ChainedFields): string {
  return canonicalJson([
    AUDIT_ENCODING,
    fields.prevHash,
    fields.id,
    fields.seq,
    fields.at.toISOString(),
    fields.actorAccountId,
    fields.action,
    fields.householdId,
    fields.personId,
    fields.facilityId,
    fields.registrationId,
    fields.details,
  ]);
}

export function entryHash(fields: ChainedFields): string {
  return createHash('sha256').update(encodeEntry(fields), 'utf8').digest('hex');
}

/**
 * PostgreSQL stores a uuid in one form whatever form it was given in (braces, capitals, no
 * hyphens); the hash must cover that stored form, or the entry would not verify later.
 */
export function canonicalUuid(value: string | null | undefined, field: string): string | null {
  if (value === undefined || value === null) return null;
  const hex = value.replace(/^\{(.*)\}$/, '$1').replaceAll('-', '').toLowerCase();
  if (!/^[0-9a-f]{32}$/.test(hex)) throw new InvalidInputError('invalid_audit_entry', `${field} is not a uuid`);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

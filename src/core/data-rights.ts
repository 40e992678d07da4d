/**
 * A resident's data rights (docs/data-rights.md) cross every capability, but each table has one
 * owner: src/privacy orchestrates, and each owner answers for its own tables through these hooks.
 * The privacy helper fills in the details of DataSubject and the export parts.
 */
import type { Knex } from 'knex';

/** Whose data a request is about: the account and every person it holds. */
export interface DataSubject {
  accountId: string;
  email: string;
  phoneE164: string | null;
  persons: Array<{ id: string; relation: string; createdAt: Date }>;
  /** The household the account represents, if any. */
  householdId: string | undefined;
}

export interface DataRightsHooks {
  /** The owner's part of the resident's copy, read inside the export's snapshot transaction. */
  exportFor?(trx: Knex, subject: DataSubject): Promise<Record<string, unknown>>;
  /** Deletes or anonymises the owner's rows about the subject, inside the deletion's transaction. */
  forget?(trx: Knex, subject: DataSubject): Promise<void>;
}

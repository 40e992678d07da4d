/**
 * A resident's data rights (docs/data-rights.md) cross every capability, but each table has one
 * owner. src/privacy orchestrates: it finds the subject, opens the transaction, lays the export out
 * in its format's order, orders the deletion and writes its audit entry. Each owner answers for its
 * own tables through these hooks (src/<owner>/data-rights.ts).
 */
import type { Knex } from 'knex';

export interface SubjectPerson {
  id: string;
  relation: string;
  createdAt: Date;
}

/**
 * Whose data a request is about: the account and every person it holds — its own person (or
 * persons: two racing first uses may have made two) and, for a household representative, each
 * member, who has no account of their own (their person belongs to the representative's account).
 */
export interface DataSubject {
  accountId: string;
  email: string;
  phoneE164: string | null;
  persons: SubjectPerson[];
  /** The household the account represents, if any. */
  householdId: string | undefined;
}

export function personIdsOf(subject: DataSubject): string[] {
  return subject.persons.map((p) => p.id);
}

type ExportRecord = Record<string, unknown>;

/** Sections of the export (format `pass-data-export` v1) about the account as a whole. */
export interface AccountSections {
  account: ExportRecord;
  household: ExportRecord | null;
  claim_releases: ExportRecord[];
  grants: ExportRecord[];
  sign_in_history: ExportRecord[];
  staff_roles: ExportRecord[];
  /** Digital ID wallet credentials PASS issued to this account (about its persons), never their values. */
  wallet_credentials: ExportRecord[];
  audit: ExportRecord[];
}

/** Sections of the export about each person the account holds. */
export interface PersonSections {
  verified_identity: ExportRecord | null;
  identity_history: ExportRecord[];
  face: ExportRecord;
  my_number_card_link: ExportRecord;
  registrations: ExportRecord[];
  check_ins: ExportRecord[];
}

/** One owner's sections; src/privacy/export.ts places them in the format's order. */
export interface ExportPart {
  account?: Partial<AccountSections>;
  /** By person id. */
  persons?: Record<string, Partial<PersonSections>>;
}

/** What deleting the account would touch, shown to the resident before they confirm. */
export interface DeletionPreviewCounts {
  relyingParties: Array<{ clientId: string; name: string; backchannelLogout: boolean }>;
  activeRegistrations: number;
  faceEnrollments: number;
  checkins: number;
  /** Kiosks this (staff) account approved: their tokens are the approval's, so they must be provisioned again. */
  kiosksApproved: number;
}

/** What a forget changed that the deletion's answer reports. */
export interface ForgetReport {
  checkinsAnonymised: number;
}

export interface DataRightsHooks {
  /** The owning module, for error messages and logs. */
  owner: string;
  /**
   * Whether `forget` deletes the subject itself (the persons and the account) — what every other
   * owner's rows point at. Such hooks forget after all the others, so those rows can still be found.
   */
  removesSubject?: boolean;
  /** The owner's sections of the resident's copy, read inside the export's snapshot transaction. */
  exportFor?(trx: Knex, subject: DataSubject): Promise<ExportPart>;
  /** The owner's counts for the deletion preview. */
  preview?(db: Knex, subject: DataSubject): Promise<Partial<DeletionPreviewCounts>>;
  /** Deletes or anonymises the owner's rows about the subject, inside the deletion's transaction. */
  forget?(trx: Knex, subject: DataSubject): Promise<Partial<ForgetReport> | void>;
  /**
   * After the deletion committed: what lives outside the transaction (Redis, sealed records). Each
   * step is idempotent; a failure is logged, not fatal.
   */
  afterForget?(db: Knex, subject: DataSubject): Promise<void>;
}

/** A time as the export writes it. */
export const exportTime = (value: unknown): string | null => (value ? new Date(value as string).toISOString() : null);

/** A JSON column, whichever way the driver hands it over (PostgreSQL parses jsonb, PGlite may not). */
export const jsonColumn = <T>(value: unknown): T => (typeof value === 'string' ? (JSON.parse(value) as T) : (value as T));

/**
 * Empties "who did it" columns naming the account in rows that stay because they are someone
 * else's (a registration entered for another person, a kiosk revoked, a setting changed).
 */
export async function emptyActorColumns(trx: Knex, accountId: string, columns: ReadonlyArray<readonly [table: string, column: string]>): Promise<void> {
  for (const [table, column] of columns) await trx(table).where({ [column]: accountId }).update({ [column]: null });
}

/** How many rows the query finds (the preview's counts). */
export async function countOf(query: Knex.QueryBuilder): Promise<number> {
  const [row] = (await query.count({ n: '*' })) as Array<{ n: string | number }>;
  return Number(row?.n ?? 0);
}

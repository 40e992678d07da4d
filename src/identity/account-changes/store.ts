/**
 * The rows an account change writes (identity owns `accounts`): a new e-mail address or mobile
 * number, each confirmed by the code just checked, so its verified time is now.
 */
import type { Knex } from 'knex';

const UNIQUE_VIOLATION = '23505';

/** A unique index refused the value (another account took it between the check and the write). */
export function isUniqueViolation(error: unknown): boolean {
  return (error as { code?: unknown } | undefined)?.code === UNIQUE_VIOLATION;
}

export interface ContactRow {
  email: string;
  phoneE164: string | null;
  phoneVerified: boolean;
  passwordHash: string;
}

/** The account's contacts and password hash, read under the row lock of the caller's transaction. */
export async function contactsOf(db: Knex, accountId: string): Promise<ContactRow | undefined> {
  const row = (await db('accounts').where({ id: accountId }).first('email', 'phone_e164', 'phone_verified_at', 'password_hash')) as
    | { email: string; phone_e164: string | null; phone_verified_at: Date | null; password_hash: string }
    | undefined;
  return row ? { email: row.email, phoneE164: row.phone_e164, phoneVerified: row.phone_verified_at !== null, passwordHash: row.password_hash } : undefined;
}

export async function storeEmail(trx: Knex.Transaction, accountId: string, email: string, at: Date): Promise<void> {
  await trx('accounts').where({ id: accountId }).update({ email, email_verified_at: at, updated_at: at });
}

export async function storePhone(trx: Knex.Transaction, accountId: string, phoneE164: string, at: Date): Promise<void> {
  await trx('accounts').where({ id: accountId }).update({ phone_e164: phoneE164, phone_verified_at: at, updated_at: at });
}

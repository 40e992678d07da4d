/** Accounts' e-mail addresses, for staff views that say who did something. */
import type { Knex } from 'knex';

/**
 * Account id → e-mail address for the accounts that exist among these ids, in the database's
 * order of the addresses (so a caller can list people by e-mail as PostgreSQL sorts them).
 */
export async function accountEmails(db: Knex, ids: ReadonlyArray<string | null>): Promise<Map<string, string>> {
  const wanted = [...new Set(ids.filter((id): id is string => id !== null))];
  if (wanted.length === 0) return new Map();
  const rows = (await db('accounts').whereIn('id', wanted).orderBy('email').select('id', 'email')) as Array<{ id: string; email: string }>;
  return new Map(rows.map((r) => [r.id, r.email]));
}

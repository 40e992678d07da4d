/**
 * Persons: the human subjects PASS knows — an account's own person ('self') and the household
 * members the account manages ('child', 'parent'). Face templates, verified identity and facility
 * registrations hang off persons, not accounts. Other capabilities ask this module; they never
 * name `persons` themselves.
 */
import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import type { Database } from '../db/database.ts';
import { accountChanged } from './account-cache.ts';

export interface PersonRecord {
  id: string;
  /** The account the person belongs to: their own ('self') or their representative's. */
  accountId: string | null;
  /** self, child or parent. */
  relation: string;
}

/** The account's own person: the oldest with relation 'self' (two racing creations agree on it). */
export async function selfPersonOf(db: Knex, accountId: string): Promise<string | undefined> {
  const row = (await db('persons').where({ account_id: accountId, relation: 'self' }).orderBy('created_at').first('id')) as { id: string } | undefined;
  return row?.id;
}

/** The account's own person, created on first use. */
export async function ensureSelfPerson(db: Database, accountId: string): Promise<string> {
  const found = await selfPersonOf(db, accountId);
  if (found) return found;
  await createPerson(db, accountId, 'self');
  accountChanged(db, accountId);
  // Two requests racing both insert; both then use the oldest row, so they agree.
  return (await selfPersonOf(db, accountId))!;
}

export async function createPerson(db: Knex, accountId: string, relation: string): Promise<string> {
  const id = randomUUID();
  await db('persons').insert({ id, account_id: accountId, relation });
  return id;
}

export async function personExists(db: Knex, personId: string): Promise<boolean> {
  return Boolean(await db('persons').where({ id: personId }).first('id'));
}

export async function personRecord(db: Knex, personId: string): Promise<PersonRecord | undefined> {
  const row = (await db('persons').where({ id: personId }).first('id', 'account_id', 'relation')) as
    | { id: string; account_id: string | null; relation: string }
    | undefined;
  return row ? { id: row.id, accountId: row.account_id, relation: row.relation } : undefined;
}

/** Every person the account holds: its own and the household members it manages. */
export async function personsOfAccount(db: Knex, accountId: string): Promise<string[]> {
  const rows = (await db('persons').where({ account_id: accountId }).select('id')) as Array<{ id: string }>;
  return rows.map((r) => r.id);
}

/** The account whose own person this is; undefined for a household member without an account. */
export async function ownAccountOf(db: Knex, personId: string): Promise<string | undefined> {
  const row = (await db('persons').where({ id: personId, relation: 'self' }).first('account_id')) as { account_id: string | null } | undefined;
  return row?.account_id ?? undefined;
}

/** The person becomes the account's own (a household member who came of age and signed up). */
export async function makeSelfPersonOf(db: Knex, personId: string, accountId: string): Promise<void> {
  await db('persons').where({ id: personId }).update({ account_id: accountId, relation: 'self' });
}

/** Removes the person; their identity, face, registrations and memberships go with them (foreign keys cascade). */
export async function deletePerson(db: Knex, personId: string): Promise<void> {
  await db('persons').where({ id: personId }).delete();
}

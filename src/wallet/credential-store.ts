/**
 * The wallet's tables: status lists and the credentials issued (no claim values; see
 * migrations/0020_wallet.ts). Each credential takes a random unused index of a status list, so the
 * index says nothing about when or for whom it was issued.
 */
import { randomInt, randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import type { ConfigurationId } from './credential-types.ts';

const LISTS = 'wallet_status_lists';
const CREDENTIALS = 'wallet_credentials';

/**
 * Entries per status list: 2^17 bits is 16 KiB before compression, a few hundred bytes after,
 * and a crowd large enough that fetching the list tells PASS little about which credential a
 * verifier checks (Token Status List, "herd privacy").
 */
export const STATUS_LIST_SIZE = 131_072;
/** A list takes new credentials until half of it is used, so a random free index is found in a try or two. */

export type RevocationReason = 'card_revoked' | 'account_deleted' | 'person_removed' | 'moved_away' | 'facts_changed' | 'guardian_changed';

export interface NewCredential {
  personId: string;
  holderAccountId: string;
  configurationId: ConfigurationId;
  holderKeyThumbprint: string;
  signingKid: string;
  basisDigest: string;
  issuedAt: Date;
  expiresAt: Date;
}

export interface LiveCredential {
  id: string;
  personId: string | null;
  holderAccountId: string | null;
  configurationId: ConfigurationId;
  statusListId: string;
  basisDigest: string | null;
}

export interface RevokedCredential {
  id: string;
  personId: string | null;
  holderAccountId: string | null;
  configurationId: string;
  statusListId: string;
  statusIndex: number;
}

/** The list each database's new credentials go into, as this process last saw it: only a full list sends issuance back to the table. */
const openLists = new WeakMap<Knex, { id: string; size: number }>();

async function openList(db: Knex): Promise<{ id: string; size: number }> {
  const known = openLists.get(db);
  if (known) return known;
  const row = (await db(LISTS).whereRaw('used * 2 < size').orderBy('created_at', 'desc').first('id', 'size')) as { id: string; size: number } | undefined;
  const list = row ?? { id: randomUUID(), size: STATUS_LIST_SIZE };
  if (!row) await db(LISTS).insert({ id: list.id, size: list.size, used: 0 });
  openLists.set(db, list);
  return list;
}

/**
 * Takes a random free index and records the credential in one statement: the insert stands only if
 * the index is free (the table's unique key), and the list's count goes up with it. Nodes issuing at
 * once may both fill a list a little past half; each sees the count it made and moves on.
 */
export async function recordCredential(db: Knex, credential: NewCredential): Promise<{ id: string; statusListId: string; statusIndex: number }> {
  for (let attempt = 0; attempt < 16; attempt++) {
    const list = await openList(db);
    const index = randomInt(list.size);
    const id = randomUUID();
    const result = (await db.raw(
      `with made as (
         insert into ${CREDENTIALS} (id, person_id, holder_account_id, configuration_id, status_list_id, status_index, holder_key_thumbprint, signing_kid, basis_digest, issued_at, expires_at)
         values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         on conflict (status_list_id, status_index) do nothing
         returning status_list_id)
       update ${LISTS} set used = used + 1 where id = (select status_list_id from made) returning used, size`,
      [id, credential.personId, credential.holderAccountId, credential.configurationId, list.id, index, credential.holderKeyThumbprint, credential.signingKid, credential.basisDigest, credential.issuedAt, credential.expiresAt],
    )) as { rows?: Array<{ used: number; size: number }> };
    const counted = result.rows?.[0];
    if (!counted) continue; // the index was taken: another one
    if (counted.used * 2 >= counted.size) openLists.delete(db);
    return { id, statusListId: list.id, statusIndex: index };
  }
  // Only a list far past half full gets here (another node kept issuing into it): start afresh.
  openLists.delete(db);
  throw new Error('no free status-list index found in 16 tries');
}

export async function statusListExists(db: Knex, id: string): Promise<{ size: number } | undefined> {
  return (await db(LISTS).where({ id }).first('size')) as { size: number } | undefined;
}

/** The indices of a list whose credentials were revoked (their bits are set). */
export async function revokedIndices(db: Knex, listId: string): Promise<number[]> {
  const rows = (await db(CREDENTIALS).where({ status_list_id: listId }).whereNotNull('revoked_at').select('status_index')) as Array<{ status_index: number }>;
  return rows.map((r) => r.status_index);
}

/** Credentials not revoked and not expired (what the revocation review looks at). */
export async function liveCredentials(db: Knex, now: Date): Promise<LiveCredential[]> {
  const rows = (await db(CREDENTIALS)
    .whereNull('revoked_at')
    .andWhere('expires_at', '>', now)
    .select('id', 'person_id', 'holder_account_id', 'configuration_id', 'status_list_id', 'basis_digest')) as Array<Record<string, any>>;
  return rows.map((r) => ({
    id: r.id,
    personId: r.person_id,
    holderAccountId: r.holder_account_id,
    configurationId: r.configuration_id,
    statusListId: r.status_list_id,
    basisDigest: r.basis_digest,
  }));
}

/**
 * Revokes the live credentials `where` picks (set their bits), with one reason; returns them.
 * `anonymise` also empties who they were about and held by: the person or account is going.
 */
export async function revokeWhere(
  db: Knex,
  where: (query: Knex.QueryBuilder) => Knex.QueryBuilder,
  reason: RevocationReason,
  now: Date,
  anonymise = false,
): Promise<RevokedCredential[]> {
  const rows = (await where(db(CREDENTIALS).whereNull('revoked_at'))
    .update({ revoked_at: now, revocation_reason: reason, ...(anonymise ? { person_id: null, holder_account_id: null, holder_key_thumbprint: null, basis_digest: null } : {}) })
    .returning(['id', 'person_id', 'holder_account_id', 'configuration_id', 'status_list_id', 'status_index'])) as Array<Record<string, any>>;
  return rows.map((r) => ({
    id: r.id,
    personId: r.person_id,
    holderAccountId: r.holder_account_id,
    configurationId: r.configuration_id,
    statusListId: r.status_list_id,
    statusIndex: r.status_index,
  }));
}

/** Every status list (after revocations whose lists are not known any more, all are made afresh). */
export async function allStatusListIds(db: Knex): Promise<string[]> {
  return ((await db(LISTS).select('id')) as Array<{ id: string }>).map((r) => r.id);
}

/** Empties who a credential was about and held by (the person or account went); its bit stays as it is. */
export async function anonymiseWhere(db: Knex, where: (query: Knex.QueryBuilder) => Knex.QueryBuilder): Promise<number> {
  return where(db(CREDENTIALS)).update({ person_id: null, holder_account_id: null, holder_key_thumbprint: null, basis_digest: null });
}

/** The credentials issued to an account's wallet, for its data export: what, about whom, when; no value, key or status entry. */
export async function credentialsHeldBy(db: Knex, accountId: string): Promise<Array<Record<string, unknown>>> {
  const rows = (await db(CREDENTIALS)
    .where({ holder_account_id: accountId })
    .orderBy('issued_at', 'asc')
    .select('id', 'configuration_id', 'person_id', 'issued_at', 'expires_at', 'revoked_at', 'revocation_reason')) as Array<Record<string, any>>;
  return rows.map((r) => ({
    id: r.id,
    type: r.configuration_id,
    person_id: r.person_id,
    issued_at: new Date(r.issued_at).toISOString(),
    expires_at: new Date(r.expires_at).toISOString(),
    revoked_at: r.revoked_at ? new Date(r.revoked_at).toISOString() : null,
    revocation_reason: r.revocation_reason ?? null,
  }));
}

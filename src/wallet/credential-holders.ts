/**
 * Whose credential a status entry is: a verifier that PASS itself runs (the kiosk API, syncing a
 * check-in made by presentation) finds the person through the credential's status list entry,
 * since the credential carries no subject id (docs/wallet.md, "Issuer"). Read-only; the table is
 * the issuer's (credential-store.ts).
 */
import type { Knex } from 'knex';
import { STATUS_LIST_PATH } from './status-lists.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The list id of one of this issuer's status list URLs; undefined for any other URL. */
export function statusListIdOf(issuer: string, uri: string): string | undefined {
  const prefix = `${issuer}${STATUS_LIST_PATH}/`;
  if (!uri.startsWith(prefix)) return undefined;
  const id = uri.slice(prefix.length);
  return UUID.test(id) ? id : undefined;
}

export interface CredentialHolder {
  /** The person the credential is about; null once that person or their account was deleted. */
  personId: string | null;
  revoked: boolean;
}

/** The credential at (list, index) of this issuer, or undefined when PASS issued none there. */
export async function credentialHolder(db: Knex, issuer: string, uri: string, idx: number): Promise<CredentialHolder | undefined> {
  const listId = statusListIdOf(issuer, uri);
  if (!listId || !Number.isSafeInteger(idx) || idx < 0) return undefined;
  const row = (await db('wallet_credentials').where({ status_list_id: listId, status_index: idx }).first('person_id', 'revoked_at')) as
    | { person_id: string | null; revoked_at: Date | null }
    | undefined;
  return row ? { personId: row.person_id, revoked: row.revoked_at !== null } : undefined;
}

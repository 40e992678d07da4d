/**
 * Short-lived records keyed by account outside oidc-provider: the sealed sessions of PASS's own
 * relying parties (the PASS app, PASS Manager: tokens and the signed-in user, sealed in their own
 * tables), the JPKI flow's challenges and verifications awaiting confirmation (sealed basic four),
 * in the database or in Redis, and rate-limit counters keyed by the account id in Redis. They would
 * expire by themselves; deletion does not wait.
 */
import type { Redis } from 'ioredis';
import type { Database } from '../db/database.ts';
import type { SecretBox } from '../core/secret-box.ts';

/** Each first-party relying party's session table and the purpose its rows are sealed under (clients/app/session-store.ts). */
export const SEALED_SESSION_STORES = [
  { table: 'app_sessions', purpose: 'app-session' },
  { table: 'manager_sessions', purpose: 'manager-session' },
] as const;

const BATCH = 500;

/** Deletes the sessions whose signed-in user is the account (the first-party clients see the account id as `sub`). */
export async function forgetSealedSessions(db: Database, box: SecretBox, accountId: string): Promise<number> {
  let deleted = 0;
  for (const { table, purpose } of SEALED_SESSION_STORES) {
    if (!(await db.schema.hasTable(table))) continue;
    let after = '';
    for (;;) {
      const rows = (await db(table).where('id', '>', after).orderBy('id').limit(BATCH).select('id', 'data_sealed')) as Array<{ id: string; data_sealed: string }>;
      const doomed = rows.filter((row) => {
        try {
          const data = JSON.parse(box.openText(row.data_sealed, `${purpose}:${row.id}`)) as { user?: { sub?: string } };
          return data.user?.sub === accountId;
        } catch {
          return false; // sealed under a retired key or damaged: not this account's to judge
        }
      });
      if (doomed.length) deleted += await db(table).whereIn('id', doomed.map((r) => r.id)).delete();
      if (rows.length < BATCH) break;
      after = rows.at(-1)!.id;
    }
  }
  return deleted;
}

async function deleteMatching(redis: Redis, pattern: string): Promise<number> {
  let deleted = 0;
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    cursor = next;
    if (keys.length) deleted += await redis.del(...keys);
  } while (cursor !== '0');
  return deleted;
}

/** JPKI challenges and pending verifications of the account, and rate-limit counters named by it (keys carry the account id). */
export async function forgetJpkiTransients(db: Database, redis: Redis | undefined, accountId: string): Promise<number> {
  let deleted = await db('jpki_transients').whereRaw('position(? in key) > 0', [accountId]).delete();
  if (redis) {
    deleted += await deleteMatching(redis, `pass:jpki:*${accountId}*`);
    deleted += await deleteMatching(redis, `pass:rl:*${accountId}*`);
  }
  return deleted;
}

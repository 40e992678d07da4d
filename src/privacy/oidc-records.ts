/**
 * oidc-provider's records of one account, wherever the adapters keep them (src/oidc/adapter):
 * grants with every token issued under them (access, refresh, codes, device codes), and the
 * records that carry the account id without a grant — browser sessions, interactions, records of
 * grants already ended — in PostgreSQL and, when configured, Redis.
 *
 * Tokens go through the provider's own adapters (revokeByGrantId), so a token cannot outlive its
 * grant in either store. The sweeps by account id scan (no index holds the account): fine for an
 * operation a resident does once; documented in docs/data-rights.md.
 */
import type { Redis } from 'ioredis';
import type Provider from 'oidc-provider';
import type { Database } from '../db/database.ts';
import { GRANTABLE_MODELS } from '../oidc/adapter/types.ts';
import { OIDC_REDIS_PREFIX } from '../oidc/adapter/redis-adapter.ts';

interface ModelWithAdapter {
  adapter: { revokeByGrantId(grantId: string): Promise<void>; destroy(id: string): Promise<void> };
}

export interface AccountGrant {
  grantId: string;
  clientId: string;
}

export async function grantsOf(db: Database, accountId: string): Promise<AccountGrant[]> {
  const rows = (await db('oidc_payloads')
    .where({ model: 'Grant' })
    .whereRaw("payload->>'accountId' = ?", [accountId])
    .select('id', db.raw("payload->>'clientId' as client_id"))) as Array<{ id: string; client_id: string }>;
  return rows.map((r) => ({ grantId: r.id, clientId: r.client_id }));
}

/** Ends every grant of the account with its tokens; returns the grants ended. */
export async function revokeGrants(db: Database, provider: Provider, accountId: string): Promise<AccountGrant[]> {
  const grants = await grantsOf(db, accountId);
  const models = provider as unknown as Record<string, ModelWithAdapter>;
  for (const { grantId } of grants) {
    await Promise.all([...GRANTABLE_MODELS].map((model) => models[model]!.adapter.revokeByGrantId(grantId)));
    await models.Grant!.adapter.destroy(grantId);
  }
  return grants;
}

/** Deletes what is left that names the account: PostgreSQL rows of any model, Redis records. */
export async function forgetOidcRecords(db: Database, redis: Redis | undefined, accountId: string): Promise<{ rows: number; keys: number }> {
  const rows = await db('oidc_payloads')
    .whereRaw("payload->>'accountId' = ?", [accountId])
    .orWhereRaw('position(? in payload::text) > 0', [accountId])
    .delete();
  return { rows, keys: redis ? await forgetInRedis(redis, accountId) : 0 };
}

async function forgetInRedis(redis: Redis, accountId: string): Promise<number> {
  let cursor = '0';
  let deleted = 0;
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${OIDC_REDIS_PREFIX}*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length === 0) continue;
    // Records are hashes with a payload; index keys (strings) and grant lists answer with an error, skipped.
    const pipeline = redis.pipeline();
    for (const key of keys) pipeline.hget(key, 'payload');
    const results = (await pipeline.exec()) ?? [];
    const doomed = keys.filter((_key, i) => {
      const [error, payload] = results[i] ?? [];
      return !error && typeof payload === 'string' && payload.includes(accountId);
    });
    if (doomed.length) deleted += await redis.del(...doomed);
  } while (cursor !== '0');
  return deleted;
}

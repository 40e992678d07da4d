/**
 * OIDC's part of a resident's data rights (docs/data-rights.md): what each relying party was
 * allowed (oidc-provider's Grant records), and oidc-provider's records of one account wherever the
 * adapters keep them (src/oidc/adapter): grants with every token issued under them (access,
 * refresh, codes, device codes), and the records that carry the account id without a grant —
 * browser sessions, interactions, records of grants already ended — in PostgreSQL and, when
 * configured, Redis.
 *
 * Tokens go through the provider's own adapters (revokeByGrantId), so a token cannot outlive its
 * grant in either store. The deletion (src/privacy) ends them before its transaction and sweeps
 * once more after it (a sign-in racing the deletion). The sweeps by account id scan (no index holds
 * the account): fine for an operation a resident does once.
 */
import type { Redis } from 'ioredis';
import type { Knex } from 'knex';
import type Provider from 'oidc-provider';
import { exportTime as iso, jsonColumn as json, type AccountSections, type DataRightsHooks } from '../core/data-rights.ts';
import { GRANTABLE_MODELS } from './adapter/types.ts';
import { OIDC_REDIS_PREFIX } from './adapter/redis-adapter.ts';

type Row = Record<string, any>;

interface ModelWithAdapter {
  adapter: { revokeByGrantId(grantId: string): Promise<void>; destroy(id: string): Promise<void> };
}

export interface AccountGrant {
  grantId: string;
  clientId: string;
}

export async function grantsOf(db: Knex, accountId: string): Promise<AccountGrant[]> {
  const rows = (await db('oidc_payloads')
    .where({ model: 'Grant' })
    .whereRaw("payload->>'accountId' = ?", [accountId])
    .select('id', db.raw("payload->>'clientId' as client_id"))) as Array<{ id: string; client_id: string }>;
  return rows.map((r) => ({ grantId: r.id, clientId: r.client_id }));
}

/** Ends every grant of the account with its tokens; returns the grants ended. */
export async function revokeGrants(db: Knex, provider: Provider, accountId: string): Promise<AccountGrant[]> {
  const grants = await grantsOf(db, accountId);
  const models = provider as unknown as Record<string, ModelWithAdapter>;
  for (const { grantId } of grants) {
    await Promise.all([...GRANTABLE_MODELS].map((model) => models[model]!.adapter.revokeByGrantId(grantId)));
    await models.Grant!.adapter.destroy(grantId);
  }
  return grants;
}

/** Deletes what is left that names the account: PostgreSQL rows of any model, Redis records. */
export async function forgetOidcRecords(db: Knex, redis: Redis | undefined, accountId: string): Promise<{ rows: number; keys: number }> {
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

async function clientMetadata(db: Knex, clientIds: string[]): Promise<Array<{ clientId: string; metadata: Row }>> {
  if (clientIds.length === 0) return [];
  const rows = (await db('oidc_clients').whereIn('client_id', clientIds).select('client_id', 'metadata')) as Row[];
  return rows.map((r) => ({ clientId: r.client_id as string, metadata: json<Row>(r.metadata) }));
}

/** The relying parties' names as they registered them (client_name, else the client id), by client id. */
export async function clientNames(db: Knex, clientIds: string[]): Promise<Map<string, string>> {
  return new Map((await clientMetadata(db, clientIds)).map((c) => [c.clientId, String(c.metadata.client_name ?? c.clientId)]));
}

/** The account's grants still in force: scopes, claims, APIs, when. */
async function grantsSection(trx: Knex, accountId: string): Promise<AccountSections['grants']> {
  const rows = (await trx('oidc_payloads')
    .where({ model: 'Grant' })
    .whereRaw("payload->>'accountId' = ?", [accountId])
    .andWhere((q) => q.whereNull('expires_at').orWhere('expires_at', '>', new Date()))
    .select('payload', 'expires_at')) as Array<{ payload: Row | string; expires_at: Date | null }>;
  const grants = rows.map((r) => ({ payload: json<Row>(r.payload), expiresAt: r.expires_at }));
  const names = await clientNames(trx, [...new Set(grants.map((g) => String(g.payload.clientId)))]);
  return grants
    .map(({ payload, expiresAt }) => ({
      client_id: payload.clientId,
      client_name: names.get(String(payload.clientId)) ?? null,
      scope: payload.openid?.scope ?? null,
      claims: payload.openid?.claims ?? [],
      resources: payload.resources ?? {},
      granted_at: payload.iat ? new Date(Number(payload.iat) * 1000).toISOString() : null,
      expires_at: iso(expiresAt),
    }))
    .sort((a, b) => String(a.granted_at).localeCompare(String(b.granted_at)));
}

/** Grants and their tokens are ended through the provider, outside the deletion's transaction (src/privacy). */
export const oidcDataRights: DataRightsHooks = {
  owner: 'oidc',

  async exportFor(trx, subject) {
    return { account: { grants: await grantsSection(trx, subject.accountId) } };
  },

  /** Relying parties the account has a grant with, and whether they hear of the deletion by back-channel logout. */
  async preview(db, subject) {
    const grants = await grantsOf(db, subject.accountId);
    const clients = await clientMetadata(db, [...new Set(grants.map((g) => g.clientId))]);
    return {
      relyingParties: clients.map(({ clientId, metadata }) => ({
        clientId,
        name: String(metadata.client_name ?? clientId),
        backchannelLogout: typeof metadata.backchannel_logout_uri === 'string',
      })),
    };
  },
};

import type { Database } from '../../db/database.ts';

/** The ids of the account's stored grants at any of these clients (oidc_payloads, model Grant). */
export async function grantIdsOf(db: Database, accountId: string, clientIds: readonly string[]): Promise<string[]> {
  if (clientIds.length === 0) return [];
  const rows = (await db('oidc_payloads')
    .where({ model: 'Grant' })
    .whereRaw("payload->>'accountId' = ?", [accountId])
    .whereIn(db.raw("payload->>'clientId'") as unknown as string, [...clientIds])
    .select('id')) as Array<{ id: string }>;
  return rows.map((r) => r.id);
}

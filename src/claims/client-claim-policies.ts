/**
 * A relying party's own claim policy: the catalog units it may receive, a subset of its
 * facility's policy, set by the facility's admins in PASS Manager.
 */
import type { Knex } from 'knex';

function list(value: unknown): string[] {
  return typeof value === 'string' ? (JSON.parse(value) as string[]) : ((value as string[] | null) ?? []);
}

/** The client's units, or undefined when it has no policy of its own. */
export async function clientUnits(db: Knex, clientId: string): Promise<string[] | undefined> {
  const row = (await db('client_claim_policies').where({ client_id: clientId }).first('units')) as { units: unknown } | undefined;
  return row ? list(row.units) : undefined;
}

/** The units of each of these clients that has a policy (one query, whatever the number). */
export async function unitsOfClients(db: Knex, clientIds: readonly string[]): Promise<Map<string, string[]>> {
  if (clientIds.length === 0) return new Map();
  const rows = (await db('client_claim_policies').whereIn('client_id', [...clientIds]).select('client_id', 'units')) as Array<{ client_id: string; units: unknown }>;
  return new Map(rows.map((r) => [r.client_id, list(r.units)]));
}

export async function putClientUnits(db: Knex, clientId: string, units: readonly string[], accountId: string): Promise<void> {
  await db('client_claim_policies')
    .insert({ client_id: clientId, units: JSON.stringify([...new Set(units)]), updated_by_account_id: accountId, updated_at: new Date() })
    .onConflict('client_id')
    .merge();
}

/**
 * A relying party's own claim policy: the catalog units it may receive, a subset of its
 * facility's policy (client_claim_policies). oidc-provider enforces it through the client's
 * registered `scope`: a client may only ask for the scopes that carry its units.
 */
import type { Knex } from 'knex';
import { IDENTITY_UNITS } from '../../claims/catalog.ts';

/** The OpenID scope that carries each unit (`resident`: PASS's derived claims). */
function scopeOfUnit(unit: string): string | undefined {
  if ((IDENTITY_UNITS as readonly string[]).includes(unit)) return unit === 'address' ? 'address' : 'profile';
  if (unit === 'email') return 'email';
  if (unit === 'phone_number') return 'phone';
  // verified_claims is asked for with the claims parameter, under openid.
  if (unit === 'verified_claims') return undefined;
  return 'resident';
}

/** The client's `scope` metadata for its units; offline_access only with a refresh token grant. */
export function scopeForUnits(units: readonly string[], grantTypes: readonly string[]): string {
  const scopes = new Set(['openid']);
  if (grantTypes.includes('refresh_token')) scopes.add('offline_access');
  for (const unit of units) {
    const scope = scopeOfUnit(unit);
    if (scope) scopes.add(scope);
  }
  return [...scopes].join(' ');
}

function list(value: unknown): string[] {
  return typeof value === 'string' ? (JSON.parse(value) as string[]) : ((value as string[] | null) ?? []);
}

export async function clientUnits(db: Knex, clientId: string): Promise<string[] | undefined> {
  const row = (await db('client_claim_policies').where({ client_id: clientId }).first('units')) as { units: unknown } | undefined;
  return row ? list(row.units) : undefined;
}

export async function clientUnitsOfFacility(db: Knex, facilityId: string): Promise<Array<{ clientId: string; units: string[] }>> {
  const rows = (await db('client_claim_policies as p')
    .join('oidc_clients as c', 'c.client_id', 'p.client_id')
    .where('c.facility_id', facilityId)
    .select('p.client_id', 'p.units')) as Array<{ client_id: string; units: unknown }>;
  return rows.map((r) => ({ clientId: r.client_id, units: list(r.units) }));
}

export async function putClientUnits(db: Knex, clientId: string, units: readonly string[], accountId: string): Promise<void> {
  await db('client_claim_policies')
    .insert({ client_id: clientId, units: JSON.stringify([...new Set(units)]), updated_by_account_id: accountId, updated_at: new Date() })
    .onConflict('client_id')
    .merge();
}

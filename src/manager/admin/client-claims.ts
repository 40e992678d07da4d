/**
 * A relying party's own claim policy: the catalog units it may receive, a subset of its
 * facility's policy (stored by src/claims/client-claim-policies.ts). oidc-provider enforces it
 * through the client's registered `scope`: a client may only ask for the scopes that carry its units.
 */
import type { Knex } from 'knex';
import { IDENTITY_UNITS } from '../../claims/catalog.ts';
import { unitsOfClients } from '../../claims/client-claim-policies.ts';
import { facilityClientIds } from '../../oidc/clients/facility-clients.ts';

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

/** The units of each of the facility's clients that has a policy of its own, oldest client first. */
export async function clientUnitsOfFacility(db: Knex, facilityId: string): Promise<Array<{ clientId: string; units: string[] }>> {
  const clientIds = await facilityClientIds(db, facilityId);
  const units = await unitsOfClients(db, clientIds);
  return clientIds.flatMap((clientId) => {
    const own = units.get(clientId);
    return own ? [{ clientId, units: own }] : [];
  });
}

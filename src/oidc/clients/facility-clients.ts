/**
 * Which clients belong to which facility (oidc_clients.facility_id), for the capabilities that act
 * per facility: claims (a client's facility policy), registrations (revoking a facility's grants).
 */
import type { Database } from '../../db/database.ts';

/** The facility's client ids, oldest registration first. */
export async function facilityClientIds(db: Database, facilityId: string): Promise<string[]> {
  const rows = (await db('oidc_clients').where({ facility_id: facilityId }).orderBy('created_at').select('client_id')) as Array<{ client_id: string }>;
  return rows.map((r) => r.client_id);
}

/** The facility of a registered client; undefined for an unknown client or one of no facility. */
export async function clientFacilityId(db: Database, clientId: string): Promise<string | undefined> {
  const row = (await db('oidc_clients').where({ client_id: clientId }).first('facility_id')) as { facility_id: string | null } | undefined;
  return row?.facility_id ?? undefined;
}

/**
 * The release record: every time claims leave PASS (ID token, userinfo, access token), which
 * claims (names, never values), to which client and facility, when, and about which person.
 * Residents read their own log; an insert that fails stops the release (fail closed).
 */
import type { Database } from '../db/database.ts';

export type ReleaseUse = 'id_token' | 'userinfo' | 'access_token';

export interface Release {
  personId: string;
  accountId: string | undefined;
  clientId: string;
  facilityId: string | undefined;
  use: ReleaseUse;
  claims: string[];
}

export interface ReleaseEntry extends Release {
  at: Date;
}

export class ReleaseLog {
  readonly #db: Database;

  constructor(db: Database) {
    this.#db = db;
  }

  async record(release: Release): Promise<void> {
    await this.#db('claim_releases').insert({
      person_id: release.personId,
      account_id: release.accountId ?? null,
      client_id: release.clientId,
      facility_id: release.facilityId ?? null,
      use: release.use,
      claims: JSON.stringify([...release.claims].sort()),
    });
  }

  async forPersons(personIds: readonly string[], limit = 100): Promise<ReleaseEntry[]> {
    if (personIds.length === 0) return [];
    const rows = (await this.#db('claim_releases').whereIn('person_id', personIds).orderBy('id', 'desc').limit(limit)) as Array<{
      person_id: string;
      account_id: string | null;
      client_id: string;
      facility_id: string | null;
      use: ReleaseUse;
      claims: string[] | string;
      created_at: Date;
    }>;
    return rows.map((r) => ({
      personId: r.person_id,
      accountId: r.account_id ?? undefined,
      clientId: r.client_id,
      facilityId: r.facility_id ?? undefined,
      use: r.use,
      claims: typeof r.claims === 'string' ? (JSON.parse(r.claims) as string[]) : r.claims,
      at: new Date(r.created_at),
    }));
  }
}

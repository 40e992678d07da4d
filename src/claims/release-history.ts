/**
 * A resident's releases of facts, newest first, a page at a time: which facts (names, never
 * values), to which relying party and facility, when, for which of their persons. The same rows
 * the data export lists (claims/data-rights.ts): the account's own and those about its persons.
 * For the PASS app's history screen, through src/privacy.
 */
import type { Knex } from 'knex';
import { jsonColumn } from '../core/data-rights.ts';
import { UNIT_LABELS, unitOfClaim } from './catalog.ts';
import type { ReleaseUse } from './releases.ts';

export interface ReleaseHistoryEntry {
  /** The row's sequence number: the cursor of the next page. */
  seq: number;
  personId: string;
  clientId: string;
  facilityId: string | undefined;
  use: ReleaseUse;
  claims: string[];
  at: Date;
}

/** Up to `limit` releases about the account or its persons, newest first, before `before` (a seq) when given. */
export async function releaseHistory(db: Knex, about: { accountId: string; personIds: readonly string[] }, page: { limit: number; before?: number | undefined }): Promise<ReleaseHistoryEntry[]> {
  const query = db('claim_releases')
    .where((q) => {
      q.where({ account_id: about.accountId });
      if (about.personIds.length) q.orWhereIn('person_id', [...about.personIds]);
    })
    .orderBy('id', 'desc')
    .limit(page.limit);
  if (page.before !== undefined) query.andWhere('id', '<', page.before);
  const rows = (await query) as Array<{ id: string | number; person_id: string; client_id: string; facility_id: string | null; use: ReleaseUse; claims: unknown; created_at: Date }>;
  return rows.map((r) => ({
    seq: Number(r.id),
    personId: r.person_id,
    clientId: r.client_id,
    facilityId: r.facility_id ?? undefined,
    use: r.use,
    claims: jsonColumn<string[]>(r.claims),
    at: new Date(r.created_at),
  }));
}

/**
 * The facts of a release as a person reads them: each consent unit once (family_name and
 * given_name are the name), in the catalog's words; a claim outside the catalog by its own name.
 * `verified_claims.<name>` is the same fact, given as verified.
 */
export function releasedFacts(claims: readonly string[]): Array<{ unit: string; label: { ja: string; en: string } }> {
  const units: string[] = [];
  for (const claim of claims) {
    const unit = unitOfClaim(claim.startsWith('verified_claims.') ? claim.slice('verified_claims.'.length) : claim);
    if (!units.includes(unit)) units.push(unit);
  }
  return units.map((unit) => ({ unit, label: UNIT_LABELS[unit] ?? { ja: unit, en: unit } }));
}

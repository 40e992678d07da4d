/**
 * A resident's history as the PASS app shows it (issue #18): their check-ins and the releases of
 * their facts, for them and the household members they manage, newest first, a page at a time.
 * Read through the owners (check-ins' and claims' read functions; facility and relying party
 * names from theirs); the full record stays the data export (GET /api/privacy/export).
 * Cursors are opaque to the app: `<ms>.<id>` for check-ins, the release's sequence for releases.
 */
import type { Knex } from 'knex';
import { checkinHistory, type CheckinCursor } from '../checkins/resident-history.ts';
import { releasedFacts, releaseHistory } from '../claims/release-history.ts';
import { facilityNames } from '../facilities/data-rights.ts';
import { clientNames } from '../oidc/data-rights.ts';
import { NotFoundError } from '../core/errors.ts';
import { dataSubject } from './subject.ts';

export const HISTORY_PAGE_DEFAULT = 20;
export const HISTORY_PAGE_MAX = 50;

export const CHECKIN_CURSOR = /^\d{1,15}\.[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
export const RELEASE_CURSOR = /^\d{1,18}$/;

function checkinCursor(value: string | undefined): CheckinCursor | undefined {
  if (!value) return undefined;
  const [ms, id] = value.split('.');
  return { at: new Date(Number(ms)), id: id! };
}

async function personsOf(db: Knex, accountId: string): Promise<{ accountId: string; relation: Map<string, string> }> {
  const subject = await dataSubject(db, accountId);
  if (!subject) throw new NotFoundError('account_not_found', 'the account does not exist');
  return { accountId, relation: new Map(subject.persons.map((p) => [p.id, p.relation])) };
}

export interface CheckinHistoryPage {
  checkins: Array<{
    id: string;
    person_id: string;
    relation: string | null;
    facility_id: string;
    facility_name: { ja: string; en: string } | null;
    method: string;
    result: string;
    reason: string | null;
    direction: string;
    at: string;
  }>;
  next: string | null;
}

export async function checkinHistoryPage(db: Knex, accountId: string, page: { limit: number; before?: string | undefined }): Promise<CheckinHistoryPage> {
  const { relation } = await personsOf(db, accountId);
  const rows = await checkinHistory(db, [...relation.keys()], { limit: page.limit + 1, before: checkinCursor(page.before) });
  const shown = rows.slice(0, page.limit);
  const names = shown.length ? await facilityNames(db) : new Map();
  const last = shown.at(-1);
  return {
    checkins: shown.map((c) => ({
      id: c.id,
      person_id: c.personId,
      relation: relation.get(c.personId) ?? null,
      facility_id: c.facilityId,
      facility_name: names.get(c.facilityId) ?? null,
      method: c.method,
      result: c.result,
      reason: c.reason ?? null,
      direction: c.direction,
      at: c.occurredAt.toISOString(),
    })),
    next: rows.length > page.limit && last ? `${last.occurredAt.getTime()}.${last.id}` : null,
  };
}

export interface ReleaseHistoryPage {
  releases: Array<{
    person_id: string;
    relation: string | null;
    client_id: string;
    client_name: string | null;
    facility_id: string | null;
    facility_name: { ja: string; en: string } | null;
    use: string;
    claims: string[];
    facts: Array<{ unit: string; label: { ja: string; en: string } }>;
    at: string;
  }>;
  next: string | null;
}

export async function releaseHistoryPage(db: Knex, accountId: string, page: { limit: number; before?: string | undefined }): Promise<ReleaseHistoryPage> {
  const { relation } = await personsOf(db, accountId);
  const rows = await releaseHistory(db, { accountId, personIds: [...relation.keys()] }, { limit: page.limit + 1, before: page.before ? Number(page.before) : undefined });
  const shown = rows.slice(0, page.limit);
  const [facilities, clients] = shown.length ? await Promise.all([facilityNames(db), clientNames(db, [...new Set(shown.map((r) => r.clientId))])]) : [new Map(), new Map()];
  const last = shown.at(-1);
  return {
    releases: shown.map((r) => ({
      person_id: r.personId,
      relation: relation.get(r.personId) ?? null,
      client_id: r.clientId,
      client_name: clients.get(r.clientId) ?? null,
      facility_id: r.facilityId ?? null,
      facility_name: r.facilityId ? (facilities.get(r.facilityId) ?? null) : null,
      use: r.use,
      claims: r.claims,
      facts: releasedFacts(r.claims),
      at: r.at.toISOString(),
    })),
    next: rows.length > page.limit && last ? String(last.seq) : null,
  };
}

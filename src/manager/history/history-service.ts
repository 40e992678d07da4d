/**
 * Check-in history for staff: the check-ins of the facilities the principal may see (never
 * another's: the facility list comes from staff-scope.ts), filtered and paged in SQL, each row with
 * what the facility may see of the person. A person search needs the people's facts, which are
 * sealed, so it looks through at most SEARCH_LIMIT check-ins of the filtered range in memory.
 * Every read is audited: who, which facilities, how many rows, whose data (ids only).
 */
import type { Database } from '../../db/database.ts';
import { InvalidInputError } from '../../core/errors.ts';
import { appendAudit } from '../../audit/audit-log.ts';
import { countHistory, historyPage, type CheckinEntry, type CheckinFilter } from '../../checkins/checkin-reports.ts';
import type { PadOutcome } from '../../checkins/pad.ts';
import { kioskNames } from '../../kiosk/kiosk-names.ts';
import { facilitiesFor, type ManagerFacility, type StaffPrincipal } from '../staff-scope.ts';
import { dayRange, searchKey, type HistoryFilter } from './history-query.ts';
import type { PersonFacts, VisiblePerson } from './person-facts.ts';

/** The most check-ins a person search looks through, and the most rows one CSV holds. */
export const SEARCH_LIMIT = 5_000;
export const EXPORT_LIMIT = 50_000;

export interface HistoryRow {
  id: string;
  occurredAt: string;
  recordedAt: string;
  facilityId: string;
  kioskId: string | null;
  kioskName: string | null;
  method: string;
  result: 'accepted' | 'rejected';
  reason: string | null;
  direction: 'in' | 'out';
  person: VisiblePerson | null;
  /** A guardian of this person can be looked up (a minor whose registration here consents to it). */
  guardian: boolean;
  /** The presentation-attack check of a face check-in, where the facility's PAD policy kept it. */
  pad: PadOutcome | null;
}

export interface HistoryPage {
  rows: HistoryRow[];
  total: number;
  page: number;
  size: number;
  pages: number;
}

export interface HistoryDeps {
  db: Database;
  /** A fresh fact reader per request (it caches what it decrypts for that request only). */
  facts(): PersonFacts;
}

function matches(person: VisiblePerson | null, key: string): boolean {
  if (!person) return false;
  return [person.name, person.passId, person.email].some((value) => value !== undefined && searchKey(value).includes(key));
}

export class HistoryService {
  readonly #d: HistoryDeps;

  constructor(deps: HistoryDeps) {
    this.#d = deps;
  }

  #checkinFilter(facilities: ManagerFacility[], filter: HistoryFilter): CheckinFilter {
    return { facilityIds: facilities.map((f) => f.id), ...dayRange(filter), method: filter.method, result: filter.result };
  }

  async #withPeople(entries: CheckinEntry[], facilities: ManagerFacility[]): Promise<Array<HistoryRow & { personId: string | null }>> {
    const facts = this.#d.facts();
    const byId = new Map(facilities.map((f) => [f.id, f]));
    const kiosks = await kioskNames(this.#d.db, entries.map((e) => e.kioskId));
    return Promise.all(
      entries.map(async (e) => {
        const facility = byId.get(e.facilityId)!;
        const accepted = e.result === 'accepted';
        const [person, guardian] = await Promise.all([
          accepted ? facts.visible(facility, e.personId ?? undefined, e.shown ?? undefined) : undefined,
          accepted && e.personId ? facts.hasGuardian(facility, e.personId) : false,
        ]);
        return {
          id: e.id,
          occurredAt: e.occurredAt.toISOString(),
          recordedAt: e.recordedAt.toISOString(),
          facilityId: e.facilityId,
          kioskId: e.kioskId,
          kioskName: e.kioskId ? (kiosks.get(e.kioskId) ?? null) : null,
          method: e.method,
          result: e.result,
          reason: e.reason,
          direction: e.direction,
          person: person ?? null,
          guardian,
          pad: e.pad,
          personId: e.personId,
        };
      }),
    );
  }

  /** Every matching row up to `limit` (else too_many_rows), people included, searched when asked. */
  async #everything(facilities: ManagerFacility[], filter: HistoryFilter, limit: number) {
    const rows = await historyPage(this.#d.db, this.#checkinFilter(facilities, filter), { limit: limit + 1 });
    if (rows.length > limit) throw new InvalidInputError('too_many_rows', `more than ${limit} check-ins match: narrow the filter`);
    const people = await this.#withPeople(rows, facilities);
    const key = filter.q ? searchKey(filter.q) : undefined;
    return key ? people.filter((row) => matches(row.person, key)) : people;
  }

  async page(principal: StaffPrincipal, filter: HistoryFilter): Promise<HistoryPage> {
    const facilities = facilitiesFor(principal, filter.facility);
    const offset = (filter.page - 1) * filter.size;
    let rows: Array<HistoryRow & { personId: string | null }>;
    let total: number;
    if (filter.q) {
      const found = await this.#everything(facilities, filter, SEARCH_LIMIT);
      total = found.length;
      rows = found.slice(offset, offset + filter.size);
    } else {
      const checkins = this.#checkinFilter(facilities, filter);
      total = await countHistory(this.#d.db, checkins);
      rows = await this.#withPeople(await historyPage(this.#d.db, checkins, { limit: filter.size, offset }), facilities);
    }
    await this.#appendAudit(principal, 'manager.checkins_read', facilities, filter, rows);
    return { rows: rows.map(({ personId: _p, ...row }) => row), total, page: filter.page, size: filter.size, pages: Math.max(1, Math.ceil(total / filter.size)) };
  }

  /** Every matching row for a download (at most EXPORT_LIMIT). */
  async export(principal: StaffPrincipal, filter: HistoryFilter): Promise<HistoryRow[]> {
    const facilities = facilitiesFor(principal, filter.facility);
    const rows = await this.#everything(facilities, filter, EXPORT_LIMIT);
    await this.#appendAudit(principal, 'manager.checkins_exported', facilities, filter, rows);
    return rows.map(({ personId: _p, ...row }) => row);
  }

  async #appendAudit(principal: StaffPrincipal, action: 'manager.checkins_read' | 'manager.checkins_exported', facilities: ManagerFacility[], filter: HistoryFilter, rows: Array<{ personId: string | null }>) {
    const persons = [...new Set(rows.map((r) => r.personId).filter((p): p is string => p !== null))];
    await appendAudit(this.#d.db, {
      actorAccountId: principal.accountId,
      action,
      facilityId: facilities.length === 1 ? facilities[0]!.id : undefined,
      details: {
        facilities: facilities.map((f) => f.id),
        filter: { from: filter.from ?? null, to: filter.to ?? null, method: filter.method ?? null, result: filter.result ?? null, search: Boolean(filter.q), page: filter.page },
        rows: rows.length,
        persons,
      },
    });
  }
}

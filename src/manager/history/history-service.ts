/**
 * Check-in history for staff: the check-ins of the facilities the principal may see (never
 * another's: the facility list comes from staff-scope.ts), filtered and paged in SQL, each row with
 * what the facility may see of the person. A person search needs the people's facts, which are
 * sealed, so it looks through at most SEARCH_LIMIT check-ins of the filtered range in memory.
 * Every read is audited: who, which facilities, how many rows, whose data (ids only).
 */
import type { Database } from '../../db/database.ts';
import { InvalidInputError } from '../../core/errors.ts';
import { audit } from '../../households/audit.ts';
import type { ShownFacts } from '../../checkins/checkin-store.ts';
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
}

export interface HistoryPage {
  rows: HistoryRow[];
  total: number;
  page: number;
  size: number;
  pages: number;
}

interface Row {
  id: string;
  facility_id: string;
  kiosk_id: string | null;
  kiosk_name: string | null;
  method: string;
  result: 'accepted' | 'rejected';
  reason: string | null;
  direction: 'in' | 'out';
  person_id: string | null;
  shown: ShownFacts | string | null;
  occurred_at: Date;
  recorded_at: Date;
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

  #query(facilities: ManagerFacility[], filter: HistoryFilter) {
    const { since, until } = dayRange(filter);
    const query = this.#d.db('checkins as c')
      .leftJoin('kiosks as k', 'k.id', 'c.kiosk_id')
      .whereIn(
        'c.facility_id',
        facilities.map((f) => f.id),
      );
    if (since) query.andWhere('c.occurred_at', '>=', since);
    if (until) query.andWhere('c.occurred_at', '<', until);
    if (filter.method) query.andWhere('c.method', filter.method);
    if (filter.result) query.andWhere('c.result', filter.result);
    return query;
  }

  async #rows(facilities: ManagerFacility[], filter: HistoryFilter, limit: number, offset = 0): Promise<Row[]> {
    return (await this.#query(facilities, filter)
      .orderBy([
        { column: 'c.occurred_at', order: 'desc' },
        { column: 'c.recorded_at', order: 'desc' },
        { column: 'c.id', order: 'asc' },
      ])
      .limit(limit)
      .offset(offset)
      .select('c.id', 'c.facility_id', 'c.kiosk_id', 'k.name as kiosk_name', 'c.method', 'c.result', 'c.reason', 'c.direction', 'c.person_id', 'c.shown', 'c.occurred_at', 'c.recorded_at')) as Row[];
  }

  async #withPeople(rows: Row[], facilities: ManagerFacility[]): Promise<Array<HistoryRow & { personId: string | null }>> {
    const facts = this.#d.facts();
    const byId = new Map(facilities.map((f) => [f.id, f]));
    return Promise.all(
      rows.map(async (r) => {
        const shown = typeof r.shown === 'string' ? (JSON.parse(r.shown) as ShownFacts) : (r.shown ?? undefined);
        const person = r.result === 'accepted' ? await facts.visible(byId.get(r.facility_id)!, r.person_id ?? undefined, shown) : undefined;
        return {
          id: r.id,
          occurredAt: new Date(r.occurred_at).toISOString(),
          recordedAt: new Date(r.recorded_at).toISOString(),
          facilityId: r.facility_id,
          kioskId: r.kiosk_id,
          kioskName: r.kiosk_name,
          method: r.method,
          result: r.result,
          reason: r.reason,
          direction: r.direction,
          person: person ?? null,
          personId: r.person_id,
        };
      }),
    );
  }

  /** Every matching row up to `limit` (else too_many_rows), people included, searched when asked. */
  async #everything(facilities: ManagerFacility[], filter: HistoryFilter, limit: number) {
    const rows = await this.#rows(facilities, filter, limit + 1);
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
      const counted = (await this.#query(facilities, filter).count({ n: '*' }).first()) as { n: string | number } | undefined;
      total = Number(counted?.n ?? 0);
      rows = await this.#withPeople(await this.#rows(facilities, filter, filter.size, offset), facilities);
    }
    await this.#audit(principal, 'manager.checkins_read', facilities, filter, rows);
    return { rows: rows.map(({ personId: _p, ...row }) => row), total, page: filter.page, size: filter.size, pages: Math.max(1, Math.ceil(total / filter.size)) };
  }

  /** Every matching row for a download (at most EXPORT_LIMIT). */
  async export(principal: StaffPrincipal, filter: HistoryFilter): Promise<HistoryRow[]> {
    const facilities = facilitiesFor(principal, filter.facility);
    const rows = await this.#everything(facilities, filter, EXPORT_LIMIT);
    await this.#audit(principal, 'manager.checkins_exported', facilities, filter, rows);
    return rows.map(({ personId: _p, ...row }) => row);
  }

  async #audit(principal: StaffPrincipal, action: 'manager.checkins_read' | 'manager.checkins_exported', facilities: ManagerFacility[], filter: HistoryFilter, rows: Array<{ personId: string | null }>) {
    const persons = [...new Set(rows.map((r) => r.personId).filter((p): p is string => p !== null))];
    await audit(this.#d.db, {
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

/**
 * The shelter dashboard's data: who is inside each shelter the principal may see (everyone whose
 * latest accepted check-in there is "in", as the kiosk counts them), the occupancy of each, and
 * for a municipal admin the totals of the whole municipality. The roster shows only what the
 * check-in was allowed to show (name and age where consented, or in an emergency), so reading it
 * reads personal data: every roster read and every export is audited.
 */
import type { Database } from '../../db/database.ts';
import type { ShownFacts } from '../../checkins/checkin-store.ts';
import { audit } from '../../households/audit.ts';
import { facilityOf, type ManagerFacility, type StaffPrincipal } from '../staff-scope.ts';
import { ManagerRefusal } from '../admin/refusals.ts';

export interface ShelterSummary {
  id: string;
  municipalityCode: string;
  name: { ja: string; en: string };
  occupancy: number;
  lastActivityAt: string | null;
}

export interface MunicipalTotal {
  municipalityCode: string;
  name: { ja: string; en: string };
  shelters: number;
  occupancy: number;
  emergency: boolean;
}

export interface RosterEntry {
  /** The check-in that brought them in (a stable row key that is no person identifier). */
  checkinId: string;
  name: string | null;
  age: number | null;
  method: string;
  kiosk: string | null;
  since: string;
  /** An anonymous My Number Card check-in (a card linked to no registered person). */
  anonymous: boolean;
}

export interface Roster {
  shelter: ShelterSummary;
  people: RosterEntry[];
}

export interface Overview {
  shelters: ShelterSummary[];
  totals: MunicipalTotal[];
}

interface LatestRow {
  id: string;
  facility_id: string;
  method: string;
  shown: ShownFacts | string | null;
  occurred_at: Date | string;
  card_key: string | null;
  person_id: string | null;
  kiosk_name: string | null;
}

/** People whose latest accepted check-in at each of these facilities is "in" (the kiosk's occupancy rule); the one binding is the array of facility ids. */
function insideSql(count: boolean): string {
  return `select ${count ? 'facility_id, count(*)::int as n' : 'latest.*, k.name as kiosk_name'} from (
      select distinct on (facility_id, coalesce(person_id::text, card_key))
             id, facility_id, direction, method, shown, occurred_at, card_key, person_id, kiosk_id
      from checkins
      where facility_id = any(?) and result = 'accepted' and (person_id is not null or card_key is not null)
      order by facility_id, coalesce(person_id::text, card_key), occurred_at desc, recorded_at desc
    ) latest ${count ? '' : 'left join kiosks k on k.id = latest.kiosk_id'}
    where latest.direction = 'in'
    ${count ? 'group by facility_id' : 'order by latest.occurred_at, latest.id'}`;
}

function rows<T>(result: unknown): T[] {
  return (result as { rows: T[] }).rows;
}

export function isShelter(f: { kind: string }): boolean {
  return f.kind === 'shelter';
}

export class ShelterBoard {
  readonly #db: Database;

  constructor(db: Database) {
    this.#db = db;
  }

  /** The shelters a principal may see (empty for staff of other facilities only). */
  shelters(principal: StaffPrincipal): ManagerFacility[] {
    return principal.facilities.filter(isShelter);
  }

  async #summaries(shelters: ManagerFacility[]): Promise<ShelterSummary[]> {
    if (shelters.length === 0) return [];
    const ids = shelters.map((s) => s.id);
    const [counts, activity] = await Promise.all([
      this.#db.raw(insideSql(true), [ids]).then((r) => rows<{ facility_id: string; n: unknown }>(r)),
      this.#db('checkins').whereIn('facility_id', ids).groupBy('facility_id').select('facility_id', this.#db.raw('max(recorded_at) as at')) as Promise<Array<{ facility_id: string; at: Date | string | null }>>,
    ]);
    const occupancy = new Map(counts.map((c) => [c.facility_id, Number(c.n)]));
    const last = new Map(activity.map((a) => [a.facility_id, a.at ? new Date(a.at).toISOString() : null]));
    return shelters.map((s) => ({
      id: s.id,
      municipalityCode: s.municipalityCode,
      name: { ja: s.nameJa, en: s.nameEn },
      occupancy: occupancy.get(s.id) ?? 0,
      lastActivityAt: last.get(s.id) ?? null,
    }));
  }

  /** Occupancy per shelter, and the city-wide totals of each municipality the principal administers. */
  async overview(principal: StaffPrincipal): Promise<Overview> {
    const shelters = await this.#summaries(this.shelters(principal));
    const cities = [...new Set(principal.assignments.filter((a) => a.role === 'municipal_admin').map((a) => a.municipalityCode))];
    const totals: MunicipalTotal[] = [];
    if (cities.length) {
      const [names, emergencies] = await Promise.all([
        this.#db('municipalities').whereIn('code', cities).select('code', 'name_ja', 'name_en') as Promise<Array<{ code: string; name_ja: string; name_en: string }>>,
        this.#db('municipal_emergencies').whereIn('municipality_code', cities).select('municipality_code') as Promise<Array<{ municipality_code: string }>>,
      ]);
      for (const city of names.sort((a, b) => a.code.localeCompare(b.code))) {
        const mine = shelters.filter((s) => s.municipalityCode === city.code);
        totals.push({
          municipalityCode: city.code,
          name: { ja: city.name_ja, en: city.name_en },
          shelters: mine.length,
          occupancy: mine.reduce((sum, s) => sum + s.occupancy, 0),
          emergency: emergencies.some((e) => e.municipality_code === city.code),
        });
      }
    }
    return { shelters, totals };
  }

  /** One shelter's occupancy only (for live updates: no personal data). */
  async occupancy(facilityId: string): Promise<number> {
    const counts = rows<{ n: unknown }>(await this.#db.raw(insideSql(true), [[facilityId]]));
    return Number(counts[0]?.n ?? 0);
  }

  #shelter(principal: StaffPrincipal, facilityId: string): ManagerFacility {
    const facility = facilityOf(principal, facilityId);
    if (!isShelter(facility)) throw new ManagerRefusal('not_a_shelter');
    return facility;
  }

  async #people(facilityIds: string[]): Promise<Map<string, RosterEntry[]>> {
    const out = new Map<string, RosterEntry[]>(facilityIds.map((id) => [id, []]));
    if (facilityIds.length === 0) return out;
    for (const r of rows<LatestRow>(await this.#db.raw(insideSql(false), [facilityIds]))) {
      const shown = (typeof r.shown === 'string' ? JSON.parse(r.shown) : r.shown) as ShownFacts | null;
      out.get(r.facility_id)!.push({
        checkinId: r.id,
        name: shown?.name ?? null,
        age: typeof shown?.age === 'number' ? shown.age : null,
        method: r.method,
        kiosk: r.kiosk_name,
        since: new Date(r.occurred_at).toISOString(),
        anonymous: !r.person_id && Boolean(r.card_key),
      });
    }
    return out;
  }

  async roster(principal: StaffPrincipal, facilityId: string): Promise<Roster> {
    const shelter = this.#shelter(principal, facilityId);
    const [summary] = await this.#summaries([shelter]);
    const people = (await this.#people([shelter.id])).get(shelter.id)!;
    await audit(this.#db, { actorAccountId: principal.accountId, action: 'manager.shelter_roster_read', facilityId, details: { count: people.length } });
    return { shelter: summary!, people };
  }

  /** Rosters of one shelter or of every shelter of the principal, for the periodic report. */
  async report(principal: StaffPrincipal, facilityId: string | undefined): Promise<Roster[]> {
    const shelters = facilityId ? [this.#shelter(principal, facilityId)] : this.shelters(principal);
    const [summaries, people] = await Promise.all([this.#summaries(shelters), this.#people(shelters.map((s) => s.id))]);
    const rosters = summaries.map((shelter) => ({ shelter, people: people.get(shelter.id) ?? [] }));
    await audit(this.#db, {
      actorAccountId: principal.accountId,
      action: 'manager.shelter_report_exported',
      ...(facilityId ? { facilityId } : {}),
      details: { shelters: shelters.map((s) => s.id), count: rosters.reduce((n, r) => n + r.people.length, 0) },
    });
    return rosters;
  }
}

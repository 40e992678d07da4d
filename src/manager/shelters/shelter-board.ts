/**
 * The shelter dashboard's data: who is inside each shelter the principal may see (everyone whose
 * latest accepted check-in there is "in", as the kiosk counts them), the occupancy of each, and
 * for a municipal admin the totals of the whole municipality. The roster shows what the shelter's
 * staff may see now (name and age where consented, or in an emergency; check-ins'
 * staffFacts), more than the kiosk's public screen showed, so reading it reads personal data:
 * every roster read and every export is audited.
 */
import type { Database } from '../../db/database.ts';
import { emergenciesAmong, lastCheckinAt, occupancyOf, peopleInside } from '../../checkins/shelter-status.ts';
import type { CheckinService } from '../../checkins/checkin-service.ts';
import { municipalitiesByCode } from '../../facilities/municipalities.ts';
import { kioskNames } from '../../kiosk/kiosk-names.ts';
import { appendAudit } from '../../audit/audit-log.ts';
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

export function isShelter(f: { kind: string }): boolean {
  return f.kind === 'shelter';
}

/** What staff may see of whoever a check-in brought in (the kiosk capability's check-ins). */
export type StaffFactsSource = Pick<CheckinService, 'staffFacts'>;

export class ShelterBoard {
  readonly #db: Database;
  readonly #facts: StaffFactsSource;

  constructor(db: Database, facts: StaffFactsSource) {
    this.#db = db;
    this.#facts = facts;
  }

  /** The shelters a principal may see (empty for staff of other facilities only). */
  shelters(principal: StaffPrincipal): ManagerFacility[] {
    return principal.facilities.filter(isShelter);
  }

  async #summaries(shelters: ManagerFacility[]): Promise<ShelterSummary[]> {
    if (shelters.length === 0) return [];
    const ids = shelters.map((s) => s.id);
    const [occupancy, last] = await Promise.all([occupancyOf(this.#db, ids), lastCheckinAt(this.#db, ids)]);
    return shelters.map((s) => ({
      id: s.id,
      municipalityCode: s.municipalityCode,
      name: { ja: s.nameJa, en: s.nameEn },
      occupancy: occupancy.get(s.id) ?? 0,
      lastActivityAt: last.get(s.id)?.toISOString() ?? null,
    }));
  }

  /** Occupancy per shelter, and the city-wide totals of each municipality the principal administers. */
  async overview(principal: StaffPrincipal): Promise<Overview> {
    const shelters = await this.#summaries(this.shelters(principal));
    const cities = [...new Set(principal.assignments.filter((a) => a.role === 'municipal_admin').map((a) => a.municipalityCode))];
    const totals: MunicipalTotal[] = [];
    if (cities.length) {
      const [names, emergencies] = await Promise.all([municipalitiesByCode(this.#db, cities), emergenciesAmong(this.#db, cities)]);
      for (const city of names.sort((a, b) => a.code.localeCompare(b.code))) {
        const mine = shelters.filter((s) => s.municipalityCode === city.code);
        totals.push({
          municipalityCode: city.code,
          name: { ja: city.nameJa, en: city.nameEn },
          shelters: mine.length,
          occupancy: mine.reduce((sum, s) => sum + s.occupancy, 0),
          emergency: emergencies.has(city.code),
        });
      }
    }
    return { shelters, totals };
  }

  /** One shelter's occupancy only (for live updates: no personal data). */
  async occupancy(facilityId: string): Promise<number> {
    return (await occupancyOf(this.#db, [facilityId])).get(facilityId) ?? 0;
  }

  #shelter(principal: StaffPrincipal, facilityId: string): ManagerFacility {
    const facility = facilityOf(principal, facilityId);
    if (!isShelter(facility)) throw new ManagerRefusal('not_a_shelter');
    return facility;
  }

  async #people(shelters: ManagerFacility[]): Promise<Map<string, RosterEntry[]>> {
    const out = new Map<string, RosterEntry[]>(shelters.map((s) => [s.id, []]));
    const byId = new Map(shelters.map((s) => [s.id, s]));
    const inside = await peopleInside(this.#db, [...byId.keys()]);
    const kiosks = await kioskNames(this.#db, inside.map((p) => p.kioskId));
    for (const p of inside) {
      // Consent withdrawn or the emergency over: what the kiosk showed in public is what is left.
      const facts = { ...p.shown, ...(await this.#facts.staffFacts(byId.get(p.facilityId)!, { id: p.checkinId, personId: p.personId, detailsSealed: p.detailsSealed })) };
      out.get(p.facilityId)!.push({
        checkinId: p.checkinId,
        name: facts.name ?? null,
        age: typeof facts.age === 'number' ? facts.age : null,
        method: p.method,
        kiosk: p.kioskId ? (kiosks.get(p.kioskId) ?? null) : null,
        since: p.since.toISOString(),
        anonymous: !p.personId && Boolean(p.cardKey),
      });
    }
    return out;
  }

  async roster(principal: StaffPrincipal, facilityId: string): Promise<Roster> {
    const shelter = this.#shelter(principal, facilityId);
    const [summary] = await this.#summaries([shelter]);
    const people = (await this.#people([shelter])).get(shelter.id)!;
    await appendAudit(this.#db, { actorAccountId: principal.accountId, action: 'manager.shelter_roster_read', facilityId, details: { count: people.length } });
    return { shelter: summary!, people };
  }

  /** Rosters of one shelter or of every shelter of the principal, for the periodic report. */
  async report(principal: StaffPrincipal, facilityId: string | undefined): Promise<Roster[]> {
    const shelters = facilityId ? [this.#shelter(principal, facilityId)] : this.shelters(principal);
    const [summaries, people] = await Promise.all([this.#summaries(shelters), this.#people(shelters)]);
    const rosters = summaries.map((shelter) => ({ shelter, people: people.get(shelter.id) ?? [] }));
    await appendAudit(this.#db, {
      actorAccountId: principal.accountId,
      action: 'manager.shelter_report_exported',
      ...(facilityId ? { facilityId } : {}),
      details: { shelters: shelters.map((s) => s.id), count: rosters.reduce((n, r) => n + r.people.length, 0) },
    });
    return rosters;
  }
}

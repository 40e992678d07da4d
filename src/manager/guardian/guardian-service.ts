/**
 * Guardian lookup: for a child checked in at the staff member's facility, the household
 * representative and how to reach them — only when the registration there includes the
 * `guardian` consent unit (the representative consented, for the child, to that facility getting
 * their contact), and only what the claims engine releases for it (name, verified phone, verified
 * e-mail; nothing for an adult). "Checked in" means an accepted check-in of the last 24 hours, or,
 * at a shelter, being inside now (the latest check-in there is "in"). Every lookup is audited.
 */
import type { Database } from '../../db/database.ts';
import { ForbiddenError, NotFoundError } from '../../core/errors.ts';
import type { ClaimsEngine } from '../../claims/engine.ts';
import { appendAudit } from '../../audit/audit-log.ts';
import { CheckinStore } from '../../checkins/checkin-store.ts';
import { acceptedCheckinsOf, latestDirection } from '../../checkins/checkin-reports.ts';
import { registrantsWithUnit } from '../../registrations/registration-reads.ts';
import { activeRegistrationClaims } from '../../registrations/active-claims.ts';
import { facilitiesFor, facilityOf, type ManagerFacility, type StaffPrincipal } from '../staff-scope.ts';
import type { PersonFacts } from '../history/person-facts.ts';

const RECENT_MS = 24 * 3600_000;
const SHELTER_STAY_MS = 30 * 86400_000;

export interface Guardian {
  name?: string;
  phoneNumber?: string;
  email?: string;
}

export interface GuardianAnswer {
  checkin: { id: string; at: string; facilityId: string };
  child: { name?: string; passId?: string };
  guardians: Guardian[];
}

export interface GuardianCandidate {
  checkinId: string;
  at: string;
  facilityId: string;
  name?: string;
  passId?: string;
}

/** What decides whether a check-in still counts as the person being at the facility. */
interface Arrival {
  personId: string | null | undefined;
  result: string;
  occurredAt: Date;
}

function guardianOf(claims: Record<string, unknown>): Guardian | undefined {
  const g = claims.guardian as { name?: unknown; phone_number?: unknown; email?: unknown } | undefined;
  if (!g) return undefined;
  return {
    ...(typeof g.name === 'string' ? { name: g.name } : {}),
    ...(typeof g.phone_number === 'string' ? { phoneNumber: g.phone_number } : {}),
    ...(typeof g.email === 'string' ? { email: g.email } : {}),
  };
}

export interface GuardianDeps {
  db: Database;
  engine: ClaimsEngine;
  facts(): PersonFacts;
}

export class GuardianService {
  readonly #d: GuardianDeps;
  readonly #checkins: CheckinStore;

  constructor(deps: GuardianDeps) {
    this.#d = deps;
    this.#checkins = new CheckinStore(deps.db);
  }

  /** Whether this check-in still counts as the person being at the facility. */
  async #present(row: Arrival, facility: ManagerFacility, now: number): Promise<boolean> {
    if (row.result !== 'accepted' || !row.personId) return false;
    // When it happened at the door, not when a kiosk that was offline got to send it.
    const at = row.occurredAt.getTime();
    if (facility.kind !== 'shelter') return now - at <= RECENT_MS;
    if (now - at > SHELTER_STAY_MS) return false;
    return (await latestDirection(this.#d.db, facility.id, row.personId)) === 'in';
  }

  async lookup(principal: StaffPrincipal, checkinId: string): Promise<GuardianAnswer> {
    const row = await this.#checkins.find(checkinId);
    if (!row) throw new NotFoundError('checkin_not_found', 'no such check-in');
    const facility = facilityOf(principal, row.facilityId);
    if (!(await this.#present(row, facility, Date.now()))) throw new NotFoundError('not_checked_in', 'this check-in is not a person at the facility now');
    const personId = row.personId!;
    const units = await activeRegistrationClaims(this.#d.db, personId, facility.id);
    const record = async (released: boolean, reason?: string) =>
      appendAudit(this.#d.db, { actorAccountId: principal.accountId, action: 'manager.guardian_read', personId, facilityId: facility.id, details: { checkinId, released, ...(reason ? { reason } : {}) } });
    if (!units?.includes('guardian')) {
      await record(false, 'no_guardian_consent');
      throw new ForbiddenError('no_guardian_consent', 'the guardian has not consented to this facility receiving their contact');
    }
    const guardian = guardianOf(await this.#d.engine.claimsFor(personId, { consented: new Set(['guardian']) }));
    if (!guardian) {
      await record(false, 'no_guardian');
      throw new NotFoundError('no_guardian', 'no guardian contact for this person');
    }
    const child = await this.#d.facts().visible(facility, personId, undefined);
    await record(true);
    return {
      checkin: { id: row.id, at: row.occurredAt.toISOString(), facilityId: facility.id },
      child: { ...(child?.name ? { name: child.name } : {}), ...(child?.passId ? { passId: child.passId } : {}) },
      guardians: [guardian],
    };
  }

  /**
   * Children at the facility now whose guardian can be looked up (consent given, a guardian with a
   * contact): each person once, with their latest check-in. Names only as the facility may see them.
   */
  async candidates(principal: StaffPrincipal, facilityId: string | undefined): Promise<GuardianCandidate[]> {
    const facilities = facilitiesFor(principal, facilityId);
    const now = Date.now();
    const consented = await registrantsWithUnit(
      this.#d.db,
      facilities.map((f) => f.id),
      'guardian',
    );
    const rows = await acceptedCheckinsOf(this.#d.db, consented, new Date(now - SHELTER_STAY_MS), 500);
    const byFacility = new Map(facilities.map((f) => [f.id, f]));
    const seen = new Set<string>();
    const facts = this.#d.facts();
    const out: GuardianCandidate[] = [];
    for (const row of rows) {
      const key = `${row.facilityId}\0${row.personId}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const facility = byFacility.get(row.facilityId)!;
      if (!(await this.#present(row, facility, now))) continue;
      if (!guardianOf(await this.#d.engine.claimsFor(row.personId!, { consented: new Set(['guardian']) }))) continue;
      const person = await facts.visible(facility, row.personId!, undefined);
      out.push({ checkinId: row.id, at: row.occurredAt.toISOString(), facilityId: row.facilityId, ...(person?.name ? { name: person.name } : {}), ...(person?.passId ? { passId: person.passId } : {}) });
    }
    await appendAudit(this.#d.db, {
      actorAccountId: principal.accountId,
      action: 'manager.guardian_list_read',
      facilityId: facilities.length === 1 ? facilities[0]!.id : undefined,
      details: { facilities: facilities.map((f) => f.id), rows: out.length },
    });
    return out;
  }
}

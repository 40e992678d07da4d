/**
 * What a facility's staff may see about a person who checked in there: exactly the consent units
 * of the person's active registration at that facility, computed by the claims engine (the same
 * rule as the facility's own systems). Without an active registration (withdrawn since, or an
 * emergency check-in at a shelter) only what the kiosk showed at the time is left. The PASS ID
 * is a pseudonym per facility sector, so two facilities cannot join their lists.
 */
import { createHmac } from 'node:crypto';
import type { Database } from '../../db/database.ts';
import type { ClaimsEngine } from '../../claims/engine.ts';
import type { ClaimPolicies } from '../../facilities/claim-policy.ts';
import type { ShownFacts } from '../../checkins/checkin-store.ts';
import { activeRegistrationClaims } from '../../registrations/active-claims.ts';

export interface VisiblePerson {
  name?: string;
  passId?: string;
  email?: string;
  gender?: string;
  birthdate?: string;
  /** resident | non_resident, member | guest */
  types: string[];
}

export interface FactsFacility {
  id: string;
  municipalityCode: string;
}

/** A pseudonymous id per (facility sector, person): 10 characters of Crockford base32, as XXXXX-XXXXX. */
export function facilityPassId(salt: string, sector: string, personId: string): string {
  const digest = createHmac('sha256', salt).update(`pass-manager-id\0${sector}\0${personId}`).digest();
  const alphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
  let bits = 0n;
  for (const byte of digest.subarray(0, 7)) bits = (bits << 8n) | BigInt(byte);
  let out = '';
  for (let i = 0; i < 10; i += 1) out += alphabet[Number((bits >> BigInt(51 - i * 5)) & 31n)];
  return `${out.slice(0, 5)}-${out.slice(5)}`;
}

export interface PersonFactsDeps {
  db: Database;
  engine: ClaimsEngine;
  policies: ClaimPolicies;
  pairwiseSalt: string;
}

/** One per request: it remembers what it worked out, so a page with the same person twice decrypts once. */
export class PersonFacts {
  readonly #d: PersonFactsDeps;
  readonly #cache = new Map<string, Promise<{ units: string[] | undefined; claims: Record<string, unknown> }>>();
  readonly #sectors = new Map<string, Promise<string>>();

  constructor(deps: PersonFactsDeps) {
    this.#d = deps;
  }

  #sector(facilityId: string): Promise<string> {
    let sector = this.#sectors.get(facilityId);
    if (!sector) {
      sector = this.#d.policies.find(facilityId).then((p) => p?.sector ?? `facility:${facilityId}`);
      this.#sectors.set(facilityId, sector);
    }
    return sector;
  }

  #consented(personId: string, facilityId: string) {
    const key = `${facilityId}\0${personId}`;
    let entry = this.#cache.get(key);
    if (!entry) {
      entry = (async () => {
        const units = await activeRegistrationClaims(this.#d.db, personId, facilityId);
        const claims = units?.length ? await this.#d.engine.claimsFor(personId, { consented: new Set(units) }) : {};
        return { units, claims };
      })();
      this.#cache.set(key, entry);
    }
    return entry;
  }

  /**
   * Whether the facility may look up this person's guardian: the registration there consents to
   * `guardian` and the claims engine has one (a household member under 18 only).
   */
  async hasGuardian(facility: FactsFacility, personId: string): Promise<boolean> {
    const { units, claims } = await this.#consented(personId, facility.id);
    return Boolean(units?.includes('guardian') && claims.guardian);
  }

  async visible(facility: FactsFacility, personId: string | undefined, shown: ShownFacts | undefined): Promise<VisiblePerson | undefined> {
    if (!personId) return shown?.name ? { name: shown.name, types: ['guest'] } : undefined;
    const [{ units, claims }, sector] = await Promise.all([this.#consented(personId, facility.id), this.#sector(facility.id)]);
    const person: VisiblePerson = { passId: facilityPassId(this.#d.pairwiseSalt, sector, personId), types: [] };
    if (units) {
      if (typeof claims.name === 'string') person.name = claims.name;
      if (typeof claims.email === 'string') person.email = claims.email;
      if (typeof claims.gender === 'string') person.gender = claims.gender;
      if (typeof claims.birthdate === 'string') person.birthdate = claims.birthdate;
      if (units.includes('resident_of')) person.types.push(claims.resident_of === facility.municipalityCode ? 'resident' : 'non_resident');
      else if (shown?.resident !== undefined) person.types.push(shown.resident ? 'resident' : 'non_resident');
      person.types.push('member');
    } else {
      if (shown?.name) person.name = shown.name;
      if (shown?.resident !== undefined) person.types.push(shown.resident ? 'resident' : 'non_resident');
      person.types.push('guest');
    }
    return person;
  }
}

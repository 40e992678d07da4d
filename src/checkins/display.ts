/**
 * What the kiosk may show about a person: only the consent units of their registration, derived
 * at check-in time (age from the verified birthdate, "resident" from the verified address — never
 * the birthdate or the address themselves).
 */
import { ageAt, residentOf, type MunicipalityName } from '../claims/derive.ts';
import type { ShownFacts } from './checkin-store.ts';

export interface PersonFacts {
  name?: string;
  birthdate?: string;
  address?: string;
}

export function shownFacts(units: readonly string[], facts: PersonFacts | undefined, facilityMunicipality: string, municipalities: readonly MunicipalityName[], now: Date): ShownFacts {
  const shown: ShownFacts = {};
  if (!facts) return shown;
  const age = ageAt(facts.birthdate, now);
  for (const unit of units) {
    if (unit === 'name' && facts.name) shown.name = facts.name;
    else if (unit === 'age' && age !== undefined) shown.age = age;
    else if (unit === 'resident_of' && facts.address) shown.resident = residentOf(facts.address, municipalities) === facilityMunicipality;
    else if (unit.startsWith('age_over_') && age !== undefined) {
      const n = Number(unit.slice('age_over_'.length));
      if (Number.isInteger(n)) shown.ageOver = { ...shown.ageOver, [String(n)]: age >= n };
    }
  }
  return shown;
}

/**
 * What the kiosk may show about a person. Two narrowings, in order:
 *  1. shownFacts: only the consent units of their registration, derived at check-in time (age from
 *     the verified birthdate, "resident" from the verified address — never the birthdate or the
 *     address themselves). This is what the facility's staff may see (PASS Manager reads it again
 *     through the identity owner).
 *  2. publicFacts: what the facility's kiosk display policy lets a public screen show, in front of
 *     the queue. Only this is stored with the check-in and sent to the kiosk.
 *
 * The policy (PASS Manager, per facility; docs/kiosk-display.md):
 *   name  given_name (default)  the given name only, the family name left out (「花子 さま」);
 *                               a name that cannot be split into family and given name is not shown
 *         full_name             the full name as verified
 *         none                  no name
 *   age   children_only (default)  the age of a person under 18 only
 *         always                   the age whenever the registration consents to it
 *         never                    no age
 * Either way nothing is shown beyond the registration's consent units.
 */
import { AGE_OF_MAJORITY } from '../claims/engine.ts';
import { ageAt, residentOf, type MunicipalityName } from '../claims/derive.ts';
import { splitName } from '../jpki/basic-four.ts';
import type { ShownFacts } from './checkin-store.ts';

export interface PersonFacts {
  name?: string;
  birthdate?: string;
  address?: string;
}

export const NAME_DISPLAYS = ['given_name', 'full_name', 'none'] as const;
export const AGE_DISPLAYS = ['children_only', 'always', 'never'] as const;
export type NameDisplay = (typeof NAME_DISPLAYS)[number];
export type AgeDisplay = (typeof AGE_DISPLAYS)[number];

/** A facility's rule for what its kiosks show on their public screen. */
export interface KioskDisplayPolicy {
  name: NameDisplay;
  age: AgeDisplay;
}

export const DEFAULT_KIOSK_DISPLAY: Readonly<KioskDisplayPolicy> = { name: 'given_name', age: 'children_only' };

/** The display policy of a facility's kiosks (PASS Manager's setting, handed to check-ins at start). */
export type KioskDisplaySource = (facilityId: string) => Promise<KioskDisplayPolicy>;

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

function publicName(name: string | undefined, rule: NameDisplay): string | undefined {
  if (!name || rule === 'none') return undefined;
  if (rule === 'full_name') return name;
  // Which part is the family name is known only for the register's "family　given" form.
  return splitName(name.trim())?.givenName;
}

function publicAge(age: number | undefined, rule: AgeDisplay): number | undefined {
  if (age === undefined || rule === 'never') return undefined;
  return rule === 'always' || age < AGE_OF_MAJORITY ? age : undefined;
}

/** The facts a kiosk may show in public under the facility's policy: never more than `facts`. */
export function publicFacts(facts: ShownFacts, policy: KioskDisplayPolicy): ShownFacts {
  const { name: fullName, age: exactAge, ...rest } = facts;
  const name = publicName(fullName, policy.name);
  const age = publicAge(exactAge, policy.age);
  return { ...(name !== undefined ? { name } : {}), ...(age !== undefined ? { age } : {}), ...rest };
}

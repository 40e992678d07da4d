/**
 * The basic four from the Digital Agency's UserInfo answer, in PASS's shape: the claims the card
 * path stores (src/jpki/basic-four.ts basicFourToClaims) and the facts its person key hashes.
 *
 * The public reference does not publish the encodings of these values (JPKI.md §9, UNCONFIRMED),
 * so PASS reads what OpenID Connect defines and what the card would give, and refuses anything
 * else rather than guess (docs/jpki.md lists the assumptions):
 *   name       a string; family and given name split only at one U+3000, as on the card;
 *   birthdate  `YYYY-MM-DD` (OIDC) or `YYYYMMDD`, a real date between Meiji and today;
 *   gender     `male` / `female` (OIDC) or the card's codes `1` / `2` / `3`; absent or null: `3`
 *              (not recorded), which the card path also leaves out of the claims;
 *   address    a string, or an OIDC address object with `formatted`.
 */
import { EraDateError, parseEraDate } from '../../../jpki/era-date.ts';
import { splitName } from '../../../jpki/basic-four.ts';
import type { BasicFourClaims, SexCode } from '../../../jpki/basic-four.ts';
import type { BasicFourHashInput } from '../../../jpki/basic-four-hash.ts';
import { PROOFING_REASONS } from '../messages.ts';

export const BASIC_FOUR_SCOPES = ['name', 'address', 'birthdate', 'gender'] as const;

const MAX_NAME_CHARS = 100;
const MAX_ADDRESS_CHARS = 200;
// Line breaks and other controls have no place in a name or an address (display, logs, the hash).
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

export interface DigitalAgencyFacts {
  claims: BasicFourClaims;
  /** What the person key hashes (name, birthdate, sex; the address too, though the key leaves it out). */
  hashInput: BasicFourHashInput;
}

function unusable(what: string) {
  return PROOFING_REASONS.refuse('digital_agency_userinfo_invalid', `the Digital Agency's answer holds ${what}`);
}

function text(value: unknown, field: string, max: number): string {
  const s = typeof value === 'string' ? value.trim() : undefined;
  if (s === undefined || s === '') throw PROOFING_REASONS.refuse('digital_agency_basic_four_missing', `the Digital Agency's answer has no ${field}`);
  if (CONTROL.test(s)) throw unusable(`a ${field} with control characters`);
  if ([...s].length > max) throw unusable(`a ${field} longer than ${max} characters`);
  return s;
}

function birthdateOf(value: unknown, now: Date): string {
  if (value === undefined || value === null || value === '') throw PROOFING_REASONS.refuse('digital_agency_basic_four_missing', "the Digital Agency's answer has no birthdate");
  const m = typeof value === 'string' ? /^(\d{4})-?(\d{2})-?(\d{2})$/.exec(value.trim()) : null;
  if (!m) throw unusable('a birthdate that is not YYYY-MM-DD');
  try {
    // Era code 0: any real date from Meiji to today, the era left unknown.
    return parseEraDate(`0${m[1]}${m[2]}${m[3]}`, { notAfter: now }).iso;
  } catch (error) {
    if (error instanceof EraDateError) throw unusable(`an impossible birthdate (${error.message})`);
    throw error;
  }
}

function sexCodeOf(value: unknown): SexCode {
  if (value === undefined || value === null || value === '') return '3';
  switch (value) {
    case 'male':
    case '1':
      return '1';
    case 'female':
    case '2':
      return '2';
    case '3':
      return '3';
    default:
      throw unusable('a gender PASS does not know');
  }
}

function addressOf(value: unknown): string {
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) return text((value as { formatted?: unknown }).formatted, 'address', MAX_ADDRESS_CHARS);
  return text(value, 'address', MAX_ADDRESS_CHARS);
}

/**
 * The basic four, or a refusal: `digital_agency_basic_four_missing` when the resident did not
 * share all four (a scope not granted, a value absent), `digital_agency_userinfo_invalid` for a
 * value PASS cannot read. `grantedScope` is the token response's `scope`; absent, the request's.
 */
export function factsFromUserInfo(userinfo: Record<string, unknown>, grantedScope: string | undefined, now: Date = new Date()): DigitalAgencyFacts {
  if (grantedScope !== undefined) {
    const granted = new Set(grantedScope.split(' '));
    const missing = BASIC_FOUR_SCOPES.filter((s) => !granted.has(s));
    if (missing.length) throw PROOFING_REASONS.refuse('digital_agency_basic_four_missing', `the resident did not share ${missing.join(', ')}`);
  }
  const name = text(userinfo.name, 'name', MAX_NAME_CHARS);
  const birthdate = birthdateOf(userinfo.birthdate, now);
  const sexCode = sexCodeOf(userinfo.gender);
  const address = addressOf(userinfo.address);
  const claims: BasicFourClaims = { name, birthdate, address: { formatted: address, country_code: 'JPN' } };
  const split = splitName(name);
  if (split) {
    claims.family_name = split.familyName;
    claims.given_name = split.givenName;
  }
  if (sexCode === '1') claims.gender = 'male';
  if (sexCode === '2') claims.gender = 'female';
  return { claims, hashInput: { name, birthdate, sexCode, address } };
}

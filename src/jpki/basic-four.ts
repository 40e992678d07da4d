/**
 * The basic four (氏名・生年月日・性別・住所) from the signature certificate's subjectAltName
 * otherNames (JPKI.md §2.3), and their mapping to OIDC claims (§7.7). The names' order in the SAN
 * is not relied on; each of the six must appear exactly once.
 */
import type { JpkiCertificate } from './certificate.ts';
import { decodeGeneralNames } from './certificate-extensions.ts';
import { DerError, Tag, expectSequence, isUniversal } from './der.ts';
import { decodeString } from './der-values.ts';
import { EraDateError, parseEraDate } from './era-date.ts';
import { JpkiInputError } from './errors.ts';
import { BASIC_FOUR_ARC, BASIC_FOUR_OID, OID } from './oids.ts';

export interface SubstitutionFlags {
  /** The raw `0`/`1` string from the certificate. */
  raw: string;
  /** Zero-based character (code point) positions that hold a 代替文字. */
  positions: number[];
  /** Any 代替文字 present: matching against registry data then needs manual review (JPKI.md §4.7). */
  present: boolean;
  /** Whether the flag string has one flag per character of the value, as the profile says. */
  lengthMatches: boolean;
}

export type SexCode = '1' | '2' | '3';
export type Gender = 'male' | 'female';

export interface BasicFour {
  name: string;
  familyName: string | undefined;
  givenName: string | undefined;
  nameSubstitution: SubstitutionFlags;
  /** As in the certificate, `EYYYYMMDD`. */
  dateOfBirth: string;
  /** ISO `YYYY-MM-DD`. */
  birthdate: string;
  /** Era name (明治…令和), undefined for era code 0. */
  era: string | undefined;
  sexCode: SexCode;
  gender: Gender | undefined;
  address: string;
  addressSubstitution: SubstitutionFlags;
}

export interface AddressClaim {
  formatted: string;
  country_code: 'JPN';
}

export interface BasicFourClaims {
  name: string;
  family_name?: string;
  given_name?: string;
  birthdate: string;
  gender?: Gender;
  address: AddressClaim;
}

const REQUIRED: readonly string[] = Object.values(BASIC_FOUR_OID);
const MAX_ADDRESS_CHARS = 200;
// C0/C1 controls and line breaks have no place in a name or address and would break display/logs.
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

function invalid(message: string): JpkiInputError {
  return new JpkiInputError('invalid_basic_four', message);
}

/** Reads the six otherNames; throws missing_basic_four / duplicate_basic_four / invalid_basic_four. */
export function readBasicFourOtherNames(cert: JpkiCertificate): Map<string, string> {
  const san = cert.extensions.raw.get(OID.subjectAltName);
  if (!san) throw new JpkiInputError('missing_basic_four', 'certificate has no subjectAltName with the basic four');
  let otherNames;
  try {
    otherNames = decodeGeneralNames(expectSequence(san.value, 'GeneralNames', 1)).otherNames;
  } catch (err) {
    if (err instanceof DerError) throw new JpkiInputError('malformed_certificate', `subjectAltName: ${err.message}`);
    throw err;
  }
  const values = new Map<string, string>();
  for (const { typeId, value } of otherNames) {
    if (!typeId.startsWith(BASIC_FOUR_ARC)) continue;
    // Unknown members of the arc (e.g. a future furigana field) are ignored, not refused.
    if (!REQUIRED.includes(typeId)) continue;
    if (values.has(typeId)) throw new JpkiInputError('duplicate_basic_four', `otherName ${typeId} appears more than once`);
    if (!isUniversal(value, Tag.utf8String)) throw invalid(`otherName ${typeId} must be a UTF8String`);
    values.set(typeId, decodeString(value));
  }
  const missing = REQUIRED.filter((oid) => !values.has(oid));
  if (missing.length > 0) {
    throw new JpkiInputError('missing_basic_four', `certificate lacks basic-four otherName(s) ${missing.join(', ')}`, { missing });
  }
  return values;
}

export function parseSubstitutionFlags(raw: string, value: string, field: string): SubstitutionFlags {
  if (!/^[01]*$/.test(raw)) throw invalid(`${field} substitution flags must be 0/1 characters`);
  const positions: number[] = [];
  for (let i = 0; i < raw.length; i++) if (raw[i] === '1') positions.push(i);
  return { raw, positions, present: positions.length > 0, lengthMatches: raw.length === [...value].length };
}

/** Family/given only when exactly one U+3000 separates two non-empty parts (JPKI.md §7.7). */
export function splitName(name: string): { familyName: string; givenName: string } | undefined {
  const parts = name.split('\u3000');
  if (parts.length !== 2 || parts[0] === '' || parts[1] === '') return undefined;
  return { familyName: parts[0]!, givenName: parts[1]! };
}

export function genderFromSexCode(code: string): Gender | undefined {
  switch (code) {
    case '1':
      return 'male';
    case '2':
      return 'female';
    case '3':
      return undefined;
    default:
      throw invalid('sex code must be 1, 2 or 3');
  }
}

function checkText(value: string, field: string): void {
  if (value.trim() === '') throw invalid(`${field} is empty`);
  if (CONTROL.test(value)) throw invalid(`${field} contains control characters`);
}

export function extractBasicFour(cert: JpkiCertificate, options: { now?: Date } = {}): BasicFour {
  const v = readBasicFourOtherNames(cert);
  const get = (oid: string): string => v.get(oid)!;
  const name = get(BASIC_FOUR_OID.name);
  const address = get(BASIC_FOUR_OID.address);
  checkText(name, 'name');
  checkText(address, 'address');
  if ([...address].length > MAX_ADDRESS_CHARS) throw invalid('address longer than 200 characters');

  const sexCode = get(BASIC_FOUR_OID.sex);
  const gender = genderFromSexCode(sexCode);
  const dateOfBirth = get(BASIC_FOUR_OID.dateOfBirth);
  let dob;
  try {
    dob = parseEraDate(dateOfBirth, options.now ? { notAfter: options.now } : {});
  } catch (err) {
    if (err instanceof EraDateError) throw invalid(`date of birth: ${err.message}`);
    throw err;
  }
  const split = splitName(name);
  return {
    name,
    familyName: split?.familyName,
    givenName: split?.givenName,
    nameSubstitution: parseSubstitutionFlags(get(BASIC_FOUR_OID.nameSubstitutionFlags), name, 'name'),
    dateOfBirth,
    birthdate: dob.iso,
    era: dob.era?.name,
    sexCode: sexCode as SexCode,
    gender,
    address,
    addressSubstitution: parseSubstitutionFlags(get(BASIC_FOUR_OID.addressSubstitutionFlags), address, 'address'),
  };
}

export function basicFourToClaims(b: BasicFour): BasicFourClaims {
  const claims: BasicFourClaims = {
    name: b.name,
    birthdate: b.birthdate,
    address: { formatted: b.address, country_code: 'JPN' },
  };
  if (b.familyName !== undefined && b.givenName !== undefined) {
    claims.family_name = b.familyName;
    claims.given_name = b.givenName;
  }
  if (b.gender) claims.gender = b.gender;
  return claims;
}

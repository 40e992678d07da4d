/**
 * JPKI dates of birth are `EYYYYMMDD`: an era code followed by the *Gregorian* date (JPKI.md §2.3,
 * e.g. `118991201` = Meiji, 1899-12-01). The era is redundant, so it is used as a consistency
 * check: a date outside its era's range means a corrupt or forged value.
 */

export type EraCode = '0' | '1' | '2' | '3' | '4' | '5';

export interface Era {
  code: EraCode;
  name: string;
  /** First and last Gregorian day (inclusive, ISO). Accession days belong to both eras. */
  from: string;
  to: string | undefined;
}

// Meiji was declared retroactive to 慶応4年1月1日 = 1868-01-25. 1912-07-30 and 1926-12-25 are both the
// last day of one era and the first of the next, and either era may be recorded for them.
export const ERAS: readonly Era[] = [
  { code: '1', name: '明治', from: '1868-01-25', to: '1912-07-30' },
  { code: '2', name: '大正', from: '1912-07-30', to: '1926-12-25' },
  { code: '3', name: '昭和', from: '1926-12-25', to: '1989-01-07' },
  { code: '4', name: '平成', from: '1989-01-08', to: '2019-04-30' },
  { code: '5', name: '令和', from: '2019-05-01', to: undefined },
];

export interface EraDate {
  /** ISO `YYYY-MM-DD`, the OIDC `birthdate` format. */
  iso: string;
  /** Undefined for era code 0 (unknown era). */
  era: Era | undefined;
}

export class EraDateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EraDateError';
  }
}

export function isValidIsoDate(iso: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d;
}

/**
 * Parses `EYYYYMMDD`. Partially unknown dates (month or day `00`) are refused: how JPKI encodes
 * them is unconfirmed (JPKI.md §11.3), and guessing would put a wrong birthdate into claims.
 */
export function parseEraDate(value: string, options: { notAfter?: Date } = {}): EraDate {
  const m = /^([0-9])(\d{4})(\d{2})(\d{2})$/.exec(value);
  if (!m) throw new EraDateError('date of birth must be 9 digits EYYYYMMDD');
  const code = m[1]!;
  const iso = `${m[2]}-${m[3]}-${m[4]}`;
  if (!isValidIsoDate(iso)) throw new EraDateError(`impossible date ${iso}`);
  if (iso < ERAS[0]!.from) throw new EraDateError(`date ${iso} is before the Meiji era`);
  if (options.notAfter && iso > options.notAfter.toISOString().slice(0, 10)) {
    throw new EraDateError(`date ${iso} is in the future`);
  }
  if (code === '0') return { iso, era: undefined };
  const era = ERAS.find((e) => e.code === code);
  if (!era) throw new EraDateError(`unknown era code ${code}`);
  if (iso < era.from || (era.to !== undefined && iso > era.to)) {
    throw new EraDateError(`date ${iso} is outside the ${era.name} era`);
  }
  return { iso, era };
}

/** The era code for a Gregorian date (the later era on accession days), for building test data. */
export function eraCodeFor(iso: string): EraCode {
  if (!isValidIsoDate(iso) || iso < ERAS[0]!.from) throw new EraDateError(`no era for ${iso}`);
  const era = [...ERAS].reverse().find((e) => iso >= e.from)!;
  return era.code;
}

export function toEraCoded(iso: string): string {
  return `${eraCodeFor(iso)}${iso.replaceAll('-', '')}`;
}

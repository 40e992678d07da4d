/**
 * Derived claims: `age` and `age_over_N` from the verified birthdate at issue time, `resident_of`
 * from the verified address. Pure functions of the facts and the clock, so the edges are testable.
 *
 * Age follows Japanese law (年齢計算ニ関スル法律, 民法143条): a year of age is complete at the end
 * of the day before the birthday, so on the birthday itself the resident has the new age; someone
 * born on 29 February completes a year at the end of 28 February in a common year, i.e. has the new
 * age from 1 March. "Today" is the date in Japan (UTC+9, no daylight saving), whatever the server's
 * time zone.
 */

const JST_OFFSET_MS = 9 * 3600_000;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

export interface CalendarDate {
  year: number;
  month: number;
  day: number;
}

export function dateInJapan(now: Date): CalendarDate {
  const shifted = new Date(now.getTime() + JST_OFFSET_MS);
  return { year: shifted.getUTCFullYear(), month: shifted.getUTCMonth() + 1, day: shifted.getUTCDate() };
}

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/** A full ISO birthdate; undefined for partial dates (`YYYY`, `0000-MM-DD`) or impossible ones. */
export function parseBirthdate(value: string | undefined): CalendarDate | undefined {
  const match = value ? ISO_DATE.exec(value) : null;
  if (!match) return undefined;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (year === 0 || month < 1 || month > 12 || day < 1) return undefined;
  const days = [31, isLeapYear(year) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]!;
  return day <= days ? { year, month, day } : undefined;
}

/** Completed years on the date in Japan at `now`; undefined without a full birthdate or before birth. */
export function ageAt(birthdate: string | undefined, now: Date): number | undefined {
  const born = parseBirthdate(birthdate);
  if (!born) return undefined;
  const today = dateInJapan(now);
  // The birthday of this year; 29 February falls on 1 March in a common year.
  const [month, day] = born.month === 2 && born.day === 29 && !isLeapYear(today.year) ? [3, 1] : [born.month, born.day];
  let age = today.year - born.year;
  if (today.month < month || (today.month === month && today.day < day)) age -= 1;
  return age >= 0 ? age : undefined;
}

export interface MunicipalityName {
  code: string;
  prefectureJa: string;
  nameJa: string;
}

function normalise(value: string): string {
  return value.normalize('NFKC').replace(/\s+/gu, '');
}

/**
 * The 全国地方公共団体コード of the municipality the verified address is in, by the longest
 * `<prefecture><municipality>` prefix among the known municipalities (config/municipalities.json);
 * undefined for an address outside them. The address itself is never part of the claim.
 */
export function residentOf(address: string | undefined, municipalities: readonly MunicipalityName[]): string | undefined {
  if (!address) return undefined;
  const text = normalise(address);
  let best: { code: string; length: number } | undefined;
  for (const m of municipalities) {
    const prefix = normalise(`${m.prefectureJa}${m.nameJa}`);
    if (text.startsWith(prefix) && (!best || prefix.length > best.length)) best = { code: m.code, length: prefix.length };
  }
  return best?.code;
}

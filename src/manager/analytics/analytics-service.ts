/**
 * Check-in and registration figures for PASS Manager over the facilities the principal may see
 * (one of them, or all), aggregated in SQL by the owners of check-ins and registrations: check-ins
 * per day and per hour of the day, the share of each method, residents and non-residents,
 * registrations and withdrawals per day. Days and hours are Japan's (Asia/Tokyo). A "check-in" is
 * an accepted arrival (direction `in`); refusals are counted beside them, check-outs not at all.
 * Only counts leave the database: no personal data.
 */
import { z } from 'zod';
import type { Database } from '../../db/database.ts';
import { CHECKIN_METHODS, type CheckinMethod } from '../../checkins/checkin-store.ts';
import { arrivalFigures } from '../../checkins/checkin-figures.ts';
import { registrationsPerDay } from '../../registrations/registration-reads.ts';
import { facilitiesFor, type StaffPrincipal } from '../staff-scope.ts';
import { ManagerRefusal } from '../admin/refusals.ts';

export const ZONE = 'Asia/Tokyo';
const DAY_MS = 86_400_000;
export const MAX_DAYS = 366;
export const DEFAULT_DAYS = 30;

const isoDay = z.string().regex(/^\d{4}-\d{2}-\d{2}$/).refine((s) => !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) && new Date(`${s}T00:00:00Z`).toISOString().startsWith(s));

export const rangeQuery = z.object({
  from: isoDay.optional(),
  to: isoDay.optional(),
  facility: z.string().regex(/^[a-z0-9-]{3,64}$/).optional(),
});

export interface DayRange {
  from: string;
  to: string;
  days: number;
}

export interface RegistrationDay {
  day: string;
  registered: number;
  withdrawn: number;
}

export interface AnalyticsReport {
  range: DayRange;
  facilities: Array<{ id: string; name: { ja: string; en: string } }>;
  totals: { checkins: number; refused: number; registered: number; withdrawn: number };
  perDay: Array<{ day: string; checkins: number; refused: number }>;
  perHour: Array<{ hour: number; checkins: number }>;
  byMethod: Array<{ method: CheckinMethod; checkins: number }>;
  residency: { resident: number; nonResident: number; unknown: number };
  registrations: RegistrationDay[];
}

/** Today in Japan, as YYYY-MM-DD. */
export function todayInJapan(now = new Date()): string {
  return new Date(now.getTime() + 9 * 3600_000).toISOString().slice(0, 10);
}

function addDays(day: string, n: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY_MS).toISOString().slice(0, 10);
}

/** The days asked for (both ends included), by default the last 30 days up to today. */
export function dayRange(input: { from?: string | undefined; to?: string | undefined }, now = new Date()): DayRange {
  const to = input.to ?? (input.from ? addDays(input.from, DEFAULT_DAYS - 1) : todayInJapan(now));
  const from = input.from ?? addDays(to, -(DEFAULT_DAYS - 1));
  const days = Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS) + 1;
  if (days < 1) throw new ManagerRefusal('range_reversed');
  if (days > MAX_DAYS) throw new ManagerRefusal('range_too_long');
  return { from, to, days };
}

/** Japan has no daylight saving time: a day there starts at 15:00 UTC the day before. */
function bounds(range: DayRange): [Date, Date] {
  return [new Date(`${range.from}T00:00:00+09:00`), new Date(`${addDays(range.to, 1)}T00:00:00+09:00`)];
}

export class AnalyticsService {
  readonly #db: Database;

  constructor(db: Database) {
    this.#db = db;
  }

  async report(principal: StaffPrincipal, query: z.output<typeof rangeQuery>, now = new Date()): Promise<AnalyticsReport> {
    const facilities = facilitiesFor(principal, query.facility);
    const range = dayRange(query, now);
    const ids = facilities.map((f) => f.id);
    const [start, end] = bounds(range);
    const period = { facilityIds: ids, start, end, zone: ZONE };
    const [arrivals, registered, withdrawn] = await Promise.all([
      arrivalFigures(this.#db, period),
      registrationsPerDay(this.#db, period, 'registered'),
      registrationsPerDay(this.#db, period, 'withdrawn'),
    ]);

    const byDay = new Map(arrivals.perDay.map((d) => [d.day, d]));
    const regs = new Map(registered.map((r) => [r.day, r.count]));
    const gone = new Map(withdrawn.map((r) => [r.day, r.count]));
    const perDay: AnalyticsReport['perDay'] = [];
    const registrations: RegistrationDay[] = [];
    for (let i = 0; i < range.days; i += 1) {
      const day = addDays(range.from, i);
      perDay.push({ day, checkins: byDay.get(day)?.checkins ?? 0, refused: byDay.get(day)?.refused ?? 0 });
      registrations.push({ day, registered: regs.get(day) ?? 0, withdrawn: gone.get(day) ?? 0 });
    }
    const byHour = new Map(arrivals.perHour.map((h) => [h.hour, h.checkins]));
    const byMethod = new Map(arrivals.byMethod.map((m) => [m.method, m.checkins]));
    return {
      range,
      facilities: facilities.map((f) => ({ id: f.id, name: { ja: f.nameJa, en: f.nameEn } })),
      totals: {
        checkins: perDay.reduce((s, d) => s + d.checkins, 0),
        refused: perDay.reduce((s, d) => s + d.refused, 0),
        registered: registrations.reduce((s, d) => s + d.registered, 0),
        withdrawn: registrations.reduce((s, d) => s + d.withdrawn, 0),
      },
      perDay,
      perHour: Array.from({ length: 24 }, (_, hour) => ({ hour, checkins: byHour.get(hour) ?? 0 })),
      byMethod: CHECKIN_METHODS.map((method) => ({ method, checkins: byMethod.get(method) ?? 0 })),
      residency: arrivals.residency,
      registrations,
    };
  }
}

/**
 * The check-in history filter, as the API reads it from a query string: facility, dates (days in
 * Japan, both included), method, result, a person search (name, PASS ID or e-mail), paging.
 * Empty fields count as absent, so a form can send every field.
 */
import { z } from 'zod';
import { CHECKIN_METHODS } from '../../checkins/checkin-store.ts';

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/).refine((value) => !Number.isNaN(Date.parse(`${value}T00:00:00+09:00`)), 'not a date');

export const historyFilterSchema = z
  .object({
    facility: z.string().regex(/^[a-z0-9-]{3,64}$/).optional(),
    from: day.optional(),
    to: day.optional(),
    method: z.enum(CHECKIN_METHODS).optional(),
    result: z.enum(['accepted', 'rejected']).optional(),
    q: z.string().trim().min(1).max(100).optional(),
    page: z.coerce.number().int().min(1).max(100_000).default(1),
    size: z.coerce.number().int().min(1).max(200).default(50),
  })
  .strict()
  .refine((f) => !f.from || !f.to || f.from <= f.to, { path: ['to'], message: 'the end date is before the start date' });

export type HistoryFilter = z.output<typeof historyFilterSchema>;

/** The query string as a plain object, without empty values (a form sends every field). */
export function queryValues(query: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(query)) {
    const single = Array.isArray(value) ? value[0] : value;
    if (single !== undefined && single !== '') out[key] = single;
  }
  return out;
}

/** Midnight in Japan at the start of the day, and of the day after `to` (exclusive). */
export function dayRange(filter: Pick<HistoryFilter, 'from' | 'to'>): { since?: Date; until?: Date } {
  const since = filter.from ? new Date(`${filter.from}T00:00:00+09:00`) : undefined;
  const until = filter.to ? new Date(new Date(`${filter.to}T00:00:00+09:00`).getTime() + 86400_000) : undefined;
  return { ...(since ? { since } : {}), ...(until ? { until } : {}) };
}

/** What a person search compares: no spaces (full-width ones included), no hyphens, NFKC, lower case. */
export function searchKey(value: string): string {
  return value.normalize('NFKC').replace(/[\s-]+/gu, '').toLowerCase();
}

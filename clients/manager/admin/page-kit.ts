/**
 * What the management, analytics and shelter screens share: which facility a screen is about
 * (the one asked for, if it is one of the principal's, else their first), the notice after a
 * redirect, and the text of an API refusal in the staff member's language.
 */
import type { Context } from 'koa';
import type { ManagerFacility, StaffPrincipal } from '../../../src/manager/staff-scope.ts';
import type { ApiAnswer } from '../manager-api.ts';
import type { StaffRequest } from '../sections.ts';

export function chooseFacility(principal: StaffPrincipal, requested: unknown, fits: (f: ManagerFacility) => boolean = () => true): ManagerFacility | undefined {
  const candidates = principal.facilities.filter(fits);
  return candidates.find((f) => f.id === requested) ?? candidates[0];
}

export function facilityName(f: { nameJa: string; nameEn: string }, lang: 'ja' | 'en'): string {
  return lang === 'ja' ? f.nameJa : f.nameEn;
}

/** `%s` in a message, filled in. */
export function fill(text: string, ...values: string[]): string {
  let i = 0;
  return text.replace(/%s/g, () => values[i++] ?? '');
}

/** The notice a redirect asked for (`?done=<message key>`), among the keys the screen knows. */
export function noticeOf(ctx: Context, staff: StaffRequest, allowed: readonly string[]): string | null {
  const done = typeof ctx.query.done === 'string' ? ctx.query.done : undefined;
  return done && allowed.includes(done) ? staff.t(done) : null;
}

export function refusal(staff: StaffRequest, answer: ApiAnswer<unknown>): string {
  return staff.api.refusal(answer, staff.t('admin.failed'));
}

/** A form's text field (urlencoded), trimmed; a repeated field counts as its first value. */
export function field(ctx: Context, name: string): string {
  const value = (ctx.request.body as Record<string, unknown> | undefined)?.[name];
  const first = Array.isArray(value) ? value[0] : value;
  return typeof first === 'string' ? first.trim() : '';
}

/** Every value of a repeated form field (checkboxes). */
export function fields(ctx: Context, name: string): string[] {
  const value = (ctx.request.body as Record<string, unknown> | undefined)?.[name];
  const list = Array.isArray(value) ? value : value === undefined ? [] : [value];
  return list.filter((v): v is string => typeof v === 'string');
}

/** A textarea of one value per line. */
export function lines(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);
}

/** The stylesheet of these screens (forms, charts, the print layout), after the console's own. */
export const STYLES = ['manage.css'];

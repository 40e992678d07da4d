/** Dates as residents read them: Japanese or English, in Japan time. */
import type { Lang } from '../../src/http/i18n.ts';

const LOCALE: Record<Lang, string> = { ja: 'ja-JP', en: 'en-GB' };

/** `YYYY-MM-DD` (a birthdate: a calendar date, no time zone) → 1980年2月17日 / 17 February 1980. */
export function formatDate(isoDate: string, lang: Lang): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(isoDate);
  if (!match) return isoDate;
  const date = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
  return new Intl.DateTimeFormat(LOCALE[lang], { year: 'numeric', month: 'long', day: 'numeric', timeZone: 'UTC' }).format(date);
}

export function formatDateTime(value: string | Date, lang: Lang): string {
  const date = typeof value === 'string' ? new Date(value) : value;
  if (Number.isNaN(date.getTime())) return String(value);
  return new Intl.DateTimeFormat(LOCALE[lang], { dateStyle: 'long', timeStyle: 'short', timeZone: 'Asia/Tokyo' }).format(date);
}

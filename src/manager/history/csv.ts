/**
 * CSV that Excel opens correctly: UTF-8 with a byte order mark (Excel's cue for UTF-8; without it
 * Japanese names come out as mojibake), CRLF line ends, RFC 4180 quoting, and no formulas: a cell
 * starting with = + - @ (or a tab or carriage return, which Excel also reads as a formula start)
 * gets a leading apostrophe, so a name like "=HYPERLINK(…)" stays text (OWASP CSV injection).
 */
import type { Lang } from '../../http/i18n.ts';
import { DIRECTION_LABELS, GENDER_LABELS, HISTORY_COLUMNS, METHOD_LABELS, RESULT_LABELS, TYPE_LABELS, japanTime, label, padLabel, reasonLabel } from '../labels.ts';
import type { ManagerFacility } from '../staff-scope.ts';
import type { HistoryRow } from './history-service.ts';

export const BOM = '\uFEFF';

export function csvCell(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function toCsv(rows: readonly (readonly string[])[]): string {
  return BOM + rows.map((row) => row.map(csvCell).join(',')).join('\r\n') + '\r\n';
}

const COLUMNS = ['at', 'facility', 'kiosk', 'method', 'result', 'reason', 'direction', 'name', 'passId', 'email', 'gender', 'birthdate', 'type', 'pad'] as const;

export function historyCsv(rows: readonly HistoryRow[], facilities: readonly ManagerFacility[], lang: Lang): string {
  const names = new Map(facilities.map((f) => [f.id, lang === 'ja' ? f.nameJa : f.nameEn]));
  const header = COLUMNS.map((c) => HISTORY_COLUMNS[c]![lang]);
  const body = rows.map((r) => [
    japanTime(r.occurredAt),
    names.get(r.facilityId) ?? r.facilityId,
    r.kioskName ?? '',
    label(METHOD_LABELS, r.method, lang),
    label(RESULT_LABELS, r.result, lang),
    reasonLabel(r.reason, lang),
    label(DIRECTION_LABELS, r.direction, lang),
    r.person?.name ?? '',
    r.person?.passId ?? '',
    r.person?.email ?? '',
    label(GENDER_LABELS, r.person?.gender, lang),
    r.person?.birthdate ?? '',
    (r.person?.types ?? []).map((t) => label(TYPE_LABELS, t, lang)).join(' '),
    padLabel(r.pad, lang),
  ]);
  return toCsv([header, ...body]);
}

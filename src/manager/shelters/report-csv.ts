/**
 * The shelters' periodic report as CSV (the Manager's CSV writer: UTF-8 with BOM, CRLF, RFC 4180,
 * no formulas): one row per person inside, with the shelter, what the check-in showed (name, age),
 * since when, and how they checked in; the header says when the report was made.
 */
import type { Lang } from '../../http/i18n.ts';
import { METHOD_LABELS, japanTime, label } from '../labels.ts';
import { toCsv } from '../history/csv.ts';
import type { Roster } from './shelter-board.ts';

const COLUMNS = {
  shelter: { ja: '避難所', en: 'Shelter' },
  name: { ja: '氏名', en: 'Name' },
  age: { ja: '年齢', en: 'Age' },
  since: { ja: '入所日時', en: 'Checked in at' },
  method: { ja: '方法', en: 'Method' },
  kiosk: { ja: 'キオスク', en: 'Kiosk' },
  note: { ja: '備考', en: 'Note' },
  reportedAt: { ja: '作成日時', en: 'Report made at' },
} as const;

const ANONYMOUS = { ja: 'カードのみ（登録なし）', en: 'Card only (not registered)' };
const UNNAMED = { ja: '（氏名の提供なし）', en: '(name not shared)' };

export function shelterReportCsv(rosters: readonly Roster[], lang: Lang, now = new Date()): string {
  const header = (['shelter', 'name', 'age', 'since', 'method', 'kiosk', 'note', 'reportedAt'] as const).map((c) => COLUMNS[c][lang]);
  const made = japanTime(now);
  const body = rosters.flatMap((r) =>
    r.people.map((p) => [
      r.shelter.name[lang],
      p.name ?? UNNAMED[lang],
      p.age === null ? '' : String(p.age),
      japanTime(p.since),
      label(METHOD_LABELS, p.method, lang),
      p.kiosk ?? '',
      p.anonymous ? ANONYMOUS[lang] : '',
      made,
    ]),
  );
  return toCsv([header, ...body]);
}

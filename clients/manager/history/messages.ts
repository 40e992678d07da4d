import type { Messages } from '../../../src/http/i18n.ts';

export const HISTORY_MESSAGES: Messages = {
  'nav.history': { ja: 'チェックイン履歴', en: 'Check-in history' },
  'history.title': { ja: 'チェックイン履歴', en: 'Check-in history' },
  'history.filters': { ja: '絞り込み', en: 'Filters' },
  'history.from': { ja: '開始日', en: 'From' },
  'history.to': { ja: '終了日', en: 'To' },
  'history.method': { ja: '方法', en: 'Method' },
  'history.result': { ja: '結果', en: 'Result' },
  'history.any': { ja: 'すべて', en: 'All' },
  'history.person': { ja: '利用者(氏名・PASS ID・メール)', en: 'Person (name, PASS ID, e-mail)' },
  'history.search': { ja: '検索', en: 'Search' },
  'history.reset': { ja: '条件をクリア', en: 'Clear filters' },
  'history.csv': { ja: 'CSVをダウンロード', en: 'Download CSV' },
  'history.count': { ja: '件', en: 'check-ins' },
  'history.none': { ja: '該当するチェックインはありません。', en: 'No check-ins match.' },
  'history.prev': { ja: '前のページ', en: 'Previous page' },
  'history.next': { ja: '次のページ', en: 'Next page' },
  'history.page': { ja: 'ページ', en: 'Page' },
  'history.guardian': { ja: '保護者', en: 'Guardian' },
  'history.anonymous': { ja: '(未登録のカード)', en: '(unregistered card)' },
  'history.caption': { ja: 'チェックインの一覧(新しい順)', en: 'Check-ins, newest first' },
};

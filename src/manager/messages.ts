/** What the Manager API says when it refuses, Japanese first (the console shows `message`). */
const m = (ja: string, en: string) => ({ ja, en });

export const MANAGER_API_MESSAGES: Record<string, { ja: string; en: string }> = {
  not_staff: m('このアカウントには PASS Manager を利用する権限がありません。', 'This account may not use PASS Manager.'),
  facility_not_permitted: m('この施設の情報を見る権限がありません。', 'You are not allowed to see this facility.'),
  not_permitted: m('この操作の権限がありません。', 'You are not allowed to do this.'),
  invalid_request: m('入力内容が正しくありません。', 'The request is not valid.'),
  invalid_token: m('ログインの有効期限が切れました。もう一度ログインしてください。', 'Your sign-in has expired. Please sign in again.'),
  insufficient_scope: m('この操作の権限がありません。', 'You are not allowed to do this.'),
  checkin_not_found: m('チェックインの記録が見つかりません。', 'The check-in was not found.'),
  alert_not_found: m('通知が見つかりません。', 'The alert was not found.'),
  thumbnail_not_found: m('画像は保存期間を過ぎたため削除されました。', 'The image has expired and was deleted.'),
  not_checked_in: m('この方の最近のチェックインが見つかりません。', 'No recent check-in of this person was found.'),
  no_guardian_consent: m('保護者がこの施設への連絡先の提供に同意していません。', "The guardian has not consented to this facility receiving their contact details."),
  no_guardian: m('この方の保護者の連絡先はありません。', 'There is no guardian contact for this person.'),
  too_many_rows: m('該当する件数が多すぎます。期間や条件を絞り込んでください。', 'Too many rows match. Narrow the dates or filters.'),
};

export function managerMessage(reason: string): { ja: string; en: string } | undefined {
  return Object.hasOwn(MANAGER_API_MESSAGES, reason) ? MANAGER_API_MESSAGES[reason] : undefined;
}

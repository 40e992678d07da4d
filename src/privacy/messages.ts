/** What the PASS app shows for each refusal of the data-rights API, Japanese first. */
import type { CheckinMessage } from '../checkins/messages.ts';

export const PRIVACY_MESSAGES: Record<string, CheckinMessage> = {
  account_required: { ja: 'ご本人のログインが必要です。', en: 'Please sign in as yourself.' },
  account_not_found: { ja: 'アカウントが見つかりません。', en: 'The account was not found.' },
  password_wrong: { ja: 'パスワードが正しくありません。', en: 'The password is not correct.' },
  account_locked: { ja: 'パスワードの誤りが続いたため、しばらくお待ちください。', en: 'Too many wrong passwords. Please wait a while.' },
  household_has_members: {
    ja: '世帯に家族が登録されています。先に家族を削除するか、家族のデータもあわせて削除することを選んでください。',
    en: 'Your household has members. Remove them first, or choose to delete their data together with your account.',
  },
  confirmation_required: { ja: '削除の確認にチェックを入れてください。', en: 'Please tick the box to confirm the deletion.' },
  invalid_request: { ja: '送信内容が正しくありません。', en: 'The request is not valid.' },
  invalid_token: { ja: 'もう一度ログインしてください。', en: 'Please sign in again.' },
  insufficient_scope: { ja: 'この操作の権限がありません。', en: 'You are not allowed to do this.' },
};

export function privacyMessage(reason: string): CheckinMessage | undefined {
  return Object.hasOwn(PRIVACY_MESSAGES, reason) ? PRIVACY_MESSAGES[reason] : undefined;
}

/** The data-rights API's reasons: the status of each and what the PASS app shows, Japanese first. */
import { defineReasons, type ReasonEntry } from '../core/reasons.ts';

export const PRIVACY_REASONS = defineReasons('privacy', {
  account_required: { status: 403, ja: 'ご本人のログインが必要です。', en: 'Please sign in as yourself.' },
  account_not_found: { status: 404, ja: 'アカウントが見つかりません。', en: 'The account was not found.' },
  password_wrong: { status: 400, ja: 'パスワードが正しくありません。', en: 'The password is not correct.' },
  account_locked: { status: 429, ja: 'パスワードの誤りが続いたため、しばらくお待ちください。', en: 'Too many wrong passwords. Please wait a while.' },
  household_has_members: {
    status: 409,
    ja: '世帯に家族が登録されています。先に家族を削除するか、家族のデータもあわせて削除することを選んでください。',
    en: 'Your household has members. Remove them first, or choose to delete their data together with your account.',
  },
  confirmation_required: { status: 400, ja: '削除の確認にチェックを入れてください。', en: 'Please tick the box to confirm the deletion.' },
  invalid_request: { status: 400, ja: '送信内容が正しくありません。', en: 'The request is not valid.' },
  invalid_token: { status: 401, ja: 'もう一度ログインしてください。', en: 'Please sign in again.' },
  insufficient_scope: { status: 403, ja: 'この操作の権限がありません。', en: 'You are not allowed to do this.' },
} satisfies Record<string, ReasonEntry>);

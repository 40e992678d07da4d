import type { Messages } from '../../../src/http/i18n.ts';

/** Words of the data-rights screens (download, account deletion). Japanese first. */
export const PRIVACY_APP_MESSAGES: Messages = {
  'section.privacy': { ja: 'データとアカウント', en: 'Your data and account' },
  'section.privacy.text': { ja: 'あなたのデータのダウンロードと、アカウントの削除。', en: 'Download your data, or delete your account.' },
  'privacy.tile.status': { ja: 'いつでも', en: 'Any time' },
  'privacy.title': { ja: 'データとアカウント', en: 'Your data and account' },
  'privacy.download.heading': { ja: 'データのダウンロード', en: 'Download your data' },
  'privacy.download.lead': {
    ja: 'PASS が保存しているあなたとご家族のデータ（アカウント、本人確認の情報、顔写真の登録状況、施設の利用登録と同意、施設への情報提供の記録、チェックイン、連携サービス、ログイン履歴、監査記録）を JSON ファイルでダウンロードできます。顔の特徴データそのものは含まれません。',
    en: 'Download, as a JSON file, the data PASS keeps about you and your family: account, verified identity, face enrollment status, facility registrations and consents, what facilities received, check-ins, connected services, sign-in history and audit records. The face template itself is not included.',
  },
  'privacy.download': { ja: 'データをダウンロード（JSON）', en: 'Download my data (JSON)' },
  'privacy.delete.heading': { ja: 'アカウントの削除', en: 'Delete your account' },
  'privacy.delete.lead': { ja: 'アカウントを削除すると、元に戻すことはできません。', en: 'Deleting your account cannot be undone.' },
  'privacy.delete.start': { ja: 'アカウントの削除に進む', en: 'Continue to delete my account' },
  'privacy.back': { ja: 'ホームに戻る', en: 'Back to home' },
  'privacy.history': { ja: 'チェックインと情報提供の記録は「利用履歴」でも見られます。', en: 'Your check-ins and what was given are also on the History screen.' },
  'privacy.history.link': { ja: '利用履歴を見る', en: 'View my history' },
  'privacy.delete.title': { ja: 'アカウントの削除', en: 'Delete your account' },
  // Tab titles of the deletion pages (the page title is the message `<view file name>.title`).
  'privacy-delete.title': { ja: 'アカウントの削除', en: 'Delete your account' },
  'privacy-deleted.title': { ja: 'アカウントを削除しました', en: 'Your account has been deleted' },
  'privacy.delete.warning.title': { ja: 'ご注意ください', en: 'Please read this first' },
  'privacy.delete.goes': { ja: '削除されるもの', en: 'What is deleted' },
  'privacy.delete.goes.account': { ja: 'アカウント（メールアドレス、携帯電話番号、パスワード）とログイン中のセッション', en: 'Your account (e-mail, mobile number, password) and every signed-in session' },
  'privacy.delete.goes.identity': { ja: 'マイナンバーカードで確認した氏名・生年月日・性別・住所と、カードの登録', en: 'Your verified name, date of birth, gender and address, and your linked My Number Card' },
  'privacy.delete.goes.face': { ja: '顔写真の登録（顔パスは使えなくなります）', en: 'Your face enrollment (face check-in stops working)' },
  'privacy.delete.goes.registrations': { ja: '施設の利用登録と同意、施設への情報提供の記録', en: 'Facility registrations, consents and the record of what facilities received' },
  'privacy.delete.goes.services': { ja: '連携サービスへのログインと許可（サービスにはログアウトが通知されます）', en: 'Sign-ins and permissions of connected services (they are told you signed out)' },
  'privacy.delete.kept': { ja: '残るもの', en: 'What is kept' },
  'privacy.delete.kept.audit': { ja: '監査記録（いつ・どの操作がされたか。番号のみで、氏名や住所などは含みません）', en: 'Audit records (which action, when — as numbers only, never your name or address)' },
  'privacy.delete.kept.checkins': { ja: '施設のチェックイン件数（誰のものかは分からない形で、統計として）', en: 'Facility check-in counts (as statistics, no longer linked to you)' },
  'privacy.delete.counts': { ja: '現在の登録状況', en: 'What you have now' },
  'privacy.delete.count.registrations': { ja: '利用中の施設', en: 'Facilities in use' },
  'privacy.delete.count.faces': { ja: '顔写真の登録', en: 'Face enrollments' },
  'privacy.delete.count.checkins': { ja: 'チェックインの記録', en: 'Check-in records' },
  'privacy.delete.count.services': { ja: '連携サービス', en: 'Connected services' },
  'privacy.delete.members': {
    ja: '世帯にご家族（{n}人）が登録されています。ご家族は PASS ID を持たないため、このアカウントを削除するには、先に「家族」の画面でご家族を削除するか（15歳以上のご家族は、ご自身のアカウントに移ることもできます）、ご家族のデータもあわせて削除してください。',
    en: 'Your household has {n} member(s). They have no PASS ID of their own, so to delete this account, first remove them on the Family screen (members aged 15 or over can also move to an account of their own), or delete their data together with your account.',
  },
  'privacy.delete.members.delete': { ja: 'ご家族のデータもあわせて削除する', en: 'Also delete my family members’ data' },
  'privacy.delete.confirm': { ja: '内容を理解しました。アカウントを削除します。', en: 'I understand. Delete my account.' },
  'privacy.delete.password': { ja: '確認のため、パスワードを入力してください', en: 'Enter your password to confirm' },
  'privacy.delete.submit': { ja: 'アカウントを削除する', en: 'Delete my account' },
  'privacy.delete.cancel': { ja: '削除しない', en: 'Cancel' },
  'privacy.deleted.title': { ja: 'アカウントを削除しました', en: 'Your account has been deleted' },
  'privacy.deleted.lead': { ja: 'ご利用ありがとうございました。連携サービスにはログアウトが通知されました。', en: 'Thank you for using PASS. Connected services have been told you signed out.' },
  'privacy.deleted.home': { ja: 'PASS アプリのトップへ', en: 'To the PASS app' },
  'privacy.error.form': { ja: '画面の有効期限が切れました。もう一度お試しください。', en: 'The page expired. Please try again.' },
  'privacy.error.generic': { ja: '処理できませんでした。しばらくしてからお試しください。', en: 'This could not be done. Please try again shortly.' },
};

/** The irreversible-deletion warning, shown in both languages whatever the page's language. */
export const DELETION_WARNING = {
  ja: 'アカウントを削除すると、あなた（とご家族）の本人確認の情報、顔写真の登録、施設の利用登録が消え、元に戻すことはできません。施設で顔パスやカードでのチェックインもできなくなります。',
  en: 'Deleting your account removes your (and your family’s) verified identity, face enrollment and facility registrations for good. It cannot be undone, and face or card check-in at facilities stops working.',
};

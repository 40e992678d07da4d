import type { Messages } from '../../../src/http/i18n.ts';

/**
 * Words of the account screens (/app/account: e-mail address, mobile number, password). Japanese
 * first; the English texts use English punctuation only.
 */
export const ACCOUNT_APP_MESSAGES: Messages = {
  'account.title': { ja: 'メールアドレス・電話番号・パスワード', en: 'E-mail, mobile number and password' },
  'account.lead': { ja: 'ログインやお知らせに使う連絡先と、パスワードを変更できます。', en: 'Change the contacts PASS uses for sign-in and notices, and your password.' },
  'account.email': { ja: 'メールアドレス', en: 'E-mail address' },
  'account.phone': { ja: '携帯電話番号', en: 'Mobile number' },
  'account.phone.none': { ja: '登録されていません', en: 'Not registered' },
  'account.phone.unverified': { ja: '（未確認）', en: ' (not verified)' },
  'account.password': { ja: 'パスワード', en: 'Password' },
  'account.password.hidden': { ja: '••••••••（表示されません）', en: '•••••••• (never shown)' },
  'account.change.email': { ja: 'メールアドレスを変更', en: 'Change the e-mail address' },
  'account.change.phone': { ja: '携帯電話番号を変更', en: 'Change the mobile number' },
  'account.change.password': { ja: 'パスワードを変更', en: 'Change the password' },
  'account.security': { ja: 'パスキー・認証アプリ・記憶した端末は「ログインとセキュリティ」で管理します。', en: 'Passkeys, the authenticator app and remembered devices are under "Sign-in and security".' },
  'account.security.link': { ja: 'ログインとセキュリティ', en: 'Sign-in and security' },
  'account.back': { ja: 'ホームに戻る', en: 'Back to home' },
  'account.cancel': { ja: 'やめる', en: 'Cancel' },
  'account.edit': { ja: '変更する', en: 'Change' },

  'account-email.title': { ja: 'メールアドレスの変更', en: 'Change your e-mail address' },
  'account.email.lead': {
    ja: '新しいメールアドレスに確認コードを送ります。コードを入力するまで、メールアドレスは変わりません。変更後、いまのアドレスにお知らせが届きます。',
    en: 'We send a code to the new address. Your address does not change until you enter that code. The current address then gets a notice.',
  },
  'account.email.current': { ja: '現在のメールアドレス', en: 'Current address' },
  'account.email.new': { ja: '新しいメールアドレス', en: 'New e-mail address' },
  'account.email.send': { ja: '確認コードを送る', en: 'Send the code' },
  'account.email.invalid': { ja: 'メールアドレスを入力してください（例: hanako@example.jp）。', en: 'Enter an e-mail address (for example hanako@example.jp).' },

  'account-code.title': { ja: '確認コードの入力', en: 'Enter the code' },
  'account.code.email.lead': { ja: '{to} に6桁の確認コードを送りました。10分以内に入力してください。', en: 'We sent a 6-digit code to {to}. Enter it within 10 minutes.' },
  'account.code.phone.lead': { ja: '{to} に SMS で6桁の確認コードを送りました。10分以内に入力してください。', en: 'We sent a 6-digit code by SMS to {to}. Enter it within 10 minutes.' },
  'account.code.label': { ja: '確認コード（6桁の数字）', en: 'Code (6 digits)' },
  'account.code.submit': { ja: '確認して変更する', en: 'Confirm and change' },
  'account.code.format': { ja: '届いた6桁の数字を入力してください。', en: 'Enter the 6 digits you received.' },
  'account.code.restart': { ja: '別のアドレス・番号にする、またはコードを送り直す', en: 'Use another address or number, or send a new code' },

  'account-phone.title': { ja: '携帯電話番号の変更', en: 'Change your mobile number' },
  'account.phone.lead': {
    ja: '新しい携帯電話番号に SMS で確認コードを送ります。コードを入力するまで、番号は変わりません。変更後、いまの番号とメールアドレスにお知らせが届きます。',
    en: 'We send a code by SMS to the new number. Your number does not change until you enter that code. The current number and your e-mail address then get a notice.',
  },
  'account.phone.current': { ja: '現在の番号', en: 'Current number' },
  'account.phone.new': { ja: '新しい携帯電話番号', en: 'New mobile number' },
  'account.phone.hint': { ja: '070・080・090で始まる11桁。ハイフンはあってもなくても構いません（例: 090-1234-5678）。', en: '11 digits starting with 070, 080 or 090, with or without hyphens (for example 090-1234-5678).' },
  'account.phone.send': { ja: 'SMS で確認コードを送る', en: 'Send the code by SMS' },
  'account.phone.devices': {
    ja: 'ログインのときに記憶した端末は、番号を変えても引き続き使えます。手放した端末などがあれば「ログインとセキュリティ」で取り消してください。',
    en: 'Devices you chose to remember at sign-in keep working after the change. Forget any you no longer use under "Sign-in and security".',
  },
  'account.phone.missing': { ja: '携帯電話番号を入力してください。', en: 'Enter a mobile number.' },

  'account-password.title': { ja: 'パスワードの変更', en: 'Change your password' },
  'account.password.lead': {
    ja: '確認のため、いまのパスワードを入力してください。変更すると、記憶した端末はすべて取り消され、次のログインでは確認コードが必要になります。',
    en: 'Enter your current password first. After the change every remembered device is forgotten and asks for a code at its next sign-in.',
  },
  'account.password.current': { ja: '現在のパスワード', en: 'Current password' },
  'account.password.new': { ja: '新しいパスワード', en: 'New password' },
  'account.password.hint': { ja: '8文字以上。推測されやすいもの（12345678、password など）は使えません。長めの文章もおすすめです。', en: 'At least 8 characters. Easily guessed ones such as 12345678 or password are refused. A long phrase works well.' },
  'account.password.submit': { ja: 'パスワードを変更する', en: 'Change the password' },
  'account.password.missing': { ja: '現在のパスワードと新しいパスワードを入力してください。', en: 'Enter the current password and the new one.' },

  'account.done.email': { ja: 'メールアドレスを変更しました。以前のアドレスにお知らせを送りました。', en: 'Your e-mail address was changed. The previous address got a notice.' },
  'account.done.phone': { ja: '携帯電話番号を変更しました。以前の番号とメールアドレスにお知らせを送りました。', en: 'Your mobile number was changed. The previous number and your e-mail address got a notice.' },
  'account.done.phone.devices': {
    ja: '記憶した端末（{n}台）は引き続き使えます。心当たりのない端末は「ログインとセキュリティ」で取り消してください。',
    en: 'Your {n} remembered device(s) keep working. Forget any you do not recognise under "Sign-in and security".',
  },
  'account.done.password': { ja: 'パスワードを変更しました。記憶した端末はすべて取り消しました。', en: 'Your password was changed. Every remembered device was forgotten.' },
  'account.error.form': { ja: '画面の有効期限が切れました。もう一度お試しください。', en: 'The page expired. Please try again.' },
  'account.error.generic': { ja: '処理できませんでした。しばらくしてからお試しください。', en: 'This could not be done. Please try again shortly.' },
  'account.error.load': { ja: 'アカウントの情報を読み込めませんでした。しばらくしてからお試しください。', en: 'Your account could not be loaded. Please try again shortly.' },
};

import { defineReasons, type ReasonEntry } from '../../core/reasons.ts';

const m = (status: number, ja: string, en: string): ReasonEntry => ({ status, ja, en });

/** Refusals of the account security API (passkeys, authenticator app, remembered devices). */
export const SECURITY_REASONS = defineReasons('identity-security', {
  invalid_token: m(401, 'ログインの有効期限が切れました。もう一度ログインしてください。', 'Your sign-in has expired. Please sign in again.'),
  insufficient_scope: m(403, 'この操作を行う権限がありません。', 'You are not allowed to do this.'),
  no_account: m(403, 'PASS ID でログインしてから操作してください。', 'Sign in with your PASS ID first.'),
  passkey_limit: m(409, '登録できるパスキーは10個までです。使っていないものを削除してから追加してください。', 'An account can have at most 10 passkeys. Remove one you no longer use first.'),
  passkey_ceremony_expired: m(400, 'パスキーの登録の有効期限が切れました。もう一度「パスキーを追加」を押してください。', 'The passkey registration expired. Press "Add a passkey" again.'),
  passkey_invalid: m(400, 'パスキーを確認できませんでした。もう一度お試しください。', 'The passkey could not be verified. Please try again.'),
  passkey_exists: m(409, 'このパスキーはすでに登録されています。', 'This passkey is registered already.'),
  passkey_not_found: m(404, 'このパスキーは見つかりません。すでに削除されています。', 'This passkey was not found; it has been removed already.'),
  totp_not_started: m(400, '先に「認証アプリを設定」を押して、表示された QR コードを読み取ってください。', 'First press "Set up an authenticator app" and scan the QR code shown.'),
  totp_code_format: m(400, '認証アプリのコードは6桁の数字です。', 'The authenticator app code has 6 digits.'),
  totp_code_invalid: m(400, 'コードが一致しません。認証アプリに表示されている最新のコードを入力してください。', 'The code does not match. Enter the newest code the authenticator app shows.'),
  totp_not_enrolled: m(404, '認証アプリは設定されていません。', 'No authenticator app is set up.'),
  device_not_found: m(404, 'この端末の記憶は見つかりません。すでに取り消されています。', 'This remembered device was not found; it has been revoked already.'),
  rate_limited: m(429, '短時間に多くの操作が行われました。しばらく待ってからやり直してください。', 'Too many attempts. Please wait a while and try again.'),
});

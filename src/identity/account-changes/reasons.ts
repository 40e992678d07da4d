import { defineReasons, type ReasonEntry } from '../../core/reasons.ts';

const m = (status: number, ja: string, en: string): ReasonEntry => ({ status, ja, en });

/**
 * Refusals of the account API (/api/account: e-mail address, mobile number, password). Statuses are
 * those of the errors the services throw (400 input, 409 taken, 429 wait); the texts speak to the
 * resident in the PASS app. English without Japanese punctuation.
 */
export const ACCOUNT_REASONS = defineReasons('identity-account', {
  invalid_token: m(401, 'ログインの有効期限が切れました。もう一度ログインしてください。', 'Your sign-in has expired. Please sign in again.'),
  insufficient_scope: m(403, 'この操作を行う権限がありません。', 'You are not allowed to do this.'),
  no_account: m(403, 'PASS ID でログインしてから操作してください。', 'Sign in with your PASS ID first.'),
  account_missing: m(404, 'アカウントが見つかりません。もう一度ログインしてください。', 'The account was not found. Please sign in again.'),
  invalid_request: m(400, '入力内容を確認してください。', 'Please check what you entered.'),
  invalid_email: m(400, 'メールアドレスの形式が正しくありません（例: hanako@example.jp）。', 'This is not a valid e-mail address (for example hanako@example.jp).'),
  email_taken: m(409, 'このメールアドレスは別のアカウントで使われています。', 'This e-mail address is used by another account.'),
  email_unchanged: m(400, 'いま登録されているメールアドレスと同じです。新しいメールアドレスを入力してください。', 'This is the address you have now. Enter the new address.'),
  phone_invalid: m(400, '携帯電話番号は070・080・090で始まる11桁の数字です（例: 090-1234-5678）。', 'A mobile number has 11 digits and starts with 070, 080 or 090 (for example 090-1234-5678).'),
  phone_not_mobile: m(400, '携帯電話番号（070・080・090で始まる番号）を入力してください。固定電話の番号は登録できません。', 'Enter a mobile number starting with 070, 080 or 090. Landline numbers cannot be registered.'),
  phone_taken: m(409, 'この携帯電話番号は別のアカウントで使われています。', 'This mobile number is used by another account.'),
  phone_unchanged: m(400, 'いま登録されている携帯電話番号と同じです。新しい番号を入力してください。', 'This is the number you have now. Enter the new number.'),
  code_format: m(400, '確認コードは6桁の数字です。', 'The code has 6 digits.'),
  code_wrong: m(400, '確認コードが正しくありません。届いたメッセージの6桁の数字を入力してください。', 'The code is not correct. Enter the 6 digits from the message you received.'),
  code_expired: m(400, '確認コードの有効期限（10分）が切れました。最初からやり直してください。', 'The code has expired after 10 minutes. Please start again.'),
  code_used: m(400, 'この確認コードはすでに使われています。', 'This code has already been used.'),
  code_attempts: m(400, '確認コードを続けて間違えました。最初からやり直して、新しいコードを受け取ってください。', 'Too many wrong codes. Start again to get a new code.'),
  code_missing: m(400, '確認コードが送られていません。最初からやり直してください。', 'No code has been sent. Please start again.'),
  resend_wait: m(429, '確認コードは1分に1回まで送れます。少し待ってからやり直してください。', 'A code can be sent once a minute. Please wait a moment and try again.'),
  too_many_requests: m(429, '短時間に多くの操作が行われました。しばらく待ってからやり直してください。', 'Too many attempts. Please wait a while and try again.'),
  current_password_wrong: m(400, '現在のパスワードが正しくありません。', 'The current password is not correct.'),
  password_too_short: m(400, '新しいパスワードは8文字以上にしてください。', 'The new password needs at least 8 characters.'),
  password_too_long: m(400, '新しいパスワードは128文字以内にしてください。', 'The new password may have at most 128 characters.'),
  password_common: m(400, 'このパスワードはよく使われていて推測されやすいため、使えません。別のパスワードにしてください。', 'This password is too common and easy to guess. Choose another one.'),
  password_contains_email: m(400, 'パスワードにメールアドレスを含めないでください。', 'The password must not contain your e-mail address.'),
  password_unchanged: m(400, '新しいパスワードが現在のパスワードと同じです。', 'The new password is the same as the current one.'),
});

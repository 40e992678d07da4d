import type { Messages } from '../../http/i18n.ts';

/**
 * What a resident reads for each reason code of a refused input (services throw the reasons,
 * src/identity/*). Keys are `reason.<reason>`; `{n}` is filled in by the page.
 */
export const REASON_MESSAGES: Messages = {
  'reason.invalid_email': { ja: 'メールアドレスの形式が正しくありません(例: hanako@example.jp)。', en: 'This is not a valid e-mail address (e.g. hanako@example.jp).' },
  'reason.email_taken': { ja: 'このメールアドレスは既に登録されています。ログインするか、パスワードを再設定してください。', en: 'This e-mail address is already registered. Sign in, or reset your password.' },
  'reason.phone_taken': { ja: 'この携帯電話番号は既に別のアカウントに登録されています。', en: 'This mobile number is already registered to another account.' },
  'reason.password_too_short': { ja: 'パスワードは8文字以上にしてください。', en: 'The password needs at least 8 characters.' },
  'reason.password_too_long': { ja: 'パスワードは128文字以内にしてください。', en: 'The password may have at most 128 characters.' },
  'reason.password_common': { ja: 'このパスワードはよく使われていて推測されやすいため、使えません。別のパスワードにしてください。', en: 'This password is too common and easy to guess. Choose another one.' },
  'reason.password_contains_email': { ja: 'パスワードにメールアドレスを含めないでください。', en: 'The password must not contain your e-mail address.' },
  'reason.phone_not_mobile': { ja: '携帯電話番号(070・080・090で始まる番号)を入力してください。固定電話の番号は登録できません。', en: 'Enter a mobile number (starting with 070, 080 or 090). Landline numbers cannot be registered.' },
  'reason.phone_invalid': { ja: '携帯電話番号は070・080・090で始まる11桁の数字です。', en: 'A mobile number has 11 digits and starts with 070, 080 or 090.' },
  'reason.code_format': { ja: '確認コードは6桁の数字です。', en: 'The code has 6 digits.' },
  'reason.code_wrong': { ja: '確認コードが正しくありません。あと{n}回入力できます。', en: 'The code is not correct. {n} tries left.' },
  'reason.code_expired': { ja: '確認コードの有効期限が切れています。「コードを再送信」を押してください。', en: 'The code has expired. Press "Send a new code".' },
  'reason.code_used': { ja: 'この確認コードは既に使用されています。', en: 'This code has already been used.' },
  'reason.code_attempts': { ja: '確認コードの入力回数の上限に達しました。「コードを再送信」を押して、新しいコードを入力してください。', en: 'Too many wrong codes. Press "Send a new code" and enter the new one.' },
  'reason.code_missing': { ja: '確認コードが送信されていません。「コードを再送信」を押してください。', en: 'No code has been sent. Press "Send a new code".' },
  'reason.signin_missing': { ja: 'メールアドレス(または携帯電話番号)とパスワードを入力してください。', en: 'Enter your e-mail address (or mobile number) and password.' },
  'reason.signin_failed': { ja: 'メールアドレス(電話番号)またはパスワードが正しくありません。', en: 'The e-mail address (or phone number) or password is not correct.' },
  'reason.account_locked': { ja: 'パスワードを続けて間違えたため、一時的にログインできません。{n}分後にお試しいただくか、パスワードを再設定してください。', en: 'Too many wrong passwords: sign-in is blocked for now. Try again in {n} minute(s), or reset your password.' },
  'reason.too_many_requests': { ja: '試行回数が多すぎます。{n}分後にもう一度お試しください。', en: 'Too many attempts. Please try again in {n} minute(s).' },
  'reason.resend_wait': { ja: '確認コードは{n}秒後に再送信できます。', en: 'You can ask for a new code in {n} second(s).' },
  'reason.signup_missing': { ja: '登録手続きの有効期限が切れました。最初からやり直してください。', en: 'This sign-up has expired. Please start again.' },
  'reason.signup_step': { ja: 'この手順は現在利用できません。表示されている手順に沿って進めてください。', en: 'This step is not available now. Please follow the steps shown.' },
  'reason.second_factor_missing': { ja: '確認コードの手続きが見つかりません。もう一度ログインしてください。', en: 'No code is pending. Please sign in again.' },
  'reason.totp_code_format': { ja: '認証アプリのコードは6桁の数字です。', en: 'The authenticator app code has 6 digits.' },
  'reason.totp_code_invalid': { ja: '認証アプリのコードが正しくありません。アプリに表示されている最新のコードを入力してください(同じコードは一度しか使えません)。', en: 'The authenticator app code is not correct. Enter the newest code the app shows (each code works once).' },
  'reason.passkey_invalid': { ja: 'パスキーを確認できませんでした。もう一度お試しいただくか、パスワードでログインしてください。', en: 'The passkey could not be verified. Try again, or sign in with your password.' },
  'reason.passkey_unknown': { ja: 'このパスキーは PASS に登録されていません。パスワードでログインし、PASS アプリの「ログインとセキュリティ」で登録してください。', en: 'This passkey is not registered with PASS. Sign in with your password and add it under "Sign-in and security" in the PASS app.' },
  'reason.passkey_ceremony_expired': { ja: 'パスキーの確認の有効期限が切れました。もう一度お試しください。', en: 'The passkey request expired. Please try again.' },
  'reason.reset_invalid': { ja: 'このリンクは無効です。もう一度パスワードの再設定を申し込んでください。', en: 'This link is not valid. Please ask for a new reset link.' },
  'reason.reset_used': { ja: 'このリンクは既に使用されています。もう一度パスワードの再設定を申し込んでください。', en: 'This link has already been used. Please ask for a new reset link.' },
  'reason.reset_expired': { ja: 'このリンクの有効期限が切れています。もう一度パスワードの再設定を申し込んでください。', en: 'This link has expired. Please ask for a new reset link.' },
};

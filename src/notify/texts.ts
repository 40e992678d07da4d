import type { Lang } from '../http/i18n.ts';
import type { MailMessage, SmsMessage } from './messages.ts';

/** The words of every message PASS sends, Japanese first. Codes and links are the only variables. */

export function verificationMail(to: string, code: string, lang: Lang): MailMessage {
  return lang === 'en'
    ? {
        to,
        subject: 'PASS: your confirmation code',
        text: `Your PASS confirmation code is ${code}.\nEnter it on the sign-up page within 10 minutes.\n\nIf you did not ask for this, ignore this mail.`,
      }
    : {
        to,
        subject: '【PASS】確認コードのお知らせ',
        text: `PASS の確認コードは ${code} です。\n10分以内に登録画面で入力してください。\n\nお心当たりのない場合は、このメールを破棄してください。`,
      };
}

export function verificationSms(to: string, code: string, lang: Lang): SmsMessage {
  return {
    to,
    text: lang === 'en' ? `PASS confirmation code: ${code} (valid for 10 minutes)` : `PASS 確認コード: ${code}(10分間有効)`,
  };
}

export function signInCodeMail(to: string, code: string, lang: Lang): MailMessage {
  return lang === 'en'
    ? { to, subject: 'PASS: your sign-in code', text: `Your PASS sign-in code is ${code}. It is valid for 10 minutes.\n\nIf you are not signing in, change your password.` }
    : { to, subject: '【PASS】ログイン確認コード', text: `PASS のログイン確認コードは ${code} です(10分間有効)。\n\nログインしていない場合は、パスワードを変更してください。` };
}

export function signInCodeSms(to: string, code: string, lang: Lang): SmsMessage {
  return { to, text: lang === 'en' ? `PASS sign-in code: ${code} (valid for 10 minutes)` : `PASS ログイン確認コード: ${code}(10分間有効)` };
}

export function passwordResetMail(to: string, link: string, lang: Lang): MailMessage {
  return lang === 'en'
    ? {
        to,
        subject: 'PASS: reset your password',
        text: `To set a new password for PASS, open this link within 30 minutes:\n${link}\n\nThe link works once. If you did not ask for this, ignore this mail.`,
      }
    : {
        to,
        subject: '【PASS】パスワード再設定のご案内',
        text: `PASS のパスワードを再設定するには、30分以内に次のリンクを開いてください。\n${link}\n\nリンクは1回だけ使えます。お心当たりのない場合は、このメールを破棄してください。`,
      };
}

/**
 * The messages an account change sends, Japanese first: the code to the new address or number,
 * and a notice to the old one (a change the resident did not make is then noticed at once).
 * Codes, masked addresses and links are the only variables; a notice never carries the full new address.
 */
import type { Lang } from '../../http/i18n.ts';
import type { MailMessage, SmsMessage } from '../../notify/messages.ts';

export function emailChangeCodeMail(to: string, code: string, lang: Lang): MailMessage {
  return lang === 'en'
    ? {
        to,
        subject: 'PASS: confirm your new e-mail address',
        text: `Your PASS confirmation code is ${code}.\nEnter it in the PASS app within 10 minutes to use this address for PASS.\n\nIf you did not ask for this, ignore this mail: nothing changes.`,
      }
    : {
        to,
        subject: '【PASS】新しいメールアドレスの確認',
        text: `PASS の確認コードは ${code} です。\n10分以内に PASS アプリで入力すると、このメールアドレスが PASS に登録されます。\n\nお心当たりのない場合は、このメールを破棄してください(何も変更されません)。`,
      };
}

export function emailChangedNotice(to: string, maskedNew: string, lang: Lang): MailMessage {
  return lang === 'en'
    ? {
        to,
        subject: 'PASS: your e-mail address was changed',
        text: `The e-mail address of your PASS account was changed to ${maskedNew}.\nMail from PASS now goes to the new address, and this address no longer signs you in.\n\nIf you did not make this change, contact your municipality's PASS help desk at once.`,
      }
    : {
        to,
        subject: '【PASS】メールアドレスが変更されました',
        text: `PASS アカウントのメールアドレスが ${maskedNew} に変更されました。\n今後のお知らせは新しいアドレスに届き、このアドレスではログインできなくなります。\n\nお心当たりのない場合は、すぐに市区町村の PASS 窓口にご連絡ください。`,
      };
}

export function phoneChangeCodeSms(to: string, code: string, lang: Lang): SmsMessage {
  return { to, text: lang === 'en' ? `PASS code to confirm your new number: ${code} (valid for 10 minutes)` : `PASS 新しい電話番号の確認コード: ${code}(10分間有効)` };
}

export function phoneChangedNoticeSms(to: string, maskedNew: string, lang: Lang): SmsMessage {
  return {
    to,
    text:
      lang === 'en'
        ? `PASS: the mobile number of your account was changed to ${maskedNew}. If this was not you, contact your municipality's PASS help desk.`
        : `PASS: アカウントの携帯電話番号が ${maskedNew} に変更されました。お心当たりのない場合は市区町村の PASS 窓口にご連絡ください。`,
  };
}

export function phoneChangedNoticeMail(to: string, maskedNew: string, lang: Lang): MailMessage {
  return lang === 'en'
    ? {
        to,
        subject: 'PASS: your mobile number was changed',
        text: `The mobile number of your PASS account was changed to ${maskedNew}. Sign-in codes by SMS now go to the new number.\nDevices you chose to remember stay remembered; you can forget them in the PASS app under "Sign-in and security".\n\nIf you did not make this change, contact your municipality's PASS help desk at once.`,
      }
    : {
        to,
        subject: '【PASS】携帯電話番号が変更されました',
        text: `PASS アカウントの携帯電話番号が ${maskedNew} に変更されました。SMS の確認コードは新しい番号に届きます。\n記憶した端末はそのまま有効です。PASS アプリの「ログインとセキュリティ」で取り消せます。\n\nお心当たりのない場合は、すぐに市区町村の PASS 窓口にご連絡ください。`,
      };
}

export function passwordChangedMail(to: string, lang: Lang): MailMessage {
  return lang === 'en'
    ? {
        to,
        subject: 'PASS: your password was changed',
        text: `The password of your PASS account was changed. Remembered devices were forgotten: each asks for a code at its next sign-in.\n\nIf you did not make this change, reset your password at once and contact your municipality's PASS help desk.`,
      }
    : {
        to,
        subject: '【PASS】パスワードが変更されました',
        text: `PASS アカウントのパスワードが変更されました。記憶した端末はすべて取り消され、次回のログインでは確認コードが必要です。\n\nお心当たりのない場合は、すぐにパスワードを再設定し、市区町村の PASS 窓口にご連絡ください。`,
      };
}

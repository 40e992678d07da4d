import type { Messages } from '../../../../http/i18n.ts';

/** Words of the stand-in's page that plays the Digital Agency's app (development only), Japanese first. */
export const STAND_IN_MESSAGES: Messages = {
  'phone-app.title': { ja: 'デジタル認証アプリ（開発用）', en: 'Digital authentication app (development)' },
  'stand-in-error.title': { ja: 'デジタル認証アプリ（開発用）', en: 'Digital authentication app (development)' },
  'stand-in.note': {
    ja: 'この画面は開発用の代役です。本番では、スマートフォンのデジタル認証アプリがマイナンバーカードを読み取ります。',
    en: 'This page is a development stand-in. In production, the Digital Agency\'s app on the phone reads the My Number Card.',
  },
  'stand-in.request': { ja: '本人確認の依頼元', en: 'Requested by' },
  'stand-in.shared': { ja: '提供される情報: 氏名・住所・生年月日・性別', en: 'Shared: name, address, date of birth and gender' },
  'stand-in.resident': { ja: 'かざすマイナンバーカード(デモ住民)', en: 'The My Number Card held to the phone (demo resident)' },
  'stand-in.pin': { ja: '利用者証明用電子証明書の暗証番号(数字4桁)', en: 'User-authentication PIN (4 digits)' },
  'stand-in.pin.hint': { ja: 'デモ住民のカードの暗証番号は 1234 です。3回続けて間違えるとロックされます。', en: 'The demo residents\' cards use 1234. Three wrong PINs in a row lock the card.' },
  'stand-in.submit': { ja: 'カードを読み取って提供する', en: 'Read the card and share' },
  'stand-in.cancel': { ja: 'キャンセル', en: 'Cancel' },
  'stand-in.error.resident': { ja: 'かざすカードを選んでください。', en: 'Choose the card to hold to the phone.' },
  'stand-in.error.pin_format': { ja: '暗証番号は数字4桁で入力してください。', en: 'Enter the PIN as 4 digits.' },
  'stand-in.error.heading': { ja: 'この依頼は受け付けられません', en: 'This request cannot be accepted' },
  'stand-in.error.client': { ja: 'client_id が登録されたクライアントではありません。', en: 'client_id is not a registered client.' },
  'stand-in.error.redirect': { ja: 'redirect_uri がこのクライアントに登録されていません。', en: 'redirect_uri is not registered for this client.' },
  'stand-in.error.state': { ja: 'state が必要です(印字可能な ASCII 文字で 1〜255 文字)。', en: 'state is required (1–255 printable ASCII characters).' },
  'stand-in.error.expired': { ja: 'この依頼は有効期限が切れたか、すでに使われています。サービスの画面からやり直してください。', en: 'This request has expired or was already used. Start again from the service.' },
};

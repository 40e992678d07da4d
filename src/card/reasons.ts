/**
 * Why a card operation failed, in the words a resident or a staff member reads at the kiosk or in
 * the app (Japanese first). Registered once in the reason catalogue (src/core/reasons.ts), so an
 * API edge that relays a card failure answers with the same words. Tries left are added by
 * `describeCardError`, since the catalogue's texts are fixed.
 */
import { defineReasons, type Lang } from '../core/reasons.ts';

export const CARD_REASONS = defineReasons('card', {
  wrong_pin: { status: 400, ja: '暗証番号が違います。', en: 'Wrong PIN.' },
  pin_locked: {
    status: 403,
    ja: '暗証番号がロックされています。お住まいの市区町村の窓口でロックを解除してください。',
    en: 'The PIN is locked. Have it reset at your municipal office.',
  },
  invalid_pin: { status: 400, ja: '暗証番号は数字 4 桁です。', en: 'The PIN is 4 digits.' },
  invalid_sign_password: {
    status: 400,
    ja: '署名用電子証明書の暗証番号は英大文字と数字の 6～16 文字です。',
    en: 'The signature password is 6 to 16 capital letters and digits.',
  },
  invalid_verification_code: {
    status: 400,
    ja: '照合番号の形式が正しくありません。',
    en: 'The verification number is not in the right form.',
  },
  wrong_verification_code: { status: 400, ja: '照合番号が違います。', en: 'Wrong verification number.' },
  pin_not_verified: {
    status: 403,
    ja: '暗証番号の確認が済んでいないため、カードが操作を断りました。',
    en: 'The card refused: the PIN has not been verified.',
  },
  no_signature_certificate: {
    status: 404,
    ja: 'このカードには署名用電子証明書がありません（15 歳未満のカードなど）。',
    en: 'This card has no signature certificate (for example, a card of a child under 15).',
  },
  not_my_number_card: {
    status: 404,
    ja: 'マイナンバーカードとして読み取れませんでした。カードを確認してください。',
    en: 'This card could not be read as a My Number Card. Check the card.',
  },
  file_not_found: { status: 404, ja: 'カードに必要なデータがありません。', en: 'The card does not hold the data needed.' },
  card_removed: {
    status: 409,
    ja: 'カードが読み取り機から離れました。もう一度カードを置いてください。',
    en: 'The card left the reader. Place it on the reader again.',
  },
  no_card: {
    status: 409,
    ja: 'カードが置かれていません。カードを読み取り機に置いてください。',
    en: 'No card is on the reader. Place the card on the reader.',
  },
  no_reader: {
    status: 503,
    ja: 'カード読み取り機が見つかりません。読み取り機の接続を確認してください。',
    en: 'No card reader was found. Check that the reader is connected.',
  },
  reader_busy: {
    status: 409,
    ja: 'カード読み取り機を別のアプリが使用中です。しばらくしてからもう一度お試しください。',
    en: 'Another application is using the card reader. Try again shortly.',
  },
  card_timeout: {
    status: 504,
    ja: 'カードが応答しません。カードを置き直してください。',
    en: 'The card does not answer. Place it on the reader again.',
  },
  card_state: {
    status: 409,
    ja: 'カードの操作の順序が正しくありません。最初からやり直してください。',
    en: 'The card was used out of order. Start again.',
  },
  malformed_response: {
    status: 502,
    ja: 'カードの応答を読み取れませんでした。もう一度お試しください。',
    en: "The card's answer could not be read. Please try again.",
  },
  response_too_large: {
    status: 502,
    ja: 'カードの応答が大きすぎるため読み取りを中止しました。',
    en: "The card's answer was too large; reading stopped.",
  },
  card_error: {
    status: 502,
    ja: 'カードを読み取れませんでした。もう一度お試しください。',
    en: 'The card could not be read. Please try again.',
  },
  transport_error: {
    status: 502,
    ja: 'カード読み取り機との通信に失敗しました。',
    en: 'Talking to the card reader failed.',
  },
  invalid_command: {
    status: 500,
    ja: 'カードへの命令を組み立てられませんでした。',
    en: 'The command for the card could not be built.',
  },
});

export type CardReason = (typeof CARD_REASONS)['reasons'][number];

/** The sentence about tries left that follows a wrong PIN or verification number. */
export function triesLeftText(triesLeft: number, lang: Lang): string {
  if (lang === 'ja') return `あと ${triesLeft} 回間違えるとロックされます。`;
  return triesLeft === 1 ? '1 more wrong try locks it.' : `${triesLeft} more wrong tries lock it.`;
}

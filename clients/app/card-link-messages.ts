import type { Messages } from '../../src/http/i18n.ts';

/**
 * Words of the My Number Card link screen (/app/qr/card) beyond the check-in screens' own: the
 * signature password that shows the card is the resident's, and the list of cards, the replaced
 * ones greyed. Japanese first.
 */
export const CARD_LINK_MESSAGES: Messages = {
  'checkin-card.own': {
    ja: '登録できるのはご本人のマイナンバーカードだけです。カードがご本人のものであることを、署名用電子証明書で確かめます。',
    en: 'Only your own My Number Card can be linked. The card\'s signature certificate shows that it is yours.',
  },
  'checkin-card.sign-pin': { ja: '署名用電子証明書のパスワード', en: 'Signature certificate password' },
  'checkin-card.sign-pin.hint': {
    ja: '英大文字と数字の6〜16文字。開発用の仮想カードのパスワードは PASS1234 です。',
    en: '6–16 capital letters and digits. The password of the development virtual cards is PASS1234.',
  },
  'checkin-card.error.sign-pin': { ja: 'パスワードは英大文字と数字の6〜16文字で入力してください。', en: 'Enter the password as 6–16 capital letters and digits.' },
  'checkin-card.cards': { ja: 'これまでのカード', en: 'Your cards' },
  'checkin-card.status.current': { ja: '使用中', en: 'In use' },
  'checkin-card.status.revoked': { ja: '電子証明書が失効しています(使用できません)', en: 'Its certificate has been revoked (no longer works)' },
  'checkin-card.status.replaced': { ja: '新しいカードに置き換え済み(使用できません)', en: 'Replaced by a newer card (no longer works)' },
  'checkin-card.status.unproven': { ja: 'ご本人のカードか未確認(もう一度登録してください)', en: 'Not shown to be yours (link it again)' },
  'checkin-card.serial': { ja: 'シリアル番号', en: 'Serial number' },
  'checkin-card.valid-until': { ja: '有効期限', en: 'Valid until' },
  'checkin-card.replaced-at': { ja: '置き換え日時', en: 'Replaced on' },
};

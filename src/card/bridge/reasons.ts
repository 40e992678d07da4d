/**
 * The card bridge's own refusals (the kiosk page shows them to staff): who may call it and in
 * what form. What the card or the reader says (no card, card removed, no reader) comes from the
 * card catalogue (src/card/reasons.ts), so the kiosk page reads one set of words for the card.
 */
import { defineReasons } from '../../core/reasons.ts';

export const BRIDGE_REASONS = defineReasons('card-bridge', {
  origin_not_allowed: {
    status: 403,
    ja: 'このページからカード読み取り機は使えません。',
    en: 'This page may not use the card reader.',
  },
  host_not_allowed: {
    status: 403,
    ja: 'カードブリッジには 127.0.0.1 または localhost で接続してください。',
    en: 'Reach the card bridge as 127.0.0.1 or localhost.',
  },
  not_paired: {
    status: 401,
    ja: 'このキオスクはカードリーダーと接続されていません。PASS Manager で接続コードを表示して接続してください。',
    en: 'This kiosk is not connected to the card reader. Show a connection code in PASS Manager and connect it.',
  },
  pairing_refused: {
    status: 403,
    ja: 'PASS の承認を確認できなかったため、カードリーダーと接続できませんでした。',
    en: "PASS's approval could not be confirmed, so the card reader was not connected.",
  },
  pairing_expired: {
    status: 403,
    ja: '接続の手続きが時間切れになりました。もう一度接続してください。',
    en: 'Connecting took too long. Please connect again.',
  },
  pass_unreachable: {
    status: 502,
    ja: 'カードリーダーから PASS に接続できませんでした。ネットワークを確認してください。',
    en: 'The card reader could not reach PASS. Check the network.',
  },
  invalid_request: {
    status: 400,
    ja: 'カードブリッジへの要求の形式が正しくありません。',
    en: 'The request to the card bridge is not in the right form.',
  },
  not_json: {
    status: 415,
    ja: '送信内容は JSON（Content-Type: application/json）にしてください。',
    en: 'Send the request body as JSON (Content-Type: application/json).',
  },
  body_too_large: {
    status: 413,
    ja: 'カードブリッジへの要求が大きすぎます。',
    en: 'The request to the card bridge is too large.',
  },
  not_found: { status: 404, ja: '見つかりません。', en: 'Not found.' },
  method_not_allowed: { status: 405, ja: 'この操作はできません。', en: 'This method is not allowed here.' },
});

export type BridgeReason = (typeof BRIDGE_REASONS)['reasons'][number];

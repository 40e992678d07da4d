/**
 * The check-in reasons: what the kiosk shows for each check-in result and refusal, Japanese first,
 * and the status each is answered with. Every refused check-in and every API error of the kiosk
 * carries its reason code and this text, so the kiosk shows a clear message and staff see the
 * same words. A check-in the kiosk asked for is recorded whatever its result: the results
 * (accepted, no_match, qr_…) are answered 201 with `result` and the reason.
 */
import { defineReasons, type ReasonEntry, type ReasonText } from '../core/reasons.ts';
import { FACE_REASON_ENTRIES } from '../face/messages.ts';
import { PRESENTATION_REASONS, type PresentationReason } from '../wallet/sd-jwt/reasons.ts';

export type CheckinMessage = ReasonText;

/**
 * A wallet presentation refused at the kiosk is a recorded check-in like any other (201 with its
 * reason): the SD-JWT core's words, with what staff at the kiosk must do where that differs.
 */
const PRESENTATION_OUTCOMES = Object.fromEntries(PRESENTATION_REASONS.reasons.map((reason) => [reason, { ...PRESENTATION_REASONS.text(reason)!, status: 201 }])) as Record<PresentationReason, ReasonEntry>;

const CHECKIN_REASON_ENTRIES = {
  accepted: { status: 201, ja: 'チェックインしました。', en: 'You are checked in.' },
  accepted_out: { status: 201, ja: 'チェックアウトしました。', en: 'You are checked out.' },
  // Refused check-ins (recorded, and a failure event for staff)
  no_match: { status: 201, ja: '顔を確認できませんでした。もう一度カメラを見てください。うまくいかない場合は係員にお声がけください。', en: 'We could not recognise you. Please look at the camera again, or ask a member of staff.' },
  not_registered: { status: 201, ja: 'この施設の利用登録が見つかりません。係員にお声がけください。', en: 'No registration for this facility was found. Please ask a member of staff.' },
  qr_invalid: { status: 201, ja: 'このQRコードは使えません。PASS アプリのQRコードを表示してください。', en: 'This QR code cannot be used. Please show the QR code in the PASS app.' },
  qr_expired: { status: 201, ja: 'QRコードの有効期限が切れています。アプリで新しいQRコードを表示してください。', en: 'The QR code has expired. Please show a new one in the app.' },
  qr_replayed: { status: 201, ja: 'このQRコードはすでに使われています。アプリで新しいQRコードを表示してください。', en: 'This QR code has already been used. Please show a new one in the app.' },
  card_revoked: { status: 403, ja: 'このマイナンバーカードの電子証明書は失効しています。係員にお声がけください。', en: 'The certificate of this My Number Card has been revoked. Please ask a member of staff.' },
  card_invalid: { status: 400, ja: 'マイナンバーカードを確認できませんでした。もう一度カードをかざしてください。', en: 'The My Number Card could not be verified. Please hold the card again.' },
  challenge_expired: { status: 400, ja: '時間切れです。もう一度カードをかざしてください。', en: 'Time ran out. Please hold the card again.' },
  card_removed: { status: 201, ja: 'カードが読み取り機から離れました。もう一度カードを置いてください。', en: 'The card left the reader. Please place it on the reader again.' },
  code_expired: { status: 404, ja: 'このコードの有効期限が切れています。入口のコードをもう一度読み取ってください。', en: 'This code has expired. Please scan the code at the entrance again.' },
  ...FACE_REASON_ENTRIES,
  // Presentation-attack detection under the facility's PAD policy (pad.ts). Said to whoever stands
  // there, who may be the resident holding up their own photo by mistake: never an accusation.
  // After the face entries, so these words are the kiosk's even if the face capability names them too.
  presentation_attack: {
    status: 201,
    ja: 'お顔を確認できませんでした。写真や画面ではなく、ご本人がカメラを直接見てください。うまくいかない場合は係員にお声がけください。',
    en: 'We could not confirm your face. Please look at the camera yourself, not at a photo or a screen. If it still does not work, please ask a member of staff.',
  },
  pad_unavailable: {
    status: 201,
    ja: 'この施設では現在、顔でのチェックインをご利用いただけません。QRコードかマイナンバーカードをご利用いただくか、係員にお声がけください。',
    en: 'Face check-in is not available at this facility at the moment. Please use a QR code or your My Number Card, or ask a member of staff.',
  },
  // Wallet presentations (credential check-ins, credential-checkins.ts)
  ...PRESENTATION_OUTCOMES,
  status_list_stale: {
    status: 201,
    ja: '失効情報が古いため、デジタル証明書を確認できません。係員の方はキオスクをネットワークにつないでください。',
    en: 'The revocation list on this kiosk is too old to check the credential. Staff: please reconnect the kiosk to the network.',
  },
  status_list_unavailable: {
    status: 201,
    ja: 'このキオスクには失効情報がまだありません。係員の方はキオスクをネットワークにつないでください。',
    en: 'This kiosk holds no revocation list yet. Staff: please connect the kiosk to the network.',
  },
  presentation_replayed: { status: 201, ja: 'この提示はすでに使われています。アプリでもう一度提示してください。', en: 'This presentation has already been used. Please present again from the app.' },
  credential_claims_missing: { status: 201, ja: '求めた情報が提示されていません。アプリで求められた情報を提示してください。', en: 'The requested facts were not presented. Please present them from the app.' },
  wallet_unavailable: { status: 503, ja: '現在、デジタル証明書を確認できません。しばらくしてからもう一度お試しください。', en: 'Credentials cannot be checked at the moment. Please try again shortly.' },
  // API errors of the kiosk
  invalid_request: { status: 400, ja: '送信内容が正しくありません。', en: 'The request is not valid.' },
  invalid_token: { status: 401, ja: 'キオスクの認証が切れました。係員が再設定してください。', en: 'The kiosk is no longer signed in. Staff must set it up again.' },
  invalid_dpop_proof: { status: 401, ja: 'キオスクの鍵を確認できませんでした。係員が再設定してください。', en: 'The kiosk key could not be verified. Staff must set it up again.' },
  kiosk_revoked: { status: 401, ja: 'このキオスクは利用停止されています。係員にお声がけください。', en: 'This kiosk has been disabled. Please ask a member of staff.' },
  kiosk_not_activated: { status: 403, ja: 'このキオスクはまだ施設に登録されていません。', en: 'This kiosk is not yet set up for a facility.' },
  not_kiosk_client: { status: 403, ja: 'キオスク用の認証ではありません。', en: 'These credentials are not for a kiosk.' },
  not_facility_staff: { status: 403, ja: '承認した方はこの施設の職員として登録されていません。施設の職員が承認してください。', en: 'The person who approved is not registered as staff of a facility. A member of the facility staff must approve.' },
  facility_choice_required: { status: 409, ja: '設置する施設を選んでください。', en: 'Choose the facility for this kiosk.' },
  not_permitted: { status: 403, ja: 'この操作の権限がありません。', en: 'You are not allowed to do this.' },
  kiosk_not_found: { status: 404, ja: 'キオスクが見つかりません。', en: 'The kiosk was not found.' },
  checkin_id_conflict: { status: 409, ja: 'このチェックインIDは別のキオスクで使われています。', en: 'This check-in id was used by another kiosk.' },
  checkin_not_found: { status: 404, ja: 'チェックインの記録が見つかりません。', en: 'The check-in was not found.' },
  facility_not_found: { status: 404, ja: '施設が見つかりません。', en: 'The facility was not found.' },
  card_unavailable: { status: 503, ja: '現在、カードでのチェックインはご利用いただけません。', en: 'Card check-in is not available at the moment.' },
  wrong_pin: { status: 400, ja: '暗証番号が違います。', en: 'The PIN is wrong.' },
  pin_locked: { status: 403, ja: '暗証番号がロックされています。市役所で解除してください。', en: 'The PIN is locked. Please have it reset at the city office.' },
  development_only: { status: 403, ja: '開発用の機能です。', en: 'This is for development only.' },
  not_a_shelter: { status: 400, ja: 'この施設は避難所ではありません。', en: 'This facility is not a shelter.' },
  use_dpop_nonce: { status: 401, ja: '通信をやり直しています。', en: 'Retrying the request.' },
  // Linking a card to a resident (PASS app)
  not_proofed: { status: 403, ja: '先にマイナンバーカードで本人確認をしてください。', en: 'Please prove your identity with your My Number Card first.' },
  account_required: { status: 403, ja: 'ご本人のログインが必要です。', en: 'Please sign in as yourself.' },
  card_not_linked: { status: 404, ja: 'カードは登録されていません。', en: 'No card is linked.' },
  // The check-in QR code of the PASS app: one's own, or a member's of the household one represents
  qr_not_managed: { status: 403, ja: 'この方のQRコードは表示できません。表示できるのはご本人と、代表している世帯のご家族のものだけです。', en: 'You cannot show a QR code for this person: only your own and those of the members of the household you represent.' },
} as const satisfies Record<string, ReasonEntry>;

export const CHECKIN_REASONS = defineReasons('checkins', CHECKIN_REASON_ENTRIES);

export type CheckinReason = keyof typeof CHECKIN_REASON_ENTRIES;

/** Every reason's words (GET /api/kiosk/messages, and the kiosk page's bundle). */
export const CHECKIN_MESSAGES: Record<CheckinReason, CheckinMessage> = CHECKIN_REASONS.texts();

export function checkinMessage(reason: string): CheckinMessage | undefined {
  return CHECKIN_REASONS.text(reason);
}

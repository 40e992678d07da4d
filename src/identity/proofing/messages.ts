/**
 * The proofing reasons (the flow's own and the certificate checks' of src/jpki): the status each
 * is answered with and what a resident is told, Japanese first. Keyed by the machine reason of the
 * typed error; a reason missing here falls back to a generic text.
 */
import type { PassError } from '../../core/errors.ts';
import { defineReasons, type ReasonEntry, type ReasonText } from '../../core/reasons.ts';

export type LocalisedMessage = ReasonText;

const RETRY = { ja: 'もう一度はじめからやり直してください。', en: 'Please start again.' };
const CARD = { ja: 'このカードの署名用電子証明書は使えません。', en: 'The signature certificate of this card cannot be used.' };
const OFFICE = { ja: 'お住まいの市区町村の窓口にご相談ください。', en: 'Please ask at your municipal office.' };

function m(status: number, ja: string, en: string): ReasonEntry {
  return { status, ja, en };
}

export const PROOFING_REASONS = defineReasons('proofing', {
  // Request and flow
  invalid_request: m(400, '送信された内容が正しくありません。' + RETRY.ja, 'The request is not valid. ' + RETRY.en),
  invalid_token: m(401, 'ログインの有効期限が切れました。もう一度ログインしてください。', 'Your sign-in has expired. Please sign in again.'),
  insufficient_scope: m(403, 'この操作を行う権限がありません。', 'You are not allowed to do this.'),
  rate_limited: m(429, '短時間に多くの操作が行われました。しばらく待ってからやり直してください。', 'Too many attempts. Please wait a while and try again.'),
  challenge_invalid: m(400, '本人確認の手続きの有効期限が切れたか、すでに使われています。' + RETRY.ja, 'This identity check has expired or was already used. ' + RETRY.en),
  challenge_mismatch: m(403, 'この本人確認の手続きは別のアプリで開始されたものです。' + RETRY.ja, 'This identity check was started in another app. ' + RETRY.en),
  verification_expired: m(400, '確認の有効期限が切れました。もう一度マイナンバーカードを読み取ってください。', 'The confirmation has expired. Please read your My Number Card again.'),
  no_account: m(403, 'PASS ID でログインしてから本人確認を行ってください。', 'Sign in with your PASS ID before proving your identity.'),
  identity_mismatch: m(
    403,
    'この PASS ID には別の方の本人確認情報が登録されています。本人以外のカードは登録できません。',
    'This PASS ID is already linked to another person. A card of someone else cannot be registered.',
  ),
  already_registered: m(
    409,
    'この方はすでに PASS ID をお持ちです。お持ちの PASS ID でログインするか、パスワードを再設定してください。心当たりがない場合は' + OFFICE.ja,
    'This person already has a PASS ID. Sign in with it, or reset its password. If you do not recognise this, ' + OFFICE.en.toLowerCase(),
  ),
  // Certificate and signature checks (src/jpki)
  input_too_large: m(400, '送信されたデータが大きすぎます。' + RETRY.ja, 'The data sent is too large. ' + RETRY.en),
  invalid_challenge: m(400, '署名する内容が正しくありません。' + RETRY.ja, 'The data to sign is not valid. ' + RETRY.en),
  malformed_signature: m(400, 'カードの署名を読み取れませんでした。' + RETRY.ja, 'The card signature could not be read. ' + RETRY.en),
  malformed_certificate: m(400, '電子証明書を読み取れませんでした。' + RETRY.ja, 'The certificate could not be read. ' + RETRY.en),
  missing_basic_four: m(400, CARD.ja + '基本4情報が記録されていません。', CARD.en + ' It does not hold the basic four facts.'),
  duplicate_basic_four: m(400, CARD.ja + '基本4情報の記録が正しくありません。', CARD.en + ' Its basic four facts are not recorded correctly.'),
  invalid_basic_four: m(400, CARD.ja + '基本4情報の記録が正しくありません。', CARD.en + ' Its basic four facts are not recorded correctly.'),
  signature_invalid: m(403, 'カードの署名を確認できませんでした。暗証番号とカードを確かめて、' + RETRY.ja, 'The card signature could not be verified. Check the card and PIN, and start again.'),
  untrusted_chain: m(403, CARD.ja + '発行元を確認できません。', CARD.en + ' Its issuer is not recognised.'),
  certificate_expired: m(403, '署名用電子証明書の有効期限が切れています。' + OFFICE.ja, 'The signature certificate has expired. ' + OFFICE.en),
  certificate_not_yet_valid: m(403, '署名用電子証明書はまだ有効になっていません。', 'The signature certificate is not valid yet.'),
  wrong_key_usage: m(403, CARD.ja, CARD.en),
  policy_not_allowed: m(403, CARD.ja, CARD.en),
  test_policy_refused: m(403, 'テスト用のカードは使えません。', 'Test cards cannot be used.'),
  certificate_revoked: m(
    403,
    '署名用電子証明書が失効しています(引越しや氏名の変更で失効します)。' + OFFICE.ja,
    'The signature certificate has been revoked (moving house or a change of name revokes it). ' + OFFICE.en,
  ),
  not_signature_certificate: m(403, '署名用電子証明書ではありません。6〜16桁の署名用パスワードで読み取ってください。', 'This is not the signature certificate. Use the 6–16 character signature PIN.'),
  not_authentication_certificate: m(403, '利用者証明用電子証明書ではありません。', 'This is not the user-authentication certificate.'),
  leaf_is_ca: m(403, CARD.ja, CARD.en),
  weak_key: m(403, CARD.ja, CARD.en),
  unsupported_key: m(403, CARD.ja, CARD.en),
  unsupported_algorithm: m(403, CARD.ja, CARD.en),
  unsupported_critical_extension: m(403, CARD.ja, CARD.en),
  revocation_unavailable: m(
    503,
    '現在、電子証明書の失効確認ができません。しばらくしてからやり直してください。',
    'The certificate status cannot be checked right now. Please try again later.',
  ),
  // The card for card-only check-in (its user-authentication certificate), at proofing and when linked later
  card_other_person: m(
    403,
    'このマイナンバーカードがご本人のものであることを確認できないため、登録できません。登録できるのはご本人のカードだけです。',
    'This My Number Card could not be shown to be yours, so it cannot be linked. Only your own card can be linked.',
  ),
  card_invalid: m(
    400,
    'カードの利用者証明用電子証明書を確認できませんでした。カードと暗証番号(数字4桁)を確かめて、もう一度お試しください。',
    'The user-authentication certificate of the card could not be verified. Check the card and the 4-digit PIN, and try again.',
  ),
  card_revoked: m(403, 'このカードの利用者証明用電子証明書は失効しています。' + OFFICE.ja, 'The user-authentication certificate of this card has been revoked. ' + OFFICE.en),
  not_proofed: m(403, '先にマイナンバーカードで本人確認をしてください。', 'Please prove your identity with your My Number Card first.'),
  // Through the Digital Agency's app (デジタル認証アプリ, src/identity/proofing/digital-agency)
  digital_agency_unavailable: m(
    503,
    '現在、デジタル認証アプリでの本人確認をご利用いただけません。しばらくしてからやり直すか、カードリーダーでの本人確認をご利用ください。',
    'Identity proofing with the Digital Agency\'s app is not available right now. Try again later, or prove your identity with a card reader.',
  ),
  digital_agency_request_expired: m(
    400,
    'デジタル認証アプリでの手続きの有効期限が切れたか、すでに使われています。' + RETRY.ja,
    'This check with the Digital Agency\'s app has expired or was already used. ' + RETRY.en,
  ),
  digital_agency_state_mismatch: m(
    403,
    'デジタル認証アプリからの応答が、この手続きのものではありません。本人確認を中止しました。' + RETRY.ja,
    'The answer from the Digital Agency\'s app does not belong to this check, so it was stopped. ' + RETRY.en,
  ),
  digital_agency_cancelled: m(400, 'デジタル認証アプリでの本人確認が中止されました。', 'Identity proofing with the Digital Agency\'s app was cancelled.'),
  digital_agency_refused: m(
    400,
    'デジタル認証アプリでの本人確認ができませんでした。' + RETRY.ja,
    'Identity proofing with the Digital Agency\'s app did not succeed. ' + RETRY.en,
  ),
  digital_agency_code_invalid: m(
    400,
    'デジタル認証アプリからの応答は、すでに使われたか有効期限が切れています。' + RETRY.ja,
    'The answer from the Digital Agency\'s app was already used or has expired. ' + RETRY.en,
  ),
  digital_agency_id_token_invalid: m(
    403,
    'デジタル認証アプリからの応答の署名を確認できなかったため、本人確認を中止しました。' + RETRY.ja,
    'The signature of the answer from the Digital Agency\'s app could not be verified, so the check was stopped. ' + RETRY.en,
  ),
  digital_agency_nonce_mismatch: m(
    403,
    'デジタル認証アプリからの応答が、この手続きのために発行されたものではありません。本人確認を中止しました。' + RETRY.ja,
    'The answer from the Digital Agency\'s app was not issued for this check, so it was stopped. ' + RETRY.en,
  ),
  digital_agency_issuer_mismatch: m(
    403,
    '応答の発行元がデジタル認証アプリ(デジタル庁)ではないため、本人確認を中止しました。' + RETRY.ja,
    'The answer did not come from the Digital Agency\'s app, so the check was stopped. ' + RETRY.en,
  ),
  digital_agency_userinfo_invalid: m(
    403,
    'デジタル認証アプリから受け取った基本4情報を読み取れませんでした。' + OFFICE.ja,
    'The basic four facts received from the Digital Agency\'s app could not be read. ' + OFFICE.en,
  ),
  digital_agency_basic_four_missing: m(
    400,
    '氏名・住所・生年月日・性別のすべての提供に同意していただく必要があります。もう一度はじめからやり直してください。',
    'You need to agree to share all of your name, address, date of birth and gender. ' + RETRY.en,
  ),
  // Virtual card (development)
  wrong_pin: m(400, '暗証番号が違います。', 'Wrong PIN.'),
  wrong_auth_pin: m(400, '利用者証明用の暗証番号(数字4桁)が違います。', 'Wrong user-authentication PIN (4 digits).'),
  pin_locked: m(403, '暗証番号がロックされました。市区町村の窓口で再設定してください。', 'The PIN is locked. Reset it at your municipal office.'),
  card_not_found: m(404, 'カードが見つかりません。', 'Card not found.'),
});

const FALLBACK: ReasonText = { ja: 'エラーが発生しました。' + RETRY.ja, en: 'Something went wrong. ' + RETRY.en };

/** Every reason's words. */
export const PROOFING_MESSAGES: Readonly<Record<string, LocalisedMessage>> = PROOFING_REASONS.texts();

export function messageFor(reason: string): LocalisedMessage {
  return PROOFING_REASONS.text(reason) ?? FALLBACK;
}

/** The words for a refusal the proofing flow has none for (an API edge's fallback). */
export function proofingFallback(_error: PassError): ReasonText {
  return FALLBACK;
}

/**
 * Typed refusals of households and facility registrations, each with a reason code, its status and
 * the Japanese and English text the app shows. A refused request changes nothing.
 */
import { PassError } from '../core/errors.ts';
import { defineReasons, type ReasonEntry } from '../core/reasons.ts';

export const FAMILY_REASONS = defineReasons('households', {
  invalid_request: { status: 400, ja: '入力内容が正しくありません。', en: 'The request is not valid.' },
  account_required: { status: 403, ja: 'ログインした住民のみ利用できます。', en: 'Only a signed-in resident can do this.' },
  not_proofed: {
    status: 403,
    ja: '先にマイナンバーカード（署名用電子証明書）で本人確認をしてください。',
    en: 'First prove your identity with the signature certificate of your My Number Card.',
  },
  representative_minor: { status: 403, ja: '世帯の代表者は18歳以上の方に限られます。', en: 'A household representative must be 18 or over.' },
  not_representative: { status: 403, ja: 'この操作は世帯の代表者のみが行えます。', en: 'Only the household representative can do this.' },
  already_in_household: {
    status: 409,
    ja: 'この方はすでに別の世帯に登録されています。1人が登録できる世帯は1つだけです。',
    en: 'This person already belongs to a household; a person can belong to only one.',
  },
  has_own_account: {
    status: 409,
    ja: 'この方はご自身の PASS ID をお持ちです。家族として追加することはできません。',
    en: 'This person has a PASS ID of their own and cannot be added as a family member.',
  },
  is_self: { status: 400, ja: 'ご本人を家族として追加することはできません。', en: 'You cannot add yourself as a family member.' },
  impossible_relationship: {
    status: 400,
    ja: '続柄と生年月日が合いません（お子さまは代表者より年下、親は代表者より年上である必要があります）。',
    en: 'The relationship does not fit the dates of birth (a child must be younger, a parent older than the representative).',
  },
  wrong_method: {
    status: 400,
    ja: '15歳未満のお子さまは券面事項入力補助AP（4桁の暗証番号）で、それ以外の方は署名用電子証明書で確認してください。',
    en: 'Children under 15 are checked with the text-input-support application (4-digit PIN); everyone else with the signature certificate.',
  },
  household_full: { status: 409, ja: '世帯に登録できる人数の上限に達しています。', en: 'The household has reached its maximum number of members.' },
  not_member: { status: 404, ja: 'この方はあなたの世帯にいません。', en: 'This person is not in your household.' },
  cannot_remove_representative: { status: 400, ja: '代表者ご本人は世帯から外せません。', en: 'The representative cannot be removed from the household.' },
  not_of_age: {
    status: 403,
    ja: 'ご自身のアカウントへの移行は、署名用電子証明書で本人確認できる15歳以上の方が対象です。',
    en: 'Moving to an account of your own needs a signature certificate (15 or over).',
  },
  account_already_proofed: {
    status: 409,
    ja: 'このアカウントはすでに別の方として本人確認されています。',
    en: 'This account is already proofed as another person.',
  },
  no_member_to_claim: {
    status: 404,
    ja: 'このカードの方は、どの世帯にも家族として登録されていません。ご自身の本人確認は「マイナンバーカードで本人確認」から行ってください。',
    en: 'The holder of this card is not a family member of any household. Prove your own identity from the identity screen instead.',
  },
  member_facts_mismatch: {
    status: 403,
    ja: 'カードの基本4情報(氏名・生年月日・性別・住所)が、世帯に登録されている内容と一致しません。世帯の代表者にご相談ください。',
    en: "The card's basic four facts (name, date of birth, sex, address) do not match those recorded in the household. Please talk to the household representative.",
  },
  challenge_invalid: { status: 400, ja: '確認の有効期限が切れました。最初からやり直してください。', en: 'The check expired. Please start again.' },
  verification_expired: { status: 400, ja: '確認の有効期限が切れました。最初からやり直してください。', en: 'The check expired. Please start again.' },
  proofing_unavailable: {
    status: 503,
    ja: 'マイナンバーカードによる確認は現在利用できません。',
    en: 'Checks with the My Number Card are not available right now.',
  },
  text_ap_unavailable: {
    status: 503,
    ja: '券面事項入力補助APによる確認は現在利用できません。',
    en: 'Checks with the text-input-support application are not available.',
  },
  text_ap_invalid: {
    status: 403,
    ja: 'カードから読み取った情報を確認できませんでした。',
    en: 'The data read from the card could not be verified.',
  },
  wrong_pin: { status: 400, ja: '暗証番号が違います。', en: 'Wrong PIN.' },
  pin_locked: { status: 403, ja: '暗証番号がロックされています。市区町村の窓口で解除してください。', en: 'The PIN is locked. Reset it at the municipal office.' },
  card_not_found: { status: 404, ja: 'カードが見つかりません。', en: 'No such card.' },
  facility_not_found: { status: 404, ja: '施設が見つかりません。', en: 'No such facility.' },
  no_policy: { status: 409, ja: 'この施設はまだ登録を受け付けていません。', en: 'This facility does not take registrations yet.' },
  missing_required_claims: {
    status: 400,
    ja: '施設が必要とする情報がすべて選ばれていません。',
    en: 'Not every piece of information the facility requires was chosen.',
  },
  claim_not_in_policy: { status: 400, ja: 'この施設が求めていない情報が含まれています。', en: 'The choice includes information this facility does not ask for.' },
  identity_required: {
    status: 403,
    ja: 'この方の本人確認（マイナンバーカード）がまだ済んでいません。',
    en: "This person's identity has not been verified with a My Number Card yet.",
  },
  already_registered: { status: 409, ja: 'この方はすでにこの施設に登録されています（利用中）。', en: 'This person is already registered at this facility.' },
  registration_not_found: { status: 404, ja: '登録が見つかりません。', en: 'No such registration.' },
  already_withdrawn: { status: 409, ja: 'この登録はすでに取り消されています。', en: 'This registration is already withdrawn.' },
  // Pre-registration and kiosk-assisted enrollment (preregistrations.ts, kiosk-enrollment.ts; issue 16)
  preregistration_limit: {
    status: 409,
    ja: '受付中の事前登録が上限に達しています。不要なものを取り消すか、手続きの完了をお待ちください。',
    en: 'The household has as many pending pre-registrations as allowed. Cancel one, or wait until one is completed.',
  },
  preregistration_exists: { status: 409, ja: 'この方はすでに事前登録されています。', en: 'This person is already pre-registered.' },
  preregistration_closed: {
    status: 409,
    ja: 'この事前登録はすでに完了しているか、取り消されています。',
    en: 'This pre-registration has already been completed or cancelled.',
  },
  preregistration_not_found: {
    status: 404,
    ja: 'このカードの方の事前登録が見つかりません。ご家族(世帯の代表者)に、PASS アプリの「家族」から事前登録をしてもらってください。',
    en: "No pre-registration was found for this card's holder. Ask your family's representative to pre-register you in the PASS app (Family).",
  },
  preregistration_expired: {
    status: 410,
    ja: '事前登録の有効期限(24時間)が切れています。ご家族に、もう一度事前登録をしてもらってください。',
    en: 'The pre-registration has expired (it lasts 24 hours). Ask your family to pre-register you again.',
  },
  preregistration_ambiguous: {
    status: 409,
    ja: 'この方は複数の世帯から事前登録されています。ご家族で相談のうえ、1つを残して取り消してください。',
    en: 'More than one household pre-registered this person. Please agree as a family and cancel all but one.',
  },
  card_data_mismatch: {
    status: 403,
    ja: 'カードの券面情報と記録されている情報が一致しませんでした。係員にお声がけください。',
    en: "The card's printed details and its recorded details do not agree. Please ask a member of staff.",
  },
  kiosk_face_not_live: {
    status: 403,
    ja: 'お顔を確認できませんでした。写真や画面ではなく、ご本人がカメラを直接見てください。',
    en: 'We could not confirm your face. Please look at the camera yourself, not at a photo or a screen.',
  },
  kiosk_enrollment_not_confirmed: {
    status: 403,
    ja: 'どなたの世帯に登録するかの確認が済んでいません。最初からやり直してください。',
    en: 'Whose household you join was not confirmed. Please start again.',
  },
  kiosk_enrollment_unavailable: {
    status: 503,
    ja: 'このキオスクでは現在、カードによる登録をご利用いただけません。係員にお声がけください。',
    en: 'Registering with the card is not available at this kiosk right now. Please ask a member of staff.',
  },
} as const satisfies Record<string, ReasonEntry>);

export type FamilyReason = (typeof FAMILY_REASONS)['reasons'][number];

export class FamilyError extends PassError {
  declare readonly reason: FamilyReason;
  constructor(reason: FamilyReason, details?: Record<string, unknown>) {
    super(FAMILY_REASONS.code(reason), reason, FAMILY_REASONS.entry(reason).en, details, FAMILY_REASONS.status(reason));
  }
}

export function familyMessage(reason: string): { ja: string; en: string } | undefined {
  return FAMILY_REASONS.text(reason);
}

/**
 * The reasons of PASS Manager's API: the console shell's (history, alerts, guardians) and its
 * modules' (management, analytics, shelters), each with the status it is answered with and the
 * Japanese and English text the console shows (`message`). A refused request changes nothing.
 */
import { defineReasons, type ReasonEntry } from '../core/reasons.ts';

const m = (status: number, ja: string, en: string) => ({ status, ja, en });

export const MANAGER_REASONS = defineReasons('manager', {
  // The console shell
  insufficient_user_authentication: m(
    401,
    'PASS Manager を使うには、パスキーまたは認証アプリでログインしてください。未登録の場合は PASS アプリの「ログインとセキュリティ」で登録できます。',
    'PASS Manager needs a sign-in with a passkey or an authenticator app. Add one under "Sign-in and security" in the PASS app.',
  ),
  not_staff: m(403, 'このアカウントには PASS Manager を利用する権限がありません。', 'This account may not use PASS Manager.'),
  facility_not_permitted: m(403, 'この施設の情報を見る権限がありません。', 'You are not allowed to see this facility.'),
  not_permitted: m(403, 'この操作の権限がありません。', 'You are not allowed to do this.'),
  invalid_request: m(400, '入力内容が正しくありません。', 'The request is not valid.'),
  invalid_token: m(401, 'ログインの有効期限が切れました。もう一度ログインしてください。', 'Your sign-in has expired. Please sign in again.'),
  insufficient_scope: m(403, 'この操作の権限がありません。', 'You are not allowed to do this.'),
  checkin_not_found: m(404, 'チェックインの記録が見つかりません。', 'The check-in was not found.'),
  alert_not_found: m(404, '通知が見つかりません。', 'The alert was not found.'),
  thumbnail_not_found: m(404, '画像は保存期間を過ぎたため削除されました。', 'The image has expired and was deleted.'),
  not_checked_in: m(404, 'この方の最近のチェックインが見つかりません。', 'No recent check-in of this person was found.'),
  no_guardian_consent: m(403, '保護者がこの施設への連絡先の提供に同意していません。', "The guardian has not consented to this facility receiving their contact details."),
  no_guardian: m(404, 'この方の保護者の連絡先はありません。', 'There is no guardian contact for this person.'),
  too_many_rows: m(400, '該当する件数が多すぎます。期間や条件を絞り込んでください。', 'Too many rows match. Narrow the dates or filters.'),
  // Management, analytics and shelters (src/manager/admin/refusals.ts)
  admin_required: {
    status: 403,
    ja: 'この操作には施設管理者または市区町村管理者の権限が必要です。',
    en: 'This needs a facility administrator or a municipal administrator.',
  },
  municipal_admin_required: { status: 403, ja: 'この操作には市区町村管理者の権限が必要です。', en: 'This needs a municipal administrator.' },
  claims_not_in_catalog: {
    status: 400,
    ja: 'PASS が提供できる項目の一覧（カタログ）にない項目が含まれています。',
    en: 'Some items are not in the PASS claims catalog.',
  },
  claims_not_allowed: {
    status: 400,
    ja: '施設の提供情報ポリシーで認められていない項目が含まれています。',
    en: "Some items are not allowed by the facility's information release policy.",
  },
  claim_twice: { status: 400, ja: '同じ項目を必須と任意の両方にすることはできません。', en: 'An item cannot be both required and optional.' },
  policy_in_use: {
    status: 409,
    ja: 'この施設の連携システムが、外そうとしている項目をまだ受け取る設定です。先に連携システムの設定を変えてください。',
    en: "Relying parties of this facility still receive items you are removing. Change their settings first.",
  },
  facility_has_no_policy: {
    status: 409,
    ja: 'この施設には提供情報ポリシーがありません。先にポリシーを設定してください。',
    en: 'This facility has no information release policy yet. Set one first.',
  },
  device_code_invalid: {
    status: 404,
    ja: 'コードが正しくないか、有効期限が切れています。キオスクの画面を確認して、もう一度入力してください。',
    en: 'The code is wrong or has expired. Check the kiosk screen and enter it again.',
  },
  device_code_used: { status: 409, ja: 'このコードはすでに使われています。', en: 'This code has already been used.' },
  not_a_kiosk_code: {
    status: 400,
    ja: 'このコードはキオスク（PASS Face）のものではありません。',
    en: 'This code does not belong to a kiosk (PASS Face).',
  },
  kiosk_not_found: { status: 404, ja: 'キオスクが見つかりません。', en: 'No such kiosk.' },
  kiosk_name_invalid: {
    status: 400,
    ja: 'キオスクの名前は1〜40文字で、改行を含めずに入力してください。',
    en: 'A kiosk name is 1 to 40 characters on one line.',
  },
  kiosk_unavailable: { status: 503, ja: 'キオスクの管理は現在利用できません。', en: 'Kiosk management is not available right now.' },
  client_not_found: { status: 404, ja: '連携システムが見つかりません。', en: 'No such relying party.' },
  client_has_no_secret: {
    status: 409,
    ja: 'この連携システムはクライアントシークレットを使わない認証方式です。',
    en: 'This relying party does not authenticate with a client secret.',
  },
  invalid_client_metadata: { status: 400, ja: '連携システムの設定が正しくありません。', en: 'The relying party settings are not valid.' },
  client_exists: { status: 409, ja: 'このクライアントIDはすでに使われています。', en: 'This client ID is already in use.' },
  private_key_in_jwks: {
    status: 400,
    ja: '公開鍵だけを登録してください。秘密鍵が含まれています。',
    en: 'Register public keys only: this set contains private key material.',
  },
  keys_required: { status: 400, ja: '公開鍵（JWKS）か JWKS の URL のどちらかを入力してください。', en: 'Give either a public key set (JWKS) or a JWKS URL.' },
  private_key_jwt_needs_keys: {
    status: 400,
    ja: 'private_key_jwt で認証する連携システムには公開鍵（JWKS）か JWKS の URL が必要です。',
    en: 'A relying party that authenticates with private_key_jwt needs a public key set (JWKS) or a JWKS URL.',
  },
  account_not_found: { status: 404, ja: 'このメールアドレスの PASS アカウントはありません。', en: 'There is no PASS account with this e-mail address.' },
  assignment_not_found: { status: 404, ja: 'この割り当ては見つかりません。', en: 'No such assignment.' },
  last_municipal_admin: {
    status: 409,
    ja: '最後の市区町村管理者は外せません。先に別の管理者を割り当ててください。',
    en: 'The last municipal administrator cannot be removed. Assign another one first.',
  },
  range_too_long: { status: 400, ja: '期間は366日以内で指定してください。', en: 'The period can be at most 366 days.' },
  range_reversed: { status: 400, ja: '開始日は終了日より前にしてください。', en: 'The start date must not be after the end date.' },
  not_a_shelter: { status: 400, ja: 'この施設は避難所ではありません。', en: 'This facility is not a shelter.' },
} satisfies Record<string, ReasonEntry>);

export type ManagerReason = (typeof MANAGER_REASONS)['reasons'][number];

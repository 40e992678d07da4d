/**
 * Typed refusals of PASS Manager's management, analytics and shelter APIs: each reason has its
 * status class and the Japanese and English text that the console shows (the shell's own reasons,
 * such as `not_staff`, are in src/manager/messages.ts). A refused request changes nothing.
 */
import { PassError, type ErrorCode } from '../../core/errors.ts';

export const MANAGER_REFUSALS = {
  invalid_request: { code: 'invalid_input', ja: '入力内容が正しくありません。', en: 'The request is not valid.' },
  admin_required: {
    code: 'forbidden',
    ja: 'この操作には施設管理者または市区町村管理者の権限が必要です。',
    en: 'This needs a facility administrator or a municipal administrator.',
  },
  municipal_admin_required: { code: 'forbidden', ja: 'この操作には市区町村管理者の権限が必要です。', en: 'This needs a municipal administrator.' },
  claims_not_in_catalog: {
    code: 'invalid_input',
    ja: 'PASS のクレームカタログにない項目が含まれています。',
    en: 'Some items are not in the PASS claims catalog.',
  },
  claims_not_allowed: {
    code: 'invalid_input',
    ja: '施設のクレームポリシーで認められていない項目が含まれています。',
    en: "Some items are not allowed by the facility's claim policy.",
  },
  claim_twice: { code: 'invalid_input', ja: '同じ項目を必須と任意の両方にすることはできません。', en: 'An item cannot be both required and optional.' },
  policy_in_use: {
    code: 'conflict',
    ja: 'この施設の連携システムが、外そうとしている項目をまだ受け取る設定です。先に連携システムの設定を変えてください。',
    en: "Relying parties of this facility still receive items you are removing. Change their settings first.",
  },
  facility_has_no_policy: {
    code: 'conflict',
    ja: 'この施設にはクレームポリシーがありません。先にポリシーを設定してください。',
    en: 'This facility has no claim policy yet. Set one first.',
  },
  device_code_invalid: {
    code: 'not_found',
    ja: 'コードが正しくないか、有効期限が切れています。キオスクの画面を確認して、もう一度入力してください。',
    en: 'The code is wrong or has expired. Check the kiosk screen and enter it again.',
  },
  device_code_used: { code: 'conflict', ja: 'このコードはすでに使われています。', en: 'This code has already been used.' },
  not_a_kiosk_code: {
    code: 'invalid_input',
    ja: 'このコードはキオスク（PASS Face）のものではありません。',
    en: 'This code does not belong to a kiosk (PASS Face).',
  },
  kiosk_not_found: { code: 'not_found', ja: 'キオスクが見つかりません。', en: 'No such kiosk.' },
  kiosk_unavailable: { code: 'unavailable', ja: 'キオスクの管理は現在利用できません。', en: 'Kiosk management is not available right now.' },
  client_not_found: { code: 'not_found', ja: '連携システムが見つかりません。', en: 'No such relying party.' },
  client_has_no_secret: {
    code: 'conflict',
    ja: 'この連携システムはクライアントシークレットを使わない認証方式です。',
    en: 'This relying party does not authenticate with a client secret.',
  },
  invalid_client_metadata: { code: 'invalid_input', ja: '連携システムの設定が正しくありません。', en: 'The relying party settings are not valid.' },
  client_exists: { code: 'conflict', ja: 'このクライアントIDはすでに使われています。', en: 'This client ID is already in use.' },
  private_key_in_jwks: {
    code: 'invalid_input',
    ja: '公開鍵だけを登録してください。秘密鍵が含まれています。',
    en: 'Register public keys only: this set contains private key material.',
  },
  keys_required: { code: 'invalid_input', ja: '公開鍵（JWKS）か JWKS の URL のどちらかを入力してください。', en: 'Give either a public key set (JWKS) or a JWKS URL.' },
  private_key_jwt_needs_keys: {
    code: 'invalid_input',
    ja: 'private_key_jwt で認証する連携システムには公開鍵（JWKS）か JWKS の URL が必要です。',
    en: 'A relying party that authenticates with private_key_jwt needs a public key set (JWKS) or a JWKS URL.',
  },
  account_not_found: { code: 'not_found', ja: 'このメールアドレスの PASS アカウントはありません。', en: 'There is no PASS account with this e-mail address.' },
  assignment_not_found: { code: 'not_found', ja: 'この割り当ては見つかりません。', en: 'No such assignment.' },
  last_municipal_admin: {
    code: 'conflict',
    ja: '最後の市区町村管理者は外せません。先に別の管理者を割り当ててください。',
    en: 'The last municipal administrator cannot be removed. Assign another one first.',
  },
  range_too_long: { code: 'invalid_input', ja: '期間は366日以内で指定してください。', en: 'The period can be at most 366 days.' },
  range_reversed: { code: 'invalid_input', ja: '開始日は終了日より前にしてください。', en: 'The start date must not be after the end date.' },
  not_a_shelter: { code: 'invalid_input', ja: 'この施設は避難所ではありません。', en: 'This facility is not a shelter.' },
} as const satisfies Record<string, { code: ErrorCode; ja: string; en: string }>;

export type ManagerReason = keyof typeof MANAGER_REFUSALS;

export class ManagerRefusal extends PassError {
  constructor(reason: ManagerReason, details?: Record<string, unknown>, description?: string) {
    const entry = MANAGER_REFUSALS[reason];
    super(entry.code, reason, description ?? entry.en, details);
  }
}

/** The console's text for one of these reasons. */
export function refusalMessage(reason: string): { ja: string; en: string } | undefined {
  if (!Object.hasOwn(MANAGER_REFUSALS, reason)) return undefined;
  const entry = MANAGER_REFUSALS[reason as ManagerReason];
  return { ja: entry.ja, en: entry.en };
}

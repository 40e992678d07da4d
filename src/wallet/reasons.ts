/**
 * The credential issuer's refusals (issue 19), with the words a resident or a wallet reads. The
 * OpenID4VCI endpoints answer in OAuth's error vocabulary as the standards ask (`error` is what a
 * wallet acts on: `invalid_nonce` means "fetch a new nonce and retry"), with these reasons and
 * their words beside it; the offers API answers in PASS's Refusal shape.
 */
import { defineReasons } from '../core/reasons.ts';

export const WALLET_REASONS = defineReasons('wallet', {
  account_required: { status: 403, ja: 'ログインした住民のみ利用できます。', en: 'Only a signed-in resident can do this.' },
  unknown_credential_configuration: {
    status: 400,
    ja: 'この種類の証明書は発行していません。',
    en: 'PASS does not issue this kind of credential.',
  },
  not_represented: {
    status: 403,
    ja: 'この方の証明書は、ご本人か世帯の代表者のみが受け取れます。',
    en: "Only the person or their household's representative can receive this person's credentials.",
  },
  person_not_proofed: {
    status: 403,
    ja: '証明書を受け取るには、先にマイナンバーカードで本人確認をしてください。',
    en: 'Prove the identity with a My Number Card before receiving credentials.',
  },
  fact_unavailable: {
    status: 409,
    ja: '確認済みの情報から、この証明書の内容を作れません（住所が対象の市区町村外など）。',
    en: 'This credential cannot be made from the verified facts (for example, the address is outside the municipalities PASS serves).',
  },
  unsupported_grant_type: {
    status: 400,
    ja: 'この付与方式には対応していません。',
    en: 'This grant type is not supported.',
  },
  invalid_grant: {
    status: 400,
    ja: '受け取りコードが無効か、期限切れか、すでに使われています。アプリからもう一度お試しください。',
    en: 'The pre-authorized code is invalid, expired or already used. Start again from the app.',
  },
  invalid_client: { status: 401, ja: 'このアプリからは受け取れません。', en: 'This client cannot receive credentials.' },
  invalid_token: {
    status: 401,
    ja: 'アクセストークンが無効か、期限切れです。もう一度受け取りを始めてください。',
    en: 'The access token is invalid or expired. Start receiving the credential again.',
  },
  invalid_credential_request: { status: 400, ja: '証明書の要求が正しくありません。', en: 'The credential request is not valid.' },
  credential_not_offered: {
    status: 400,
    ja: 'このアクセストークンでは、別の種類の証明書は受け取れません。',
    en: 'This access token is for another kind of credential.',
  },
  invalid_proof: {
    status: 400,
    ja: '端末の鍵の証明（proof）が正しくありません。',
    en: 'The proof of possession of the device key is not valid.',
  },
  invalid_nonce: {
    status: 400,
    ja: 'nonce が無効か、期限切れか、すでに使われています。新しい nonce で再度お試しください。',
    en: 'The nonce is invalid, expired or already used. Try again with a new nonce.',
  },
  status_list_not_found: { status: 404, ja: 'このステータスリストはありません。', en: 'There is no such status list.' },
});

export type WalletReason = (typeof WALLET_REASONS)['reasons'][number];

/**
 * The OAuth / OpenID4VCI `error` a protocol endpoint answers for each reason (RFC 6749 §5.2,
 * RFC 6750 §3.1, OpenID4VCI 1.0 §8.3.1.2).
 */
export const OAUTH_ERROR: Partial<Record<WalletReason, string>> = {
  unsupported_grant_type: 'unsupported_grant_type',
  invalid_grant: 'invalid_grant',
  invalid_client: 'invalid_client',
  invalid_token: 'invalid_token',
  invalid_credential_request: 'invalid_credential_request',
  credential_not_offered: 'invalid_credential_request',
  unknown_credential_configuration: 'unknown_credential_configuration',
  invalid_proof: 'invalid_proof',
  invalid_nonce: 'invalid_nonce',
  person_not_proofed: 'credential_request_denied',
  fact_unavailable: 'credential_request_denied',
  status_list_not_found: 'not_found',
};

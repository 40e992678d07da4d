/**
 * Why a credential presentation (SD-JWT VC with key binding) is refused, in the words a resident
 * at a kiosk or a verifier's staff reads. The SD-JWT core (this folder) throws only these; a
 * verifier's API edge or page answers with the same words. The texts never name a disclosed fact:
 * a refusal may be logged, and the log must not become the place a resident's data leaks to.
 */
import { defineReasons } from '../../core/reasons.ts';

export const PRESENTATION_REASONS = defineReasons('wallet-presentation', {
  presentation_malformed: {
    status: 400,
    ja: '提示されたデジタル証明書の形式が正しくありません。',
    en: 'The presented credential is not well formed.',
  },
  presentation_too_large: {
    status: 413,
    ja: '提示されたデジタル証明書が大きすぎます。',
    en: 'The presented credential is too large.',
  },
  issuer_unknown: {
    status: 401,
    ja: 'このデジタル証明書の発行元は信頼されていません。',
    en: 'The issuer of this credential is not trusted here.',
  },
  credential_not_sd_jwt_vc: {
    status: 400,
    ja: 'SD-JWT VC（dc+sd-jwt）形式のデジタル証明書ではありません。',
    en: 'This is not an SD-JWT VC (dc+sd-jwt) credential.',
  },
  algorithm_not_accepted: {
    status: 400,
    ja: 'このデジタル証明書の署名方式は受け付けていません（ES256 のみ）。',
    en: 'The signature algorithm of this credential is not accepted (ES256 only).',
  },
  credential_signature_invalid: {
    status: 401,
    ja: 'デジタル証明書の署名を確認できませんでした。改ざんされている可能性があります。',
    en: 'The credential signature could not be verified; it may have been tampered with.',
  },
  credential_expired: {
    status: 401,
    ja: 'デジタル証明書の有効期限が切れています。アプリで証明書を再発行してください。',
    en: 'The credential has expired. Get a new one in the app.',
  },
  credential_not_yet_valid: {
    status: 401,
    ja: 'デジタル証明書はまだ有効になっていません。端末の時刻を確認してください。',
    en: 'The credential is not valid yet. Check the device clock.',
  },
  credential_type_not_accepted: {
    status: 403,
    ja: 'この種類のデジタル証明書はここでは使えません。',
    en: 'This kind of credential is not accepted here.',
  },
  disclosure_invalid: {
    status: 400,
    ja: '提示された情報の一部が証明書と一致しません。',
    en: 'A disclosed fact does not belong to the credential.',
  },
  disclosure_not_requested: {
    status: 400,
    ja: '求められていない情報が提示されました。求められた情報だけを提示してください。',
    en: 'Facts that were not asked for were disclosed. Disclose only what is asked for.',
  },
  key_binding_missing: {
    status: 401,
    ja: '所持者の確認（キーバインディング）がない提示は受け付けられません。',
    en: 'A presentation without holder key binding is not accepted.',
  },
  key_binding_invalid: {
    status: 401,
    ja: '所持者の確認（キーバインディング）に失敗しました。証明書を受け取った端末から提示してください。',
    en: 'Holder key binding failed. Present from the device the credential was issued to.',
  },
  presentation_audience_mismatch: {
    status: 401,
    ja: 'この提示は別の確認先に宛てたものです。',
    en: 'This presentation was made for another verifier.',
  },
  presentation_nonce_mismatch: {
    status: 401,
    ja: 'この提示は今回の確認要求に対するものではありません（再利用された可能性があります）。',
    en: 'This presentation does not answer this request (it may be a replay).',
  },
  presentation_stale: {
    status: 401,
    ja: '提示の作成から時間が経ちすぎています。もう一度提示してください。',
    en: 'The presentation is too old. Present again.',
  },
  credential_revoked: {
    status: 403,
    ja: 'このデジタル証明書は失効しています。',
    en: 'This credential has been revoked.',
  },
  status_list_stale: {
    status: 503,
    ja: '失効情報が古いため確認できません。ネットワークにつないで失効情報を更新してください。',
    en: 'The revocation list is too old to rely on. Connect to the network to refresh it.',
  },
  status_list_unavailable: {
    status: 503,
    ja: '失効情報を取得できないため確認できません。',
    en: 'The revocation list is not available, so the credential cannot be checked.',
  },
  status_list_invalid: {
    status: 503,
    ja: '失効情報が正しくないため確認できません。',
    en: 'The revocation list is not valid, so the credential cannot be checked.',
  },
});

export type PresentationReason = (typeof PRESENTATION_REASONS)['reasons'][number];

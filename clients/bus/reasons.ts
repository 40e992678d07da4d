/**
 * The demo bus verifier's own refusals (beyond the SD-JWT core's `wallet-presentation` ones): what
 * its result page and log show when an answer from a wallet cannot be used. Words a rider reads at
 * the bus stop, Japanese first; none names a disclosed fact's value.
 */
import { defineReasons } from '../../src/core/reasons.ts';

export const BUS_REASONS = defineReasons('demo-bus', {
  request_unknown: {
    status: 400,
    ja: 'この確認要求は見つからないか、すでに使われたか、期限が切れています。最初からやり直してください。',
    en: 'This request is unknown, already answered or expired. Please start again.',
  },
  response_malformed: {
    status: 400,
    ja: 'PASSアプリからの応答の形式が正しくありません。',
    en: 'The answer from the wallet is not well formed.',
  },
  age_not_disclosed: {
    status: 400,
    ja: '65歳以上かどうかが提示されませんでした。',
    en: 'Whether you are aged 65 or over was not shown.',
  },
  not_eligible: {
    status: 403,
    ja: '65歳以上であることが確認できないため、シニア割引の対象ではありません。',
    en: 'Aged 65 or over could not be confirmed, so the senior discount does not apply.',
  },
  wallet_declined: {
    status: 403,
    ja: 'PASSアプリで提示がキャンセルされました。',
    en: 'The presentation was cancelled in the PASS app.',
  },
  issuer_keys_unavailable: {
    status: 503,
    ja: 'PASSの公開鍵を取得できないため、確認できません。しばらくしてからお試しください。',
    en: "PASS's public keys could not be fetched, so nothing can be checked. Please try again later.",
  },
});

export type BusReason = (typeof BUS_REASONS)['reasons'][number];

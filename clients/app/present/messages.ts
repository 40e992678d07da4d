import type { Messages } from '../../../src/http/i18n.ts';

/**
 * Words of the wallet's presentation pages (/app/wallet/present, /app/wallet/history). Japanese
 * first. The `present.js.*` keys go to the page's script, which draws the facts from IndexedDB.
 */
export const PRESENT_APP_MESSAGES: Messages = {
  'present.title': { ja: '情報の提供', en: 'Share information' },
  'present.to': { ja: '提供先', en: 'Shared with' },
  'present.origin': { ja: '送信先', en: 'Sent to' },
  'present.selfnamed': {
    ja: '名称は提供先が名乗っているものです。送信先のアドレスを確かめてください。',
    en: 'The name is the one the receiver gives itself. Check the address it is sent to.',
  },
  'present.unnamed': { ja: '（名称なし）', en: '(no name given)' },
  'present.gives.heading': { ja: '提供する情報', en: 'What will be shared' },
  'present.gives.lead': { ja: '提供先が受け取るのは、次の情報だけです。', en: 'The receiver gets only these facts.' },
  'present.withholds.heading': { ja: '提供しない情報', en: 'What will not be shared' },
  'present.withholds.lead': {
    ja: '次の情報や、氏名・生年月日・住所などのほかの情報は送られません。',
    en: 'These facts, and anything else such as your name, date of birth or address, are not sent.',
  },
  'present.approve': { ja: '提供する', en: 'Share' },
  'present.decline': { ja: 'やめる', en: 'Cancel' },
  'present.history': { ja: '提供の履歴', en: 'Sharing history' },
  'present.back': { ja: 'ウォレットに戻る', en: 'Back to the wallet' },
  'present.bad.heading': { ja: 'この要求には応じられません', en: 'This request cannot be answered' },
  'present.bad.nothing': { ja: '何も送信していません。', en: 'Nothing has been sent.' },
  'present.bad.parameters': { ja: '提供先からの要求に、同じ項目が重複しています。', en: 'The request repeats a parameter.' },
  'present.bad.signed': { ja: '署名付きの要求（request / request_uri）には対応していません。', en: 'Signed requests (request / request_uri) are not supported.' },
  'present.bad.response_type': { ja: '提供先からの要求の種類（response_type）が正しくありません。', en: 'The request type (response_type) is not vp_token.' },
  'present.bad.response_mode': { ja: '提供先への送り方（response_mode）に対応していません。', en: 'The response mode is not direct_post.' },
  'present.bad.response_uri': { ja: '送信先のアドレス（response_uri）が正しくないか、安全な接続（https）ではありません。', en: 'The response address (response_uri) is missing, malformed or not https.' },
  'present.bad.client_id': { ja: '提供先の識別子（client_id）が送信先のアドレスと一致しません。', en: 'The client identifier (client_id) does not match the response address.' },
  'present.bad.nonce_state': { ja: '提供先からの要求に、使い捨ての値（nonce / state）がないか、正しくありません。', en: 'The request has no valid one-time values (nonce / state).' },
  'present.bad.client_metadata': { ja: '提供先の情報（client_metadata）が正しくないか、この形式の証明書を受け付けていません。', en: 'The receiver metadata (client_metadata) is malformed or does not accept this credential format.' },
  'present.bad.dcql': { ja: '求められている情報の指定（dcql_query）が正しくありません。', en: 'The query for information (dcql_query) is malformed.' },
  'present.bad.dcql_unsupported': { ja: '求められている情報の指定に、PASSアプリが対応していない項目があります。', en: 'The query asks for something the PASS app does not support.' },
  'request-refused.title': { ja: 'この要求には応じられません', en: 'This request cannot be answered' },
  'sharing-history.title': { ja: '提供の履歴', en: 'Sharing history' },
  'present.history.lead': { ja: 'この端末から提供した情報の記録です。この端末の中にだけ保存されています。', en: 'What this device has shared. Kept on this device only.' },
  'present.history.none': { ja: 'まだ提供したことはありません。', en: 'Nothing shared yet.' },
  // The page scripts' words.
  'present.js.none': { ja: 'この要求に使える証明書がありません。ウォレットで証明書を受け取ってから、もう一度お試しください。', en: 'No credential on this device answers this request. Receive one in the wallet, then try again.' },
  'present.js.choose': { ja: '使う証明書', en: 'Credential to use' },
  'present.js.always': { ja: '（この証明書では常に提供されます）', en: ' (always shared with this credential)' },
  'present.js.sending': { ja: '送信しています…', en: 'Sending...' },
  'present.js.failed': { ja: '送信できませんでした。もう一度お試しください。', en: 'It could not be sent. Please try again.' },
  'present.js.refused': { ja: '提供先が受け付けませんでした: {message}', en: 'The receiver did not accept it: {message}' },
  'present.js.declined': { ja: '提供をやめました。', en: 'Cancelled. Nothing was shared.' },
  'present.js.unsupported': { ja: 'このブラウザでは提供できません（IndexedDB と Web Crypto が必要です）。', en: 'This browser cannot share credentials (it needs IndexedDB and Web Crypto).' },
  'present.js.result.sent': { ja: '提供しました', en: 'Shared' },
  'present.js.result.declined': { ja: 'やめました', en: 'Cancelled' },
  'present.js.result.failed': { ja: '送信できませんでした', en: 'Not sent' },
  'present.js.when': { ja: '日時', en: 'When' },
  'present.js.facts': { ja: '提供した情報', en: 'Facts shared' },
  'present.js.nothing': { ja: '（なし）', en: '(none)' },
};

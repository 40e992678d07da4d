import type { Messages } from '../../../src/http/i18n.ts';

/**
 * Words of the identity-proofing screens, Japanese first. Refusals of the proofing API are shown
 * with the API's own message (src/identity/proofing/messages.ts); these are the app's words.
 */
export const PROOFING_APP_MESSAGES: Messages = {
  'proofing-start.title': { ja: 'マイナンバーカードで本人確認', en: 'Prove your identity with your My Number Card' },
  'proofing-card.title': { ja: 'マイナンバーカードを読み取る', en: 'Read your My Number Card' },
  'proofing-confirm.title': { ja: '本人確認情報の確認', en: 'Check your details' },
  'proofing.steps': { ja: '本人確認の手順', en: 'Identity proofing steps' },
  'proofing.step.prepare': { ja: '準備', en: 'Prepare' },
  'proofing.step.card': { ja: 'カード読取', en: 'Read card' },
  'proofing.step.confirm': { ja: '内容確認', en: 'Check' },
  'proofing.step.done': { ja: '完了', en: 'Done' },
  'proofing.step.current': { ja: '(現在の手順)', en: ' (current step)' },
  'proofing.lead': {
    ja: 'マイナンバーカードで本人確認を行い、氏名・生年月日・性別・住所(基本4情報)を PASS ID に登録します。',
    en: 'Prove who you are with your My Number Card. Your name, date of birth, gender and address (the basic four) are registered to your PASS ID.',
  },
  'proofing.need': { ja: 'ご用意いただくもの', en: 'What you need' },
  'proofing.need.card': { ja: 'マイナンバーカード', en: 'Your My Number Card' },
  'proofing.need.pin': {
    ja: '署名用電子証明書のパスワード(英大文字と数字の6〜16文字)',
    en: 'The signature certificate password (6–16 capital letters and digits)',
  },
  'proofing.need.authpin': {
    ja: '利用者証明用電子証明書の暗証番号(数字4桁): 施設のキオスクでカードをかざしてチェックインできるよう、同じカードを登録します',
    en: 'The user-authentication PIN (4 digits): the same card is registered so that you can check in by holding it to a facility kiosk',
  },
  'proofing.need.lock': {
    ja: 'パスワードを3回続けて間違えるとロックされ、市区町村の窓口で再設定が必要になります。',
    en: 'Three wrong passwords in a row lock it; it can then only be reset at your municipal office.',
  },
  'proofing.once': {
    ja: '一度登録すると、この PASS ID の本人を別の方に変更することはできません(引越しやカード更新のときは、ご本人のカードで再確認できます)。',
    en: 'Once registered, this PASS ID cannot be changed to another person (after moving or renewing your card, you can check again with your own card).',
  },
  'proofing.begin': { ja: '本人確認をはじめる', en: 'Start identity proofing' },
  'proofing.again': { ja: 'もう一度カードで確認する(引越し・カード更新)', en: 'Check again with the card (after moving or renewal)' },
  'proofing.restart': { ja: 'はじめからやり直す', en: 'Start again' },
  'proofing.home': { ja: 'ホームへ戻る', en: 'Back to home' },
  'proofing.status': { ja: '本人確認の状況', en: 'Identity proofing status' },
  'proofing.status.verified': { ja: '本人確認済み', en: 'Verified' },
  'proofing.status.none': { ja: 'まだ本人確認をしていません。', en: 'You have not proved your identity yet.' },
  'proofing.verifiedAt': { ja: '確認日時', en: 'Verified at' },
  'proofing.history': { ja: '確認の履歴', en: 'History' },
  'proofing.history.when': { ja: '日時', en: 'When' },
  'proofing.history.serial': { ja: '証明書のシリアル番号', en: 'Certificate serial number' },
  'proofing.history.revocation': { ja: '失効確認', en: 'Revocation check' },
  'proofing.history.current': { ja: '(現在)', en: ' (current)' },
  'proofing.revocation.good': { ja: '有効', en: 'Valid' },
  'proofing.done.bound': { ja: '本人確認が完了しました。PASS ID に基本4情報を登録しました。', en: 'Your identity is proven. The basic four are now registered to your PASS ID.' },
  'proofing.done.updated': { ja: '本人確認情報を更新しました。', en: 'Your identity details have been updated.' },
  // Card step
  'proofing.card.lead': { ja: 'カードで、この手続きのための確認コードに電子署名します。', en: 'Your card signs this check\'s challenge with its signature key.' },
  'proofing.card.expires': { ja: 'この手続きの有効期限', en: 'This check expires at' },
  'proofing.card.dev': { ja: '開発用の仮想マイナンバーカード', en: 'Virtual My Number Card (development)' },
  'proofing.card.dev.note': {
    ja: 'この環境では、開発用テスト CA が発行した仮想カードを使います。本番環境では、PASS のカード読取アプリがスマートフォンの NFC でカードを読み取ります。',
    en: 'Here, virtual cards issued by the development test CA stand in for a card reader. In production, the PASS card reader app reads the card over NFC.',
  },
  'proofing.card.choose': { ja: '使用するカード', en: 'Card to use' },
  'proofing.card.locked': { ja: '(ロック中)', en: ' (locked)' },
  'proofing.card.revoked': { ja: '(失効)', en: ' (revoked)' },
  'proofing.card.pin': { ja: '署名用電子証明書のパスワード', en: 'Signature certificate password' },
  'proofing.card.pin.hint': { ja: '英大文字と数字の6〜16文字。入力した文字は表示されません。', en: '6–16 capital letters and digits. What you type is hidden.' },
  'proofing.card.pin.devhint': { ja: '開発用カードの初期パスワード: ', en: 'Default password of the development cards: ' },
  'proofing.card.authpin': { ja: '利用者証明用電子証明書の暗証番号(数字4桁)', en: 'User-authentication PIN (4 digits)' },
  'proofing.card.authpin.hint': {
    ja: '同じカードの利用者証明用電子証明書も読み取り、キオスクでのチェックインに使うカードとして登録します。',
    en: 'The same card\'s user-authentication certificate is read too, and registered as your card for kiosk check-in.',
  },
  'proofing.card.authpin.devhint': { ja: '開発用カードの初期暗証番号: ', en: 'Default PIN of the development cards: ' },
  'proofing.card.sign': { ja: 'カードで署名して送信する', en: 'Sign with the card and send' },
  'proofing.card.cancel': { ja: '中止する', en: 'Cancel' },
  'proofing.card.native': { ja: 'カードをスマートフォンにかざしてください', en: 'Hold your card to your phone' },
  'proofing.card.native.text': {
    ja: 'PASS カード読取アプリを開き、パスワードを入力してから、マイナンバーカードをスマートフォンの背面にかざしてください。アプリが電子証明書と署名を PASS に送り、この画面で内容を確認できます。',
    en: 'Open the PASS card reader app, enter your password, then hold your My Number Card to the back of your phone. The app sends the certificate and signature to PASS, and you check the details here.',
  },
  'proofing.card.native.continue': { ja: '読み取りが終わったら', en: 'When the card has been read' },
  'proofing.card.nocards': { ja: '使用できる仮想カードがありません。', en: 'No virtual card is available.' },
  'proofing.error.pin_format': {
    ja: 'パスワードは英大文字と数字の6〜16文字で入力してください。',
    en: 'Enter the password as 6–16 capital letters and digits.',
  },
  'proofing.error.authpin_format': { ja: '利用者証明用の暗証番号は数字4桁で入力してください。', en: 'Enter the user-authentication PIN as 4 digits.' },
  'proofing.error.card': { ja: '使用するカードを選んでください。', en: 'Choose the card to use.' },
  'proofing.error.attempts': { ja: 'あと{n}回間違えるとロックされます。', en: '{n} more wrong attempt(s) will lock it.' },
  'proofing.error.generic': { ja: 'エラーが発生しました。もう一度はじめからやり直してください。', en: 'Something went wrong. Please start again.' },
  'proofing.error.form': { ja: 'フォームの有効期限が切れました。もう一度お試しください。', en: 'The form has expired. Please try again.' },
  'proofing.error.nochallenge': { ja: '手続きの有効期限が切れました。もう一度はじめからやり直してください。', en: 'This check has expired. Please start again.' },
  // Confirmation
  'proofing.confirm.lead': { ja: 'マイナンバーカードから読み取った内容です。ご本人の情報か確認してください。', en: 'These details were read from your My Number Card. Check that they are yours.' },
  'proofing.confirm.update': { ja: '登録済みの本人確認情報を、この内容で更新します。', en: 'Your registered details will be updated with these.' },
  'proofing.confirm.register': { ja: 'この内容で登録する', en: 'Register these details' },
  'proofing.confirm.retry': { ja: '登録せずにやり直す', en: 'Do not register; start again' },
  'proofing.confirm.card.linked': {
    ja: 'このカードを、施設のキオスクでかざしてチェックインするカードとしても登録します。',
    en: 'This card will also be registered as your card for checking in at facility kiosks.',
  },
  'proofing.confirm.card.unlinked': {
    ja: 'このカードの2つの電子証明書は発行時期が異なるため(引越しなどで署名用だけが更新された場合)、チェックイン用のカードとしては登録されません。PASS カード読取アプリで、券面事項入力補助用の暗証番号を使って登録できます。',
    en: 'The two certificates of this card were issued at different times (the signature certificate alone was renewed, e.g. after a move), so it is not registered as your check-in card. You can link it in the PASS card reader app with the PIN of the text-input-support application.',
  },
  'proofing.fact.name': { ja: '氏名', en: 'Name' },
  'proofing.fact.birthdate': { ja: '生年月日', en: 'Date of birth' },
  'proofing.fact.gender': { ja: '性別', en: 'Gender' },
  'proofing.fact.address': { ja: '住所', en: 'Address' },
  'proofing.gender.male': { ja: '男性', en: 'Male' },
  'proofing.gender.female': { ja: '女性', en: 'Female' },
  'proofing.gender.none': { ja: '(記載なし)', en: '(not recorded)' },
  'proofing.substitute.name': {
    ja: '氏名に代替文字が含まれています。カードに記録された文字(外字)を、標準の文字に置き換えて表示しています。',
    en: 'The name contains substitute characters: characters on the card outside the standard set are shown with standard replacements.',
  },
  'proofing.substitute.address': {
    ja: '住所に代替文字が含まれています。カードに記録された文字(外字)を、標準の文字に置き換えて表示しています。',
    en: 'The address contains substitute characters: characters on the card outside the standard set are shown with standard replacements.',
  },
  'proofing.certificateUntil': { ja: '電子証明書の有効期限', en: 'Certificate valid until' },
  // Home tile
  'proofing.tile.verified': { ja: '確認済み', en: 'Verified' },
  // The two ways: the Digital Agency's app (a phone) and a card reader (a PC)
  'proofing.ways': { ja: '本人確認の方法', en: 'How to prove your identity' },
  'proofing.da.heading': { ja: 'スマートフォンで(デジタル認証アプリ)', en: 'On your phone (the Digital Agency\'s app)' },
  'proofing.da.lead': {
    ja: 'デジタル庁の「デジタル認証アプリ」でマイナンバーカードを読み取り、氏名・住所・生年月日・性別を PASS ID に登録します。カードリーダーは要りません。',
    en: 'The Digital Agency\'s app reads your My Number Card, and your name, address, date of birth and gender are registered to your PASS ID. No card reader is needed.',
  },
  'proofing.da.need': {
    ja: 'スマートフォンのデジタル認証アプリと、利用者証明用電子証明書の暗証番号(数字4桁)が必要です。',
    en: 'You need the Digital Agency\'s app on your phone and the user-authentication PIN (4 digits).',
  },
  'proofing.da.begin': { ja: 'デジタル認証アプリで本人確認', en: 'Prove your identity with the Digital Agency\'s app' },
  'proofing.da.again': { ja: 'デジタル認証アプリでもう一度確認する', en: 'Check again with the Digital Agency\'s app' },
  'proofing.da.test': {
    ja: '(この PASS はデジタル認証アプリの開発用・検証用の接続先を使っています)',
    en: '(This PASS uses a development or sandbox server of the Digital Agency\'s app.)',
  },
  'proofing.card.heading': { ja: 'パソコンとカードリーダーで', en: 'On a computer with a card reader' },
  'proofing.card.way': {
    ja: 'IC カードリーダーをお持ちの方は、署名用電子証明書で直接本人確認できます。キオスクでかざすチェックイン用のカードも同時に登録されます。',
    en: 'With an IC card reader, you can prove your identity directly with the signature certificate. The card is also registered for checking in at kiosks.',
  },
  'proofing.history.da': { ja: 'デジタル認証アプリ', en: 'The Digital Agency\'s app' },
  'proofing.confirm.lead.da': {
    ja: 'デジタル認証アプリから受け取った内容です。ご本人の情報か確認してください。',
    en: 'These details came from the Digital Agency\'s app. Check that they are yours.',
  },
  'proofing.error.da_callback': {
    ja: 'デジタル認証アプリからの戻りを確認できませんでした。もう一度はじめからやり直してください。',
    en: 'The return from the Digital Agency\'s app could not be checked. Please start again.',
  },
};

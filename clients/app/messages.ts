import type { Messages } from '../../src/http/i18n.ts';
import { MESSAGES as PAGE_MESSAGES } from '../../src/identity/interactions/messages.ts';
import { PROOFING_APP_MESSAGES } from './proofing/messages.ts';
import { FACE_APP_MESSAGES } from './face/messages.ts';
import { FAMILY_APP_MESSAGES } from './family/messages.ts';
import { QR_APP_MESSAGES } from './qr-messages.ts';
import { PRIVACY_APP_MESSAGES } from './privacy/messages.ts';
import { SECURITY_APP_MESSAGES } from './security/messages.ts';
import { ACCOUNT_APP_MESSAGES } from './account/messages.ts';
import { HISTORY_APP_MESSAGES } from './history/messages.ts';
import { WALLET_APP_MESSAGES } from './wallet/messages.ts';
import { PRESENT_APP_MESSAGES } from './present/messages.ts';

/** Words of the PASS app. Japanese first. */
export const APP_MESSAGES: Messages = {
  ...PAGE_MESSAGES,
  ...PROOFING_APP_MESSAGES,
  ...FACE_APP_MESSAGES,
  ...FAMILY_APP_MESSAGES,
  ...QR_APP_MESSAGES,
  ...PRIVACY_APP_MESSAGES,
  ...SECURITY_APP_MESSAGES,
  ...ACCOUNT_APP_MESSAGES,
  ...HISTORY_APP_MESSAGES,
  ...WALLET_APP_MESSAGES,
  ...PRESENT_APP_MESSAGES,
  'landing.title': { ja: 'PASS アプリ', en: 'PASS app' },
  'landing.lead': { ja: 'マイナンバーカードで本人確認した PASS ID で、市の施設やサービスを顔パスで利用できます。', en: 'With a PASS ID proven once with your My Number Card, use city facilities and services hands-free.' },
  'landing.signin': { ja: 'ログイン・新規登録', en: 'Sign in or sign up' },
  'landing.failed': { ja: 'ログインできませんでした。もう一度お試しください。', en: 'Sign-in did not complete. Please try again.' },
  'landing.signedout': { ja: 'ログアウトしました。', en: 'You have signed out.' },
  'home.title': { ja: 'ホーム', en: 'Home' },
  'home.greeting': { ja: 'ようこそ', en: 'Welcome' },
  'home.greeting.name': { ja: '{name} さん', en: 'Hello, {name}' },
  'home.profile.edit': { ja: 'メールアドレス・電話番号・パスワードを変更', en: 'Change e-mail, mobile number or password' },
  'home.next.heading': { ja: '次の手順', en: 'Next step' },
  'home.next.count': { ja: '{n} / {of}', en: '{n} of {of}' },
  'home.next.proofing': { ja: 'マイナンバーカードで本人確認をしましょう', en: 'Prove your identity with your My Number Card' },
  'home.next.proofing.text': { ja: '施設への利用登録には、まず本人確認が必要です。', en: 'Facilities need your identity proven before you register.' },
  'home.next.face': { ja: '顔写真を登録しましょう', en: 'Register your face' },
  'home.next.face.text': { ja: '登録すると、施設で顔パスでチェックインできます。', en: 'Then you can check in at facilities by face.' },
  'home.next.facilities': { ja: '施設に利用登録しましょう', en: 'Register for a facility' },
  'home.next.facilities.text': { ja: '利用する施設を選び、提供する情報を確認して同意します。', en: 'Choose a facility, review what it receives and consent.' },
  'home.next.proofing.go': { ja: '本人確認を始める', en: 'Start identity proofing' },
  'home.next.face.go': { ja: '顔写真を登録する', en: 'Register my face' },
  'home.next.facilities.go': { ja: '施設を選ぶ', en: 'Choose a facility' },
  'home.profile': { ja: 'アカウント', en: 'Account' },
  'home.email': { ja: 'メールアドレス', en: 'E-mail address' },
  'home.phone': { ja: '携帯電話番号', en: 'Mobile number' },
  'home.services': { ja: 'メニュー', en: 'Menu' },
  'home.signout': { ja: 'ログアウト', en: 'Sign out' },
  'status.todo': { ja: '未登録', en: 'Not set up' },
  'status.soon': { ja: '準備中', en: 'Coming soon' },
  'section.proofing': { ja: 'マイナンバーカードで本人確認', en: 'Identity proofing with My Number Card' },
  'section.proofing.text': { ja: '氏名・生年月日・性別・住所を確認します。', en: 'Confirms your name, date of birth, gender and address.' },
  'section.face': { ja: '顔写真の登録', en: 'Register your face' },
  'section.face.text': { ja: '施設で顔パスを使えるようにします。', en: 'Lets you check in at facilities by face.' },
  'section.family': { ja: '家族', en: 'Family' },
  'section.family.text': { ja: 'お子さまやご家族を追加します。', en: 'Add your children and family members.' },
  'section.facilities': { ja: '利用施設', en: 'Facilities' },
  'section.facilities.text': { ja: '施設への利用登録と、提供する情報の確認。', en: 'Register for facilities and review what they receive.' },
};

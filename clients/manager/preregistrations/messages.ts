import type { Messages } from '../../../src/http/i18n.ts';

export const PREREGISTRATION_MESSAGES: Messages = {
  'nav.preregistrations': { ja: 'カード登録の事前受付', en: 'Card pre-registrations' },
  'preregistrations.title': { ja: 'カード登録の事前受付', en: 'Card pre-registrations' },
  'preregistrations.lead': {
    ja: 'ご家族(世帯の代表者)が PASS アプリで事前登録した方です。ご本人がキオスクの「マイナンバーカードで登録」から、カード・暗証番号・顔で手続きを完了します。有効期限は24時間です。閲覧は記録されます。',
    en: 'Members their family (the household representative) pre-registered in the PASS app. They finish at a kiosk ("Register with your My Number Card") with their card, PIN and face, within 24 hours. Viewing is recorded.',
  },
  'preregistrations.none': { ja: '受付中の事前登録はありません。', en: 'No pre-registration is pending.' },
  'preregistrations.name': { ja: '氏名', en: 'Name' },
  'preregistrations.birthdate': { ja: '生年月日', en: 'Date of birth' },
  'preregistrations.relation': { ja: '続柄', en: 'Relation' },
  'preregistrations.relation.parent': { ja: '親', en: 'Parent' },
  'preregistrations.relation.child': { ja: '子', en: 'Child' },
  'preregistrations.created': { ja: '受付', en: 'Pre-registered' },
  'preregistrations.expires': { ja: '有効期限', en: 'Expires' },
  'preregistrations.state': { ja: '状態', en: 'State' },
  'preregistrations.state.pending': { ja: '受付中', en: 'Pending' },
  'preregistrations.state.expired': { ja: '期限切れ', en: 'Expired' },
  'preregistrations.failed': { ja: '事前登録の一覧を表示できません。', en: 'The pre-registrations cannot be shown.' },
};

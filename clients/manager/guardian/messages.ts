import type { Messages } from '../../../src/http/i18n.ts';

export const GUARDIAN_MESSAGES: Messages = {
  'nav.guardian': { ja: '保護者の確認', en: 'Guardian lookup' },
  'guardian.title': { ja: '保護者の確認', en: 'Guardian lookup' },
  'guardian-result.title': { ja: '保護者の確認', en: 'Guardian lookup' },
  'guardian.lead': {
    ja: '施設にいるお子さまの保護者の連絡先を確認できます。保護者がこの施設への連絡先の提供に同意している場合に限ります。確認した記録は残ります。',
    en: "Find the guardian of a child at the facility and how to reach them — only where the guardian consented to this facility receiving their contact. Every lookup is recorded.",
  },
  'guardian.none': { ja: '現在、保護者を確認できるお子さまはいません。', en: 'No child whose guardian can be looked up is at the facility now.' },
  'guardian.show': { ja: '保護者の連絡先を表示', en: 'Show guardian contact' },
  'guardian.child': { ja: 'お子さま', en: 'Child' },
  'guardian.checkedIn': { ja: 'チェックイン', en: 'Checked in' },
  'guardian.guardian': { ja: '保護者', en: 'Guardian' },
  'guardian.name': { ja: '氏名', en: 'Name' },
  'guardian.phone': { ja: '電話番号', en: 'Phone' },
  'guardian.email': { ja: 'メールアドレス', en: 'E-mail' },
  'guardian.recorded': { ja: 'この確認は記録されました。', en: 'This lookup has been recorded.' },
  'guardian.back': { ja: '一覧へ戻る', en: 'Back to the list' },
  'guardian.failed': { ja: '保護者の情報を表示できません。', en: 'The guardian cannot be shown.' },
};

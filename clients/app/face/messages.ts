import type { Messages } from '../../../src/http/i18n.ts';
import { FACE_CAPTURE_MESSAGES } from '../../../src/face/capture-messages.ts';

/**
 * Words of the face screens, Japanese first. Taking the photo and what to do about each refusal
 * are shared with the sign-in's face step (src/face/capture-messages.ts).
 */
export const FACE_APP_MESSAGES: Messages = {
  ...FACE_CAPTURE_MESSAGES,
  'face-enroll.title': { ja: '顔写真の登録', en: 'Register your face' },
  'face-delete.title': { ja: '顔データの削除', en: 'Delete your face data' },
  'face.lead': {
    ja: '登録した顔で、施設のキオスクで顔パス(顔認証)を利用できます。写真そのものは保存せず、暗号化した特徴データだけを保存します。',
    en: 'With a registered face you can check in by face at facility kiosks. The photo itself is not kept: only encrypted face features are stored.',
  },
  'face.owner': { ja: '{name} さんの顔写真', en: 'Face photo of {name}' },
  'face.proofing.go': { ja: 'マイナンバーカードで本人確認する', en: 'Verify your identity with your My Number Card' },
  'face.status': { ja: '登録状況', en: 'Status' },
  'face.status.enrolled': { ja: '登録済み', en: 'Registered' },
  'face.status.none': { ja: 'まだ顔が登録されていません。', en: 'No face is registered yet.' },
  'face.status.outdated': { ja: '顔認証の方式が更新されました。もう一度登録してください。', en: 'Face recognition has been updated. Please register again.' },
  'face.enrolledAt': { ja: '登録日時', en: 'Registered at' },
  'face.unavailable.hint': {
    ja: '顔認証の準備ができていないため、いまは登録できません。施設ではマイナンバーカードまたは QR コードでご利用ください。',
    en: 'Face recognition is not set up, so you cannot register now. At facilities, use your My Number Card or the QR code.',
  },
  'face.preview': { ja: '登録する写真', en: 'Photo to register' },
  'face.preview.ready': { ja: '写真を確認して、よければ「この写真で登録する」を押してください。', en: 'Check the photo; if it is right, press “Register this photo”.' },
  'face.live.start': { ja: '顔の向きを変えて登録する（おすすめ）', en: 'Register while turning your head (recommended)' },
  'face.live.lead': {
    ja: '画面の案内に合わせて、顔をゆっくり左右に向けてください。写真ではなくご本人であることを確かめます。',
    en: 'Follow the prompts and turn your head slowly to each side. This shows it is really you, not a photo.',
  },
  'face.live.front': { ja: 'カメラの正面を見てください', en: 'Look straight at the camera' },
  'face.live.left': { ja: '顔をゆっくり左に向けてください', en: 'Slowly turn your head to your left' },
  'face.live.right': { ja: '顔をゆっくり右に向けてください', en: 'Slowly turn your head to your right' },
  'face.live.back': { ja: '正面に戻ってください', en: 'Look back at the camera' },
  'face.live.checking': { ja: '確認しています…', en: 'Checking…' },
  'face.submit': { ja: 'この写真で登録する', en: 'Register this photo' },
  'face.done.enrolled': { ja: '顔を登録しました。', en: 'Your face is registered.' },
  'face.done.deleted': { ja: '顔データを削除しました。', en: 'Your face data has been deleted.' },
  'face.delete': { ja: '顔データを削除する', en: 'Delete my face data' },
  'face.delete.lead': {
    ja: '削除すると、施設で顔パスを使えなくなります。もう一度使うには、顔を登録し直してください。',
    en: 'After deletion you cannot check in by face. To use it again, register your face again.',
  },
  'face.delete.confirm': { ja: '削除する', en: 'Delete' },
  'face.delete.cancel': { ja: '削除しない', en: 'Keep it' },
  'face.back': { ja: '戻る', en: 'Back' },
  'face.home': { ja: 'ホームへ戻る', en: 'Back to home' },
  // Home tile
  'face.tile.enrolled': { ja: '登録済み', en: 'Registered' },
  'face.tile.unavailable': { ja: '利用停止中', en: 'Unavailable' },
};

/**
 * What a resident reads while taking a photo of their face, wherever it is taken (the PASS app's
 * enrolment, the step-up page of a sign-in): the camera and file controls, tips, and for each
 * refusal reason the API's text (messages.ts) with what to do about it (`face.hint.<reason>`).
 */
import { translator, type Lang, type Messages } from '../http/i18n.ts';
import { faceMessage } from './messages.ts';

export const FACE_CAPTURE_MESSAGES: Messages = {
  'face.take': { ja: '写真を撮る', en: 'Take a photo' },
  'face.retake': { ja: '写真を撮り直す', en: 'Take a new photo' },
  'face.tips': { ja: '撮影のポイント', en: 'Tips' },
  'face.tip.1': { ja: '顔全体が枠に入るように、正面から撮影してください。', en: 'Face the camera with your whole face in the frame.' },
  'face.tip.2': { ja: '明るい場所で、逆光を避けてください。', en: 'Use a bright place and avoid backlight.' },
  'face.tip.3': { ja: '帽子・マスク・サングラスは外してください。ご本人だけが写るようにしてください。', en: 'Take off hats, masks and sunglasses. Only you should be in the picture.' },
  'face.camera.start': { ja: 'カメラを起動する', en: 'Start the camera' },
  'face.camera.capture': { ja: '撮影する', en: 'Take the picture' },
  'face.camera.label': { ja: 'カメラの映像', en: 'Camera view' },
  'face.camera.denied': {
    ja: 'カメラを使えませんでした。ブラウザの設定でカメラを許可するか、下の「写真を選ぶ」から画像を選んでください。',
    en: 'The camera could not be used. Allow the camera in your browser settings, or choose a picture below.',
  },
  'face.camera.ready': { ja: 'カメラを起動しました。顔を枠に合わせて「撮影する」を押してください。', en: 'The camera is on. Fit your face in the frame and press “Take the picture”.' },
  'face.file': { ja: '写真を選ぶ', en: 'Choose a photo' },
  'face.file.hint': { ja: 'JPEG・PNG・WebP、{mb}MB まで。', en: 'JPEG, PNG or WebP, up to {mb} MB.' },
  'face.preview.alt': { ja: '登録する写真のプレビュー', en: 'Preview of the photo to register' },
  'face.sending': { ja: '写真を確認しています…', en: 'Checking the photo…' },
  'face.hint.label': { ja: 'ヒント: ', en: 'Tip: ' },
  'face.error.generic': { ja: 'エラーが発生しました。もう一度お試しください。', en: 'Something went wrong. Please try again.' },
  'face.error.form': { ja: 'フォームの有効期限が切れました。もう一度お試しください。', en: 'The form has expired. Please try again.' },
  'face.error.nofile': { ja: '写真を選ぶか、撮影してください。', en: 'Choose or take a photo.' },
  // What to do about each quality reason.
  'face.hint.no_face': { ja: '顔全体が写るように、カメラを正面に向けてください。', en: 'Point the camera at your face, with all of it in the picture.' },
  'face.hint.multiple_faces': { ja: '周りの人が写らない場所で撮影してください。', en: 'Move where nobody else is in the picture.' },
  'face.hint.face_too_small': { ja: 'もう少しカメラに近づいてください。', en: 'Move a little closer to the camera.' },
  'face.hint.landmarks_out_of_frame': { ja: '顔が画面の中央に来るようにしてください。', en: 'Keep your face in the middle of the picture.' },
  'face.hint.too_blurry': { ja: 'スマートフォンを両手で持ち、動かさずに撮影してください。', en: 'Hold the phone with both hands and keep still.' },
  'face.hint.too_dark': { ja: '明るい場所に移動するか、照明をつけてください。', en: 'Move to a brighter place or turn on a light.' },
  'face.hint.too_bright': { ja: '窓や照明を背にしないでください。', en: 'Do not stand with a window or lamp behind you.' },
  'face.hint.unsupported_image': { ja: 'カメラで撮影するか、JPEG の写真を選んでください。', en: 'Take a picture with the camera, or choose a JPEG photo.' },
  'face.hint.unsupported_media_type': { ja: 'カメラで撮影するか、JPEG の写真を選んでください。', en: 'Take a picture with the camera, or choose a JPEG photo.' },
  'face.hint.corrupt_image': { ja: 'カメラで撮り直してください。', en: 'Take the picture again with the camera.' },
  'face.hint.image_too_large': { ja: 'カメラで撮影すると、自動で適切な大きさになります。', en: 'Pictures taken with the camera here are sized automatically.' },
  // What to do about an enrollment safeguard's refusal (enrollment/*.ts).
  'face.hint.identity_required': { ja: '本人確認のあとで、顔写真を登録できます。', en: 'Once your identity is verified, you can register a face photo.' },
  'face.hint.face_belongs_to_other_person': {
    ja: '登録する方ご本人だけが写った写真を使ってください。ご本人の写真でも登録できないときは、市区町村の窓口にご相談ください。',
    en: 'Use a photo of the person being registered, on their own. If their own photo is refused too, ask at the municipal office.',
  },
  'face.hint.face_belongs_to_other_person.family_member': {
    ja: 'ご家族の別の方の顔写真のようです。登録する方ご本人だけが写った写真を使ってください。',
    en: 'This looks like another member of your family. Use a photo of the person being registered, on their own.',
  },
  'face.hint.face_busy': { ja: '少し待ってから、もう一度「この写真で登録する」を押してください。', en: 'Wait a moment and press “Register this photo” again.' },
};

/** A refusal as the resident reads it: the reason's text and what to do about it. */
export interface Feedback {
  reason: string;
  message: string;
  hint: string | null;
}

/** `variant` picks a more specific hint where there is one (`face.hint.<reason>.<variant>`). */
export function feedbackFor(reason: string, lang: Lang, apiMessage?: { ja: string; en: string }, variant?: string): Feedback {
  const t = translator(FACE_CAPTURE_MESSAGES, lang);
  const text = apiMessage ?? faceMessage(reason);
  const specific = variant ? `face.hint.${reason}.${variant}` : undefined;
  const hintKey = specific && FACE_CAPTURE_MESSAGES[specific] ? specific : `face.hint.${reason}`;
  return { reason, message: text ? text[lang] : t('face.error.generic'), hint: FACE_CAPTURE_MESSAGES[hintKey] ? t(hintKey) : null };
}

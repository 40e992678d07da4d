/**
 * The face capability's reasons: the status each is answered with, and what the PASS app and the
 * kiosk show for it, in Japanese and English. The API puts the matching text in every error body
 * (`message`), and serves the whole table at GET /api/face/messages so a client can give live
 * feedback before uploading.
 */
import { defineReasons, type ReasonEntry, type ReasonText } from '../core/reasons.ts';

export type FaceMessage = ReasonText;

/** The entries, for a capability that speaks of faces too (the kiosk's check-ins). */
export const FACE_REASON_ENTRIES = {
  // Photo quality (FaceQualityError)
  no_face: { status: 400, ja: '顔が見つかりません。顔全体が写るように撮影してください。', en: 'No face was found. Make sure your whole face is in the picture.' },
  // Also the kiosk's answer when someone stands beside the resident rather than behind (docs/face.md, "Crowds").
  multiple_faces: {
    status: 400,
    ja: '複数の顔が写っています。ご本人だけが写るように、近くの方には一歩下がっていただいてください。',
    en: 'More than one face is in the picture. Only you should be in it: please ask the person next to you to step back.',
  },
  face_too_small: { status: 400, ja: '顔が小さすぎます。カメラに近づいてください。', en: 'The face is too small. Move closer to the camera.' },
  landmarks_out_of_frame: { status: 400, ja: '顔の一部が画面の外に出ています。顔全体を枠の中に入れてください。', en: 'Part of the face is outside the picture. Keep your whole face in the frame.' },
  too_blurry: { status: 400, ja: '画像がぼやけています。カメラを固定して撮り直してください。', en: 'The picture is blurred. Hold the camera still and try again.' },
  too_dark: { status: 400, ja: '暗すぎます。明るい場所で撮影してください。', en: 'The picture is too dark. Move to a brighter place.' },
  too_bright: { status: 400, ja: '明るすぎます。逆光や強い照明を避けてください。', en: 'The picture is too bright. Avoid strong light or backlight.' },
  // The upload itself (FaceImageError and the API edge)
  unsupported_image: { status: 400, ja: 'JPEG・PNG・WebP の画像を送ってください。', en: 'Please send a JPEG, PNG or WebP image.' },
  unsupported_media_type: { status: 415, ja: '画像の種類（Content-Type）は image/jpeg・image/png・image/webp のいずれかにしてください。', en: 'The Content-Type must be image/jpeg, image/png or image/webp.' },
  image_too_large: { status: 413, ja: '画像が大きすぎます。サイズを小さくして送ってください。', en: 'The image is too large. Please send a smaller one.' },
  corrupt_image: { status: 400, ja: '画像を読み取れませんでした。別の画像で試してください。', en: 'The image could not be read. Please try another one.' },
  empty_body: { status: 400, ja: '画像が送られていません。', en: 'No image was sent.' },
  // Enrollment safeguards (enrollment/*.ts)
  identity_required: {
    status: 403,
    ja: '顔写真を登録するには、先にマイナンバーカードで本人確認をしてください。',
    en: 'Verify your identity with your My Number Card before registering a face photo.',
  },
  face_belongs_to_other_person: {
    status: 409,
    ja: 'この写真の顔は、すでに登録されている別の方の顔と一致しました。ご家族など、ほかの方の写真ではないかご確認ください。',
    en: 'The face in this photo matches someone else who is already registered. Please check that it is not a photo of another family member or another person.',
  },
  // The My Number Card photo (card-photo/, FaceService.compareWithCardPhoto)
  card_photo_unreadable: {
    status: 422,
    ja: 'カードの顔写真を読み取れませんでした。係員にお声がけください。',
    en: 'The photo on the card could not be read. Please ask a member of staff.',
  },
  face_not_card_holder: {
    status: 403,
    ja: 'カードの写真と顔が一致しません。カードをお持ちのご本人がカメラの前にお立ちください。',
    en: 'Your face does not match the photo on the card. The card holder must stand in front of the camera.',
  },
  // Liveness (pad/, liveness/): never an accusation; the person is asked to face the camera themselves.
  face_not_live: {
    status: 422,
    ja: 'カメラの前のご本人の顔を撮影してください。写真や画面に写った顔は登録できません。',
    en: 'Please let the camera see your own face. A face in a photo or on a screen cannot be registered.',
  },
  liveness_challenge_unknown: {
    status: 409,
    ja: '確認の時間が過ぎました。もう一度はじめからお試しください。',
    en: 'The check has timed out. Please start again.',
  },
  liveness_frames_invalid: { status: 400, ja: 'カメラの画像を正しく受け取れませんでした。もう一度お試しください。', en: 'The camera pictures did not arrive correctly. Please try again.' },
  liveness_failed: {
    status: 422,
    ja: '指示どおりに顔の向きを変える動きが確認できませんでした。画面の案内に合わせて、もう一度ゆっくりお試しください。',
    en: 'We could not see your head turn as asked. Please follow the prompts on the screen and try again slowly.',
  },
  liveness_unavailable: { status: 503, ja: '現在、動きによる本人確認はご利用いただけません。', en: 'The movement check is not available at the moment.' },
  // Service state
  models_unavailable: { status: 503, ja: '現在、顔認証はご利用いただけません。', en: 'Face recognition is not available at the moment.' },
  face_unavailable: { status: 503, ja: '現在、顔認証はご利用いただけません。', en: 'Face recognition is not available at the moment.' },
  face_busy: { status: 429, ja: '混み合っています。しばらくしてからもう一度お試しください。', en: 'The service is busy. Please try again in a moment.' },
  not_enrolled: { status: 404, ja: '顔が登録されていません。', en: 'No face is enrolled.' },
  reenroll_required: { status: 400, ja: '顔認証の方式が更新されました。顔をもう一度登録してください。', en: 'Face recognition has been updated. Please enroll your face again.' },
  person_not_found: { status: 404, ja: '対象の方が見つかりません。', en: 'The person was not found.' },
  account_required: { status: 403, ja: 'ご本人のアカウントでサインインしてください。', en: 'Please sign in with your own account.' },
  invalid_gallery_id: { status: 400, ja: '施設の指定が正しくありません。', en: 'The facility is not valid.' },
  rate_limited: { status: 429, ja: '操作の回数が多すぎます。しばらくしてからお試しください。', en: 'Too many attempts. Please try again later.' },
} as const satisfies Record<string, ReasonEntry>;

export const FACE_REASONS = defineReasons('face', FACE_REASON_ENTRIES);

export type FaceMessageReason = keyof typeof FACE_REASON_ENTRIES;

/** Every reason's words (GET /api/face/messages). */
export const FACE_MESSAGES: Record<FaceMessageReason, FaceMessage> = FACE_REASONS.texts();

export function faceMessage(reason: string): FaceMessage | undefined {
  return FACE_REASONS.text(reason);
}

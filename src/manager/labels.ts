/**
 * Staff-facing words for check-in data, Japanese first: shared by the Manager API (CSV headers and
 * cells) and the console's screens, so the download says what the screen says.
 */
import type { Lang } from '../http/i18n.ts';
import { checkinMessage } from '../checkins/messages.ts';

type Words = Record<string, { ja: string; en: string }>;

export const METHOD_LABELS: Words = {
  face: { ja: '顔', en: 'Face' },
  qr: { ja: 'QRコード', en: 'QR code' },
  card: { ja: 'カード', en: 'Card' },
  'device-code': { ja: 'デバイスコード', en: 'Device code' },
  credential: { ja: 'デジタル証明書', en: 'Wallet credential' },
};

export const RESULT_LABELS: Words = {
  accepted: { ja: '成功', en: 'Accepted' },
  rejected: { ja: '失敗', en: 'Refused' },
};

export const DIRECTION_LABELS: Words = {
  in: { ja: '入', en: 'In' },
  out: { ja: '出', en: 'Out' },
};

export const GENDER_LABELS: Words = {
  male: { ja: '男性', en: 'Male' },
  female: { ja: '女性', en: 'Female' },
};

/** The person's type at the facility (the seed's 区分 column). */
export const TYPE_LABELS: Words = {
  resident: { ja: '市内', en: 'Resident' },
  non_resident: { ja: '市外', en: 'Non-resident' },
  member: { ja: '登録者', en: 'Member' },
  guest: { ja: '未登録', en: 'Not registered' },
};

/** Short reasons for staff (the kiosk's own sentences are for residents). */
export const REASON_LABELS: Words = {
  no_match: { ja: '顔が一致しない', en: 'Face not recognised' },
  not_registered: { ja: '利用登録なし', en: 'Not registered here' },
  qr_invalid: { ja: '無効なQRコード', en: 'Invalid QR code' },
  qr_expired: { ja: 'QRコードの期限切れ', en: 'QR code expired' },
  qr_replayed: { ja: '使用済みのQRコード', en: 'QR code already used' },
  card_revoked: { ja: 'カードの証明書が失効', en: 'Card certificate revoked' },
  card_invalid: { ja: 'カードを確認できない', en: 'Card not verified' },
  challenge_expired: { ja: 'カード読み取りの時間切れ', en: 'Card reading timed out' },
  code_expired: { ja: 'コードの期限切れ', en: 'Code expired' },
  no_face: { ja: '顔が写っていない', en: 'No face in the photo' },
  multiple_faces: { ja: '複数の顔が写っている', en: 'More than one face' },
  face_too_small: { ja: '顔が小さすぎる', en: 'Face too small' },
  landmarks_out_of_frame: { ja: '顔が枠からはみ出している', en: 'Face partly out of frame' },
  too_blurry: { ja: '画像がぼやけている', en: 'Photo blurred' },
  too_dark: { ja: '暗すぎる', en: 'Too dark' },
  too_bright: { ja: '明るすぎる', en: 'Too bright' },
  unsupported_image: { ja: '読み取れない画像形式', en: 'Unsupported image' },
  corrupt_image: { ja: '壊れた画像', en: 'Corrupt image' },
  presentation_attack: { ja: 'なりすましの疑い（写真・画面）', en: 'Suspected presentation attack (photo or screen)' },
  pad_unavailable: { ja: 'なりすまし検知が動いていない', en: 'Presentation-attack detection not running' },
  unknown: { ja: '不明な理由', en: 'Unknown reason' },
};

/** What a presentation-attack check said, in a history row. */
export const PAD_STATUS_LABELS: Words = {
  live: { ja: '生体', en: 'live' },
  attack: { ja: 'なりすまし', en: 'attack' },
  not_checked: { ja: '未確認', en: 'not checked' },
};

export const HISTORY_COLUMNS: Words = {
  at: { ja: '日時', en: 'Date and time' },
  facility: { ja: '施設', en: 'Facility' },
  kiosk: { ja: 'キオスク', en: 'Kiosk' },
  method: { ja: '方法', en: 'Method' },
  result: { ja: '結果', en: 'Result' },
  reason: { ja: '理由', en: 'Reason' },
  direction: { ja: '入/出', en: 'In/out' },
  name: { ja: '氏名', en: 'Name' },
  passId: { ja: 'PASS ID', en: 'PASS ID' },
  email: { ja: 'メールアドレス', en: 'E-mail' },
  gender: { ja: '性別', en: 'Sex' },
  birthdate: { ja: '生年月日', en: 'Date of birth' },
  type: { ja: '区分', en: 'Type' },
  pad: { ja: 'なりすまし検知', en: 'Presentation-attack check' },
};

export function label(words: Words, key: string | undefined | null, lang: Lang): string {
  if (!key) return '';
  return words[key]?.[lang] ?? key;
}

/** A refusal reason for staff: the short label, else the kiosk's sentence, else the code. */
export function reasonLabel(reason: string | undefined | null, lang: Lang): string {
  if (!reason) return '';
  return REASON_LABELS[reason]?.[lang] ?? checkinMessage(reason)?.[lang] ?? reason;
}

/**
 * A kept presentation-attack check for staff: "生体 0.93 (fr_liveness)" — the status, the detector's
 * probability that the face is live, and the model, so that a doubtful score can be looked into.
 */
export function padLabel(pad: { status: string; score?: number | undefined; method: string; model?: string | undefined } | null | undefined, lang: Lang): string {
  if (!pad) return '';
  const score = pad.score !== undefined ? ` ${pad.score.toFixed(2)}` : '';
  const by = pad.model ?? (pad.method !== 'none' ? pad.method : undefined);
  return `${label(PAD_STATUS_LABELS, pad.status, lang)}${score}${by ? ` (${by})` : ''}`;
}

/** Japan time, as staff read it and Excel parses it: 2026-04-01 09:30:00. */
export function japanTime(iso: string | Date): string {
  const date = typeof iso === 'string' ? new Date(iso) : iso;
  const jst = new Date(date.getTime() + 9 * 3600_000);
  return jst.toISOString().slice(0, 19).replace('T', ' ');
}

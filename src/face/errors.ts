import { InvalidInputError, PassError, UnavailableError } from '../core/errors.ts';
import { FACE_REASONS } from './messages.ts';

/** Reasons a photo is refused; the edge localises these codes for residents and kiosk staff. */
export type FaceQualityReason =
  | 'no_face'
  | 'multiple_faces'
  | 'face_too_small'
  | 'landmarks_out_of_frame'
  | 'too_blurry'
  | 'too_dark'
  | 'too_bright';

export type FaceImageReason = 'unsupported_image' | 'image_too_large' | 'corrupt_image';

/** The photo decoded but the face in it cannot be enrolled or matched reliably. */
export class FaceQualityError extends InvalidInputError {
  declare readonly reason: FaceQualityReason;
  constructor(reason: FaceQualityReason, message: string, details?: Record<string, unknown>) {
    super(reason, message, details);
  }
}

/** The bytes are not an image we accept (format, size, corruption); a too large one is a 413. */
export class FaceImageError extends InvalidInputError {
  declare readonly reason: FaceImageReason;
  constructor(reason: FaceImageReason, message: string, details?: Record<string, unknown>) {
    super(reason, message, details, FACE_REASONS.status(reason));
  }
}

export type FaceCardPhotoReason = 'card_photo_unreadable' | 'face_not_card_holder';

/**
 * The My Number Card photo (JPEG 2000, card-photo/): `card_photo_unreadable` when it is not one we
 * accept or has no usable face; `face_not_card_holder` is the caller's refusal of a live face that
 * does not match it (FaceService.compareWithCardPhoto only answers `matched`).
 */
export class FaceCardPhotoError extends PassError {
  declare readonly reason: FaceCardPhotoReason;
  constructor(message: string, details?: Record<string, unknown>, options: { cause?: unknown; reason?: FaceCardPhotoReason } = {}) {
    const reason = options.reason ?? 'card_photo_unreadable';
    super(FACE_REASONS.code(reason), reason, message, details, FACE_REASONS.status(reason));
    if (options.cause !== undefined) (this as { cause?: unknown }).cause = options.cause;
  }
}

/** Face features are off because model files are missing or do not match the manifest. */
export class FaceModelsUnavailableError extends UnavailableError {
  constructor(message: string) {
    super('models_unavailable', message);
  }
}

export type TemplateErrorReason = 'template_malformed' | 'template_key_unknown' | 'template_auth_failed';

/** A stored template cannot be opened; never retried with other keys silently. */
export class TemplateError extends PassError {
  declare readonly reason: TemplateErrorReason;
  constructor(reason: TemplateErrorReason, message: string) {
    super('internal', reason, message);
  }
}

/** Arguments that violate the library's own contract (wrong vector length, bad key size). */
export class FaceUsageError extends InvalidInputError {
  constructor(reason: string, message: string) {
    super(reason, message);
  }
}

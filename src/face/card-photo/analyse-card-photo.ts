/**
 * A My Number Card photo through the same face pipeline as an upload (run in the inference
 * workers). The photo is an official, tight, small portrait that nobody can retake: the gates
 * that ask a resident for a better picture (sharpness, exposure) do not apply to it, and a face
 * it does not yield is the card photo's fault, not the resident's, so every refusal here is
 * `card_photo_unreadable` rather than "move closer" or "too dark".
 */
import type { FaceAnalysis, FaceEngine, QualityThresholds } from '../engine.ts';
import { FaceCardPhotoError, FaceQualityError } from '../errors.ts';
import { decodeCardPhoto } from './decode-card-photo.ts';

/** A 300×400 card photo shows a face of about 200 px; 48 leaves room for smaller or older cards. */
export const CARD_PHOTO_QUALITY: Partial<QualityThresholds> = {
  faces: 'single',
  minFaceSize: 48,
  minSharpness: 0,
  minBrightness: 0,
  maxBrightness: 255,
};

export async function analyseCardPhoto(engine: FaceEngine, bytes: Uint8Array, quality: Partial<QualityThresholds> = {}): Promise<FaceAnalysis> {
  const started = performance.now();
  const image = await decodeCardPhoto(bytes);
  try {
    return await engine.analyseDecoded(image, { ...CARD_PHOTO_QUALITY, ...quality }, performance.now() - started);
  } catch (error) {
    if (error instanceof FaceQualityError) throw new FaceCardPhotoError(`no usable face in the card photo (${error.reason})`, { face: error.reason });
    throw error;
  } finally {
    image.data.fill(0);
  }
}

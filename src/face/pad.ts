import type { RgbImage } from './image/decode.ts';
import type { Detection } from './detect/types.ts';

/**
 * Presentation-attack detection (liveness): whether the camera saw a live person rather than a
 * photo, screen or mask. The passive detector (pad/passive-liveness.ts, FACE_PAD_MODEL) scores
 * every analysed photo; with FACE_PAD_MODEL=none nothing is checked, and the result says so, so
 * that audit logs and relying parties can tell (see docs/face.md, "PAD").
 */
export interface PresentationAttackResult {
  status: 'not_checked' | 'live' | 'attack';
  /** Probability, 0..1, that the face is live (absent when not checked). */
  score?: number;
  /** `passive` (one frame, a liveness model), `none` (not checked), or an active challenge's. */
  method: string;
  /** The model that scored it: manifest name @ short sha256. */
  model?: string;
}

/** What else the engine has at hand when it asks: the aligned crop, and whose check it is. */
export interface PresentationAttackContext {
  /** The face aligned to the recognizer's template (112×112 RGB). */
  crop: RgbImage;
  /** `dominant` for a kiosk check-in (1:N), `single` for enrollment and 1:1. */
  policy: 'single' | 'dominant';
}

export interface PresentationAttackDetector {
  /** `image` is the whole decoded frame, `face` the chosen face in its pixels (FaceEngine.analyseDecoded). */
  check(image: RgbImage, face: Detection, context?: PresentationAttackContext): Promise<PresentationAttackResult>;
  /** Releases a model session, when the detector holds one. */
  close?(): Promise<void>;
}

export const notCheckedPad: PresentationAttackDetector = {
  async check() {
    return { status: 'not_checked', method: 'none' };
  },
};

/** A configured PAD model that is missing or does not match its checksum: nothing is checked, and `problem` says why. */
export function unavailablePad(problem: string): PresentationAttackDetector & { problem: string } {
  return { problem, check: notCheckedPad.check };
}

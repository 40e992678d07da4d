import type { RgbImage } from './image/decode.ts';
import type { Detection } from './detect/types.ts';

/**
 * Presentation-attack detection (liveness): whether the camera saw a live person rather than a
 * photo, screen or mask. PASS has no PAD model yet; the default records that nothing was checked
 * so that audit logs and relying parties can tell (see docs/face.md).
 */
export interface PresentationAttackResult {
  status: 'not_checked' | 'live' | 'attack';
  score?: number;
  method: string;
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
}

export const notCheckedPad: PresentationAttackDetector = {
  async check() {
    return { status: 'not_checked', method: 'none' };
  },
};

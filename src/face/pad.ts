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

export interface PresentationAttackDetector {
  check(image: RgbImage, face: Detection): Promise<PresentationAttackResult>;
}

export const notCheckedPad: PresentationAttackDetector = {
  async check() {
    return { status: 'not_checked', method: 'none' };
  },
};

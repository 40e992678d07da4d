import type { RgbImage } from '../image/decode.ts';

/**
 * The region of an aligned 112x112 crop that is face in the ArcFace template (eyes to chin,
 * cheek to cheek), scaled to other crop sizes. Background and the black border the warp leaves
 * for faces near the edge would otherwise distort both measures.
 */
function faceRegion(crop: RgbImage): { x0: number; y0: number; x1: number; y1: number } {
  const sx = crop.width / 112;
  const sy = crop.height / 112;
  return { x0: Math.round(24 * sx), y0: Math.round(36 * sy), x1: Math.round(88 * sx), y1: Math.round(104 * sy) };
}

function luma(crop: RgbImage): Float32Array {
  const n = crop.width * crop.height;
  const out = new Float32Array(n);
  const d = crop.data;
  for (let i = 0, p = 0; i < n; i++, p += 3) out[i] = 0.299 * d[p]! + 0.587 * d[p + 1]! + 0.114 * d[p + 2]!;
  return out;
}

export interface CropMeasures {
  /** Mean luma (0-255) of the face region. */
  brightness: number;
  /** Variance of the 4-neighbour Laplacian over the face region; low means blurred or upscaled. */
  sharpness: number;
}

export function measureCrop(crop: RgbImage): CropMeasures {
  const y = luma(crop);
  const w = crop.width;
  const r = faceRegion(crop);
  let sum = 0;
  let lapSum = 0;
  let lapSq = 0;
  let count = 0;
  for (let row = Math.max(1, r.y0); row < Math.min(crop.height - 1, r.y1); row++) {
    for (let col = Math.max(1, r.x0); col < Math.min(w - 1, r.x1); col++) {
      const i = row * w + col;
      const c = y[i]!;
      const lap = y[i - 1]! + y[i + 1]! + y[i - w]! + y[i + w]! - 4 * c;
      sum += c;
      lapSum += lap;
      lapSq += lap * lap;
      count++;
    }
  }
  const meanLap = lapSum / count;
  return { brightness: sum / count, sharpness: lapSq / count - meanLap * meanLap };
}

/**
 * The context crop a passive liveness model looks at, as faceplugin-face-recognition-js
 * (`lib/fr_liveness.js`, `alignLivenessImage`) prepares it for fr_liveness.onnx: the face box
 * widened `scale` times around its centre (less when the image is too small for that), shifted to
 * lie inside the image rather than cut, and resized to the model's input with OpenCV's bilinear
 * rule (pixel centres aligned, no antialiasing). The context matters: a print's margin, a screen's
 * bezel and the room beyond them are what the model has to see.
 */
import type { Detection } from '../detect/types.ts';
import type { RgbImage } from '../image/decode.ts';

export interface CropRect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** The package's arithmetic, integer truncation included, on a box given as corners. */
export function livenessRect(image: { width: number; height: number }, face: Pick<Detection, 'x1' | 'y1' | 'x2' | 'y2'>, scale: number): CropRect {
  const srcW = image.width, srcH = image.height;
  const x = Math.trunc(face.x1), y = Math.trunc(face.y1);
  const boxW = Math.max(1, Math.abs(Math.trunc(face.x2) - x)), boxH = Math.max(1, Math.abs(Math.trunc(face.y2) - y));
  const s = Math.min((srcH - 1) / boxH, (srcW - 1) / boxW, scale);
  const newW = boxW * s, newH = boxH * s;
  const cx = boxW / 2 + x, cy = boxH / 2 + y;
  let left = cx - newW / 2, top = cy - newH / 2, right = cx + newW / 2, bottom = cy + newH / 2;
  if (left < 0) { right -= left; left = 0; }
  if (top < 0) { bottom -= top; top = 0; }
  if (right > srcW - 1) { left -= right - srcW + 1; right = srcW - 1; }
  if (bottom > srcH - 1) { top -= bottom - srcH + 1; bottom = srcH - 1; }
  const rx = Math.max(Math.trunc(left), 0), ry = Math.max(Math.trunc(top), 0);
  const width = Math.min(Math.trunc(right - left), srcW - 1), height = Math.min(Math.trunc(bottom - top), srcH - 1);
  // The package relies on OpenCV to refuse a rectangle past the edge; here it is clipped instead.
  return { x: rx, y: ry, width: Math.max(1, Math.min(width, srcW - rx)), height: Math.max(1, Math.min(height, srcH - ry)) };
}

/**
 * `rect` of `image` resized to size×size into `out` as planar NCHW floats, raw 0–255, in the
 * channel order given (cv.resize INTER_LINEAR: source = (dst + 0.5)·ratio − 0.5, edges clamped).
 */
export function resizeIntoNchw(image: RgbImage, rect: CropRect, size: number, order: 'RGB' | 'BGR', out: Float32Array): void {
  const plane = size * size;
  const fx = rect.width / size, fy = rect.height / size;
  const maxX = rect.width - 1, maxY = rect.height - 1;
  const w = image.width, d = image.data;
  const dst = order === 'RGB' ? [0, 1, 2] : [2, 1, 0];
  for (let j = 0; j < size; j++) {
    let sy = (j + 0.5) * fy - 0.5;
    if (sy < 0) sy = 0;
    let y0 = Math.floor(sy);
    if (y0 > maxY) y0 = maxY;
    const y1 = Math.min(y0 + 1, maxY), wy = Math.min(1, sy - y0);
    const row0 = (rect.y + y0) * w + rect.x, row1 = (rect.y + y1) * w + rect.x;
    for (let i = 0; i < size; i++) {
      let sx = (i + 0.5) * fx - 0.5;
      if (sx < 0) sx = 0;
      let x0 = Math.floor(sx);
      if (x0 > maxX) x0 = maxX;
      const x1 = Math.min(x0 + 1, maxX), wx = Math.min(1, sx - x0);
      const a = 3 * (row0 + x0), b = 3 * (row0 + x1), c = 3 * (row1 + x0), e = 3 * (row1 + x1);
      const o = j * size + i;
      for (let k = 0; k < 3; k++) {
        const top = d[a + k]! + (d[b + k]! - d[a + k]!) * wx;
        const bottom = d[c + k]! + (d[e + k]! - d[c + k]!) * wx;
        out[dst[k]! * plane + o] = top + (bottom - top) * wy;
      }
    }
  }
}

import type { RgbImage } from './decode.ts';

/** A square of the source image, `side` pixels wide from (x0, y0), brought to `size`×`size`. */
export interface SquareRegion {
  x0: number;
  y0: number;
  side: number;
}

/**
 * Resamples a square region to size×size by averaging the source pixels each output pixel covers
 * (n×n samples, n = round(side / size)), black outside the image. Averaging instead of picking
 * one pixel keeps a downscaled face free of aliasing, which moves a detector's landmarks.
 */
export function cropSquare(image: RgbImage, region: SquareRegion, size: number): RgbImage {
  const out = new Uint8Array(size * size * 3);
  const step = region.side / size;
  const n = Math.max(1, Math.round(step));
  const sub = step / n;
  const { data, width, height } = image;
  const inv = 1 / (n * n);
  const xs = new Int32Array(size * n);
  for (let u = 0; u < size; u++) {
    for (let i = 0; i < n; i++) xs[u * n + i] = Math.floor(region.x0 + u * step + (i + 0.5) * sub);
  }
  let o = 0;
  for (let v = 0; v < size; v++) {
    for (let u = 0; u < size; u++, o += 3) {
      let r = 0, g = 0, b = 0;
      for (let j = 0; j < n; j++) {
        const y = Math.floor(region.y0 + v * step + (j + 0.5) * sub);
        if (y < 0 || y >= height) continue;
        const row = y * width;
        for (let i = 0; i < n; i++) {
          const x = xs[u * n + i]!;
          if (x < 0 || x >= width) continue;
          const p = (row + x) * 3;
          r += data[p]!;
          g += data[p + 1]!;
          b += data[p + 2]!;
        }
      }
      out[o] = r * inv + 0.5;
      out[o + 1] = g * inv + 0.5;
      out[o + 2] = b * inv + 0.5;
    }
  }
  return { data: out, width: size, height: size };
}

/** Where a point of the resampled square lies in the source image (pixel centres on both sides). */
export function fromSquare(region: SquareRegion, size: number, x: number, y: number): [number, number] {
  const step = region.side / size;
  return [region.x0 + (x + 0.5) * step - 0.5, region.y0 + (y + 0.5) * step - 0.5];
}

/**
 * Averages n×n blocks of the rectangle [x0, x0 + w·n) × [y0, y0 + h·n) into a w×h image (black
 * outside the source). Used before a strongly shrinking warp: a bilinear sample of a face four
 * times larger than the crop reads only four of every sixteen pixels, and which four changes
 * with a sub-pixel shift of the landmarks.
 */
export function shrinkBlock(image: RgbImage, x0: number, y0: number, w: number, h: number, n: number): RgbImage {
  const out = new Uint8Array(w * h * 3);
  const { data, width, height } = image;
  const inv = 1 / (n * n);
  let o = 0;
  for (let v = 0; v < h; v++) {
    const ys = y0 + v * n;
    for (let u = 0; u < w; u++, o += 3) {
      const xs = x0 + u * n;
      let r = 0, g = 0, b = 0;
      for (let j = 0; j < n; j++) {
        const y = ys + j;
        if (y < 0 || y >= height) continue;
        const xFrom = Math.max(0, xs), xTo = Math.min(width, xs + n);
        for (let p = (y * width + xFrom) * 3, end = (y * width + xTo) * 3; p < end; p += 3) {
          r += data[p]!;
          g += data[p + 1]!;
          b += data[p + 2]!;
        }
      }
      out[o] = r * inv + 0.5;
      out[o + 1] = g * inv + 0.5;
      out[o + 2] = b * inv + 0.5;
    }
  }
  return { data: out, width: w, height: h };
}

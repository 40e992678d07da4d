import type { RgbImage } from '../image/decode.ts';
import { shrinkBlock } from '../image/resample.ts';
import type { Similarity } from './similarity.ts';
import { applySimilarity, ARCFACE_TEMPLATE_112, estimateSimilarity, invertSimilarity } from './similarity.ts';

/**
 * Samples `image` through the inverse of `toCrop` into a width x height RGB crop, bilinearly,
 * with black outside the image (as cv2.warpAffine with a constant border, which the recognizers
 * were trained with).
 */
export function warpSimilarity(image: RgbImage, toCrop: Similarity, width: number, height: number): RgbImage {
  const inv = invertSimilarity(toCrop);
  const out = new Uint8Array(width * height * 3);
  const { data, width: iw, height: ih } = image;
  let o = 0;
  for (let v = 0; v < height; v++) {
    // Source position moves linearly along a row; start of row plus per-column step.
    let x = inv.a * 0 - inv.b * v + inv.tx;
    let y = inv.b * 0 + inv.a * v + inv.ty;
    for (let u = 0; u < width; u++, x += inv.a, y += inv.b, o += 3) {
      const x0 = Math.floor(x);
      const y0 = Math.floor(y);
      if (x0 < -1 || y0 < -1 || x0 >= iw || y0 >= ih) continue;
      const fx = x - x0;
      const fy = y - y0;
      const w00 = (1 - fx) * (1 - fy), w10 = fx * (1 - fy), w01 = (1 - fx) * fy, w11 = fx * fy;
      const in0 = y0 >= 0, in1 = y0 + 1 < ih, inL = x0 >= 0, inR = x0 + 1 < iw;
      const p00 = (y0 * iw + x0) * 3;
      const p10 = p00 + 3;
      const p01 = p00 + iw * 3;
      const p11 = p01 + 3;
      for (let c = 0; c < 3; c++) {
        let s = 0;
        if (in0 && inL) s += w00 * data[p00 + c]!;
        if (in0 && inR) s += w10 * data[p10 + c]!;
        if (in1 && inL) s += w01 * data[p01 + c]!;
        if (in1 && inR) s += w11 * data[p11 + c]!;
        out[o + c] = s + 0.5;
      }
    }
  }
  return { data: out, width, height };
}

export interface AlignOptions {
  /**
   * Average n×n blocks of the face first when it is n or more times larger than the crop. A plain
   * bilinear warp of a large face samples a few pixels out of many, so the embedding follows
   * sub-pixel landmark noise (docs/face.md, "Alignment"); the block average removes that.
   */
  antialias?: boolean;
}

/** Aligns a face to the ArcFace template, scaled to the recognizer's input size. */
export function alignFace(image: RgbImage, landmarks: ArrayLike<number>, width = 112, height = 112, options: AlignOptions = {}): RgbImage {
  const template = ARCFACE_TEMPLATE_112.map((v, i) => (i % 2 === 0 ? (v * width) / 112 : (v * height) / 112));
  const toCrop = estimateSimilarity(landmarks, template);
  const n = Math.floor(1 / Math.hypot(toCrop.a, toCrop.b));
  if (!options.antialias || n < 2) return warpSimilarity(image, toCrop, width, height);
  // Only the part of the image that the crop sees is averaged: the crop's corners mapped back, plus a block of margin.
  const back = invertSimilarity(toCrop);
  const corners = [applySimilarity(back, 0, 0), applySimilarity(back, width, 0), applySimilarity(back, 0, height), applySimilarity(back, width, height)];
  const x0 = Math.floor(Math.min(...corners.map((c) => c[0]))) - n;
  const y0 = Math.floor(Math.min(...corners.map((c) => c[1]))) - n;
  const w = Math.ceil((Math.max(...corners.map((c) => c[0])) - x0) / n) + 2;
  const h = Math.ceil((Math.max(...corners.map((c) => c[1])) - y0) / n) + 2;
  const small = shrinkBlock(image, x0, y0, w, h, n);
  // A source pixel centre x lies at (x - x0 + 0.5) / n - 0.5 in the averaged image.
  const moved = Float64Array.from(landmarks as ArrayLike<number>, (v, i) => (v - (i % 2 === 0 ? x0 : y0) + 0.5) / n - 0.5);
  return warpSimilarity(small, estimateSimilarity(moved, template), width, height);
}

import sharp from 'sharp';
import type { Preprocessing } from '../models/manifest.ts';
import type { RgbImage } from './decode.ts';

/** How model-input coordinates map back to the source image: source = (model - offset) / scale. */
export interface Letterbox {
  scale: number;
  offsetX: number;
  offsetY: number;
}

/**
 * Writes an interleaved RGB buffer into an NCHW float tensor with the model's channel order and
 * normalisation. `out` is reused between calls to avoid reallocating megabytes per photo.
 */
export function fillNchw(
  rgb: Uint8Array,
  width: number,
  height: number,
  pre: Preprocessing,
  out: Float32Array,
  tensorWidth = width,
  tensorHeight = height,
  offsetX = 0,
  offsetY = 0,
): void {
  const plane = tensorWidth * tensorHeight;
  // Channel c of the tensor reads source channel src[c]: RGB keeps 0,1,2, BGR swaps to 2,1,0.
  const src = pre.channelOrder === 'RGB' ? [0, 1, 2] : [2, 1, 0];
  for (let c = 0; c < 3; c++) {
    const inv = 1 / pre.std[c]!;
    const bias = -pre.mean[c]! * inv;
    const base = c * plane;
    // Padding is black in pixel space, i.e. (0 - mean) / std after normalisation.
    if (width !== tensorWidth || height !== tensorHeight || offsetX !== 0 || offsetY !== 0) {
      out.fill(bias, base, base + plane);
    }
    const sc = src[c]!;
    for (let y = 0; y < height; y++) {
      let o = base + (y + offsetY) * tensorWidth + offsetX;
      let i = y * width * 3 + sc;
      for (let x = 0; x < width; x++, i += 3) out[o++] = rgb[i]! * inv + bias;
    }
  }
}

/**
 * Fits the image (optionally with a black border of `padFraction` of its size on every side)
 * into the model input keeping the aspect ratio, and fills the tensor. The border helps
 * detectors that miss faces filling the whole frame.
 */
export async function letterboxInto(
  image: RgbImage,
  tensorWidth: number,
  tensorHeight: number,
  pre: Preprocessing,
  out: Float32Array,
  padFraction = 0,
): Promise<Letterbox> {
  const paddedW = image.width * (1 + 2 * padFraction);
  const paddedH = image.height * (1 + 2 * padFraction);
  const fit = Math.min(tensorWidth / paddedW, tensorHeight / paddedH);
  const w = Math.max(1, Math.min(tensorWidth, Math.round(image.width * fit)));
  const h = Math.max(1, Math.min(tensorHeight, Math.round(image.height * fit)));
  const offsetX = Math.min(tensorWidth - w, Math.round(image.width * padFraction * fit));
  const offsetY = Math.min(tensorHeight - h, Math.round(image.height * padFraction * fit));
  let pixels = image.data;
  if (w !== image.width || h !== image.height) {
    const resized = await sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } })
      .resize(w, h, { fit: 'fill' })
      .raw()
      .toBuffer();
    pixels = new Uint8Array(resized.buffer, resized.byteOffset, resized.length);
  }
  fillNchw(pixels, w, h, pre, out, tensorWidth, tensorHeight, offsetX, offsetY);
  // The effective scale per axis differs by rounding; the mean keeps landmark error below a pixel.
  const scale = (w / image.width + h / image.height) / 2;
  return { scale, offsetX, offsetY };
}

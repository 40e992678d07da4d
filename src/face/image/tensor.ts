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
 * normalisation, in one pass over the pixels (three reads, three plane writes per pixel), and
 * fills only the padding around the image with black. `out` is reused between calls to avoid
 * reallocating megabytes per photo.
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
  // Tensor channel c reads source channel src[c]: RGB keeps 0,1,2, BGR swaps to 2,1,0.
  const [s0, s1, s2] = pre.channelOrder === 'RGB' ? [0, 1, 2] : [2, 1, 0];
  const k0 = 1 / pre.std[0]!, k1 = 1 / pre.std[1]!, k2 = 1 / pre.std[2]!;
  const b0 = -pre.mean[0]! * k0, b1 = -pre.mean[1]! * k1, b2 = -pre.mean[2]! * k2;
  if (width !== tensorWidth || height !== tensorHeight) {
    // Padding is black in pixel space, i.e. (0 - mean) / std after normalisation.
    fillOutside(out, 0, b0, tensorWidth, tensorHeight, offsetX, offsetY, width, height);
    fillOutside(out, plane, b1, tensorWidth, tensorHeight, offsetX, offsetY, width, height);
    fillOutside(out, 2 * plane, b2, tensorWidth, tensorHeight, offsetX, offsetY, width, height);
  }
  for (let y = 0; y < height; y++) {
    let o = (y + offsetY) * tensorWidth + offsetX;
    let i = y * width * 3;
    for (let x = 0; x < width; x++, i += 3, o++) {
      out[o] = rgb[i + s0]! * k0 + b0;
      out[o + plane] = rgb[i + s1]! * k1 + b1;
      out[o + 2 * plane] = rgb[i + s2]! * k2 + b2;
    }
  }
}

/** Fills one plane with `value` everywhere except the width x height rectangle at (x0, y0). */
function fillOutside(out: Float32Array, base: number, value: number, tw: number, th: number, x0: number, y0: number, w: number, h: number): void {
  out.fill(value, base, base + y0 * tw);
  for (let y = y0; y < y0 + h; y++) {
    const row = base + y * tw;
    if (x0 > 0) out.fill(value, row, row + x0);
    if (x0 + w < tw) out.fill(value, row + x0 + w, row + tw);
  }
  out.fill(value, base + (y0 + h) * tw, base + th * tw);
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
      .resize(w, h, { fit: 'fill', kernel: 'linear' })
      .raw()
      .toBuffer();
    pixels = new Uint8Array(resized.buffer, resized.byteOffset, resized.length);
  }
  fillNchw(pixels, w, h, pre, out, tensorWidth, tensorHeight, offsetX, offsetY);
  // The effective scale per axis differs by rounding; the mean keeps landmark error below a pixel.
  const scale = (w / image.width + h / image.height) / 2;
  return { scale, offsetX, offsetY };
}

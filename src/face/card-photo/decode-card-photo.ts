/**
 * The My Number Card photo (券面AP, JPEG 2000) as the face pipeline's RGB: headers read and held to
 * a card photo's size first (codestream.ts), then decoded by OpenJPEG, then checked to be exactly
 * what the header declared. Anything else is one typed refusal, `card_photo_unreadable`. The
 * photo is compared and discarded by the caller; nothing here keeps or logs it.
 */
import { FaceCardPhotoError } from '../errors.ts';
import type { RgbImage } from '../image/decode.ts';
import { CARD_PHOTO_LIMITS, readCardPhotoHeader, type CardPhotoHeader, type CardPhotoLimits } from './codestream.ts';
import { decodeCodestream } from './openjpeg.ts';

export async function decodeCardPhoto(bytes: Uint8Array, limits: CardPhotoLimits = CARD_PHOTO_LIMITS): Promise<RgbImage> {
  const header = readCardPhotoHeader(bytes, limits);
  let decoded: Awaited<ReturnType<typeof decodeCodestream>>;
  try {
    decoded = await decodeCodestream(header.codestream);
  } catch (error) {
    throw new FaceCardPhotoError('the card photo could not be decoded', undefined, { cause: error });
  }
  const { frame, samples, errors } = decoded;
  const expected = header.width * header.height * header.components;
  if (errors.length > 0 || frame.width !== header.width || frame.height !== header.height || frame.componentCount !== header.components || samples.length !== expected) {
    // OpenJPEG's first error line says where the codestream broke; it holds no pixel data.
    throw new FaceCardPhotoError(`the card photo could not be decoded${errors[0] ? `: ${errors[0].replace(/^\[ERROR\]\s*/, '')}` : ''}`);
  }
  return toRgb(samples, header);
}

/** Grey is repeated into R, G and B; a fourth (alpha) or second (grey + alpha) component is dropped. */
function toRgb(samples: Uint8Array, header: CardPhotoHeader): RgbImage {
  const { width, height, components, bitDepth } = header;
  const pixels = width * height;
  const data = new Uint8Array(pixels * 3);
  const max = (1 << bitDepth) - 1;
  const scale = (v: number) => (bitDepth === 8 ? v : Math.round((Math.min(v, max) * 255) / max));
  const sycc = header.colour === 'sycc' && components >= 3;
  for (let p = 0; p < pixels; p++) {
    const s = p * components;
    const o = p * 3;
    if (components < 3) {
      const grey = scale(samples[s]!);
      data[o] = grey;
      data[o + 1] = grey;
      data[o + 2] = grey;
    } else if (sycc) {
      // sYCC without the codestream's own colour transform (JP2 colr 18): ITU-R BT.601 full range.
      const y = scale(samples[s]!);
      const cb = scale(samples[s + 1]!) - 128;
      const cr = scale(samples[s + 2]!) - 128;
      data[o] = clamp(y + 1.402 * cr);
      data[o + 1] = clamp(y - 0.344136 * cb - 0.714136 * cr);
      data[o + 2] = clamp(y + 1.772 * cb);
    } else {
      data[o] = scale(samples[s]!);
      data[o + 1] = scale(samples[s + 1]!);
      data[o + 2] = scale(samples[s + 2]!);
    }
  }
  return { data, width, height };
}

function clamp(v: number): number {
  return v < 0 ? 0 : v > 255 ? 255 : Math.round(v);
}

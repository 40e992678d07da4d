import sharp from 'sharp';
import { FaceImageError } from '../errors.ts';

/** Interleaved 8-bit RGB, row-major, no padding. */
export interface RgbImage {
  data: Uint8Array;
  width: number;
  height: number;
}

export interface DecodeLimits {
  /** Largest accepted upload, in bytes. */
  maxBytes: number;
  /** Largest accepted pixel count of the encoded image (guards against decompression bombs). */
  maxPixels: number;
  /** Larger images are downscaled to this long side before detection; faces stay detailed enough for 112x112 crops. */
  maxWorkingSide: number;
}

export const DEFAULT_DECODE_LIMITS: DecodeLimits = {
  maxBytes: 15 * 1024 * 1024,
  maxPixels: 40_000_000,
  maxWorkingSide: 1920,
};

export type ImageFormat = 'jpeg' | 'png' | 'webp';

/** Identifies the format from magic bytes; the declared content type of an upload is not trusted. */
export function sniffImageFormat(bytes: Uint8Array): ImageFormat | undefined {
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  const png = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (bytes.length >= 8 && png.every((b, i) => bytes[i] === b)) return 'png';
  if (bytes.length >= 12 && ascii(bytes, 0, 4) === 'RIFF' && ascii(bytes, 8, 12) === 'WEBP') return 'webp';
  return undefined;
}

function ascii(bytes: Uint8Array, start: number, end: number): string {
  return String.fromCharCode(...bytes.subarray(start, end));
}

/**
 * Decodes an upload to RGB with EXIF orientation applied. The pixel limit is checked from the
 * header before any pixel is decoded, so a small file that expands to gigabytes is refused cheaply.
 */
export async function decodeImage(bytes: Uint8Array, limits: DecodeLimits = DEFAULT_DECODE_LIMITS): Promise<RgbImage> {
  if (bytes.length > limits.maxBytes) {
    throw new FaceImageError('image_too_large', `image is ${bytes.length} bytes; the limit is ${limits.maxBytes}`, {
      bytes: bytes.length,
      maxBytes: limits.maxBytes,
    });
  }
  const format = sniffImageFormat(bytes);
  if (!format) throw new FaceImageError('unsupported_image', 'only JPEG, PNG and WebP images are accepted');

  let meta: Awaited<ReturnType<ReturnType<typeof sharp>['metadata']>>;
  try {
    meta = await sharp(bytes, { limitInputPixels: false }).metadata();
  } catch {
    throw new FaceImageError('corrupt_image', 'the image could not be read');
  }
  if (meta.format !== format) {
    throw new FaceImageError('unsupported_image', 'the image content does not match its format');
  }
  const pixels = (meta.width ?? 0) * (meta.height ?? 0);
  if (pixels === 0) throw new FaceImageError('corrupt_image', 'the image has no pixels');
  if ((meta.pages ?? 1) > 1) throw new FaceImageError('unsupported_image', 'animated or multi-page images are not accepted');
  if (pixels > limits.maxPixels) {
    throw new FaceImageError('image_too_large', `image is ${meta.width}x${meta.height}; the limit is ${limits.maxPixels} pixels`, {
      width: meta.width,
      height: meta.height,
      maxPixels: limits.maxPixels,
    });
  }

  try {
    const { data, info } = await sharp(bytes, { limitInputPixels: limits.maxPixels, failOn: 'error' })
      .autoOrient()
      .resize(limits.maxWorkingSide, limits.maxWorkingSide, { fit: 'inside', withoutEnlargement: true })
      .removeAlpha()
      .toColourspace('srgb')
      .raw()
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) throw new Error(`unexpected ${info.channels} channels`);
    return { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height };
  } catch {
    throw new FaceImageError('corrupt_image', 'the image could not be decoded');
  }
}

// Transformed copies of the labelled photos: stand-ins for the photos from the field that PASS's
// developers never see (a tilted head, a far or near camera, a tight crop, a poor JPEG encoder,
// dim or harsh light). Deterministic: the same bytes every run. Used by the alignment, threshold
// and bench code (bench/face/*) and by test/face/alignment.test.ts.
import sharp from 'sharp';
import type { Sharp } from 'sharp';

export interface Transform {
  name: string;
  /** `face` is the face box in the original photo's (EXIF-oriented) pixels, for crops around it. */
  apply(photo: Buffer, face: { x1: number; y1: number; x2: number; y2: number }): Promise<Buffer>;
}

const jpeg = (s: Sharp, quality = 92) => s.jpeg({ quality }).toBuffer();

/** Rotates about the centre and keeps the original size, so the corners are the photo's own content where possible. */
function rotation(degrees: number): Transform {
  return {
    name: `rotate${degrees > 0 ? '+' : ''}${degrees}`,
    async apply(photo) {
      const meta = await sharp(photo).rotate().toBuffer({ resolveWithObject: true });
      const { width, height } = meta.info;
      const turned = await sharp(meta.data).rotate(degrees, { background: '#000' }).toBuffer({ resolveWithObject: true });
      const left = Math.max(0, Math.round((turned.info.width - width) / 2));
      const top = Math.max(0, Math.round((turned.info.height - height) / 2));
      return jpeg(sharp(turned.data).extract({ left, top, width: Math.min(width, turned.info.width), height: Math.min(height, turned.info.height) }));
    },
  };
}

function scale(factor: number): Transform {
  return {
    name: `scale${factor}`,
    async apply(photo) {
      const meta = await sharp(photo).rotate().metadata();
      const w = meta.autoOrient?.width ?? meta.width ?? 1;
      return jpeg(sharp(photo).rotate().resize({ width: Math.max(16, Math.round(w * factor)) }));
    },
  };
}

/** A crop around the face box, `margin` of its size on each side: 0.1 is a tight, passport-like crop. */
function crop(margin: number): Transform {
  return {
    name: `crop${margin}`,
    async apply(photo, face) {
      const img = await sharp(photo).rotate().toBuffer({ resolveWithObject: true });
      const w = face.x2 - face.x1, h = face.y2 - face.y1;
      const left = Math.max(0, Math.round(face.x1 - margin * w));
      const top = Math.max(0, Math.round(face.y1 - margin * h));
      const right = Math.min(img.info.width, Math.round(face.x2 + margin * w));
      const bottom = Math.min(img.info.height, Math.round(face.y2 + margin * h));
      return jpeg(sharp(img.data).extract({ left, top, width: right - left, height: bottom - top }));
    },
  };
}

function quality(q: number): Transform {
  return { name: `jpeg${q}`, apply: (photo) => jpeg(sharp(photo).rotate(), q) };
}

function brightness(factor: number): Transform {
  return { name: `bright${factor}`, apply: (photo) => jpeg(sharp(photo).rotate().linear(factor, 0)) };
}

export const TRANSFORMS: readonly Transform[] = [
  rotation(15),
  rotation(-15),
  scale(0.5),
  scale(0.25),
  crop(0.1),
  crop(0.4),
  quality(30),
  brightness(0.55),
  brightness(1.35),
];

/** Only the rotations (the alignment test runs these on every photo). */
export const ROTATIONS: readonly Transform[] = TRANSFORMS.filter((t) => t.name.startsWith('rotate'));

// The synthetic presentation-attack set's recipe (issue 17): a print, a screen replay or a cut-out
// of a resident's photo, as the kiosk camera would see it held up in a room. The set is the
// recipe, not the photos: the same photo, kind and seed always give the same pixels, so tests
// (test/face/pad*.test.ts, the facility PAD tests) and `npm run bench -- face` rebuild it.
// Synthetic attacks are not a certification: see docs/face.md, "PAD".
import sharp from 'sharp';
import type { RgbImage } from '../../../src/face/image/decode.ts';
import { headMask, inkOnPaper, printSheet, screenReplay } from './media.ts';
import type { FaceBox } from './media.ts';
import { backdrop, between, camera, composite, resize, seededRand } from './scene.ts';
// Jest runs this in a vm context, where every global lookup (Math.*) in a per-pixel loop is slow.
const { max, min, round } = Math;


export type { FaceBox } from './media.ts';
export type AttackKind = 'print' | 'screen' | 'cutout';
export const ATTACK_KINDS: readonly AttackKind[] = ['print', 'screen', 'cutout'];

/** Camera frames are rarely larger; bigger photos are shrunk first so a render stays quick. */
export const MAX_ATTACK_SIDE = 1280;

const KIND_SALT: Record<AttackKind, number> = { print: 0x5052, screen: 0x5343, cutout: 0x4355 };

/**
 * The attack as the camera sees it, the same size as `image`. `face` (the face box in `image`'s
 * pixels) places a cut-out's edge around the head; without it the middle of the photo is cut out.
 * Print and screen show the whole photo and need no box.
 */
export function renderAttack(kind: AttackKind, image: RgbImage, seed: number, face?: FaceBox): RgbImage {
  const rand = seededRand((seed * 2654435761) ^ KIND_SALT[kind]);
  const { width: W, height: H } = image;
  const scene = backdrop(W, H, rand);
  // The medium fills most of the frame: an attacker holds it close so the face looks large.
  const fill = kind === 'cutout' ? between(rand, 0.9, 1.0) : between(rand, 0.8, 0.92);
  const shrink = (mw: number, mh: number) => min((W * fill) / mw, (H * fill) / mh);
  const place = { cx: W / 2 + between(rand, -0.04, 0.04) * W, cy: H / 2 + between(rand, -0.04, 0.04) * H, degrees: between(rand, -4, 4) };

  if (kind === 'screen') {
    // The bezel adds about 12 % to each side before the fit.
    const k = shrink(image.width * 1.12, image.height * 1.12);
    const shown = resize(image, max(8, round(image.width * k)), max(8, round(image.height * k)));
    composite(scene, screenReplay(shown, rand), { ...place, shadow: 0.35 });
  } else if (kind === 'print') {
    const k = shrink(image.width * 1.1, image.height * 1.1);
    const shown = resize(image, max(8, round(image.width * k)), max(8, round(image.height * k)));
    composite(scene, printSheet(inkOnPaper(shown, rand), rand), { ...place, shadow: 0.3 });
  } else {
    const k = shrink(image.width, image.height);
    const w = max(8, round(image.width * k)), h = max(8, round(image.height * k));
    const box = face ?? { x1: image.width * 0.3, y1: image.height * 0.2, x2: image.width * 0.7, y2: image.height * 0.6 };
    const scaled = { x1: box.x1 * k, y1: box.y1 * k, x2: box.x2 * k, y2: box.y2 * k };
    composite(scene, inkOnPaper(resize(image, w, h), rand), { ...place, mask: headMask(w, h, scaled), shadow: 0.25 });
  }
  return camera(scene, between(rand, 0.3, 0.7), between(rand, 2, 5), rand);
}

export interface AttackPhoto {
  jpeg: Buffer;
  /** The frame before JPEG encoding. */
  image: RgbImage;
}

/**
 * A photo's attack as JPEG bytes, ready for the face API: the photo (any format sharp reads,
 * EXIF-oriented, shrunk to MAX_ATTACK_SIDE) rendered by renderAttack and encoded at `quality`.
 * `face` is in the original photo's (oriented) pixels.
 */
export async function attackJpeg(kind: AttackKind, photo: Uint8Array, seed: number, options: { face?: FaceBox; quality?: number } = {}): Promise<AttackPhoto> {
  const oriented = await sharp(photo).rotate().toBuffer({ resolveWithObject: true });
  const long = max(oriented.info.width, oriented.info.height);
  const k = min(1, MAX_ATTACK_SIDE / long);
  const { data, info } = await sharp(oriented.data)
    .resize({ width: round(oriented.info.width * k), height: round(oriented.info.height * k), fit: 'fill' })
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  const face = options.face && { x1: options.face.x1 * k, y1: options.face.y1 * k, x2: options.face.x2 * k, y2: options.face.y2 * k };
  const image = renderAttack(kind, { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height }, seed, face);
  const jpeg = await sharp(Buffer.from(image.data.buffer, image.data.byteOffset, image.data.length), { raw: { width: image.width, height: image.height, channels: 3 } })
    .jpeg({ quality: options.quality ?? 88 })
    .toBuffer();
  return { jpeg, image };
}

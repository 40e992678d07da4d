// The My Number Card photo (issue 16): JPEG 2000 decoding with its guards (src/face/card-photo/), and
// FaceService.compareWithCardPhoto through a running PASS's inference workers with the real models.
// Card photos are made here the way a card holds one: an ID-photo crop of a face in ../shared/faces,
// 300×400, encoded by OpenJPEG (lossless greyscale codestream, or colour in a JP2 file).
import sharp from 'sharp';
import { PassError } from '../../src/core/errors.ts';
import { FaceCardPhotoError } from '../../src/face/errors.ts';
import { FACE_REASONS } from '../../src/face/messages.ts';
import { CARD_PHOTO_LIMITS, readCardPhotoHeader } from '../../src/face/card-photo/codestream.ts';
import { decodeCardPhoto } from '../../src/face/card-photo/decode-card-photo.ts';
import type { FaceService } from '../../src/face/service/face-service.ts';
import { encodeJ2k, jp2, jp2Box } from '../helpers/jpeg2000.ts';
import { createStorage, startPass, type TestStorage } from '../helpers/pass.ts';
import { faceEnv, photo, type Pass } from './platform.ts';

const WIDTH = 300;
const HEIGHT = 400;

/** Face boxes the detector finds in these photos (x1, y1, x2, y2), for the ID-photo crop. */
const FACE_BOXES: Record<string, [number, number, number, number]> = {
  'obama/1': [371, 90, 611, 419],
  'guido_van_rossum/1': [511, 129, 879, 621],
};

/** An ID-photo crop (3:4, the face about 60 % of the height, a little room above the head) as raw pixels. */
async function idPhoto(key: string, channels: 1 | 3): Promise<Uint8Array> {
  const [person, n] = key.split('/') as [string, string];
  const [x1, y1, x2, y2] = FACE_BOXES[key]!;
  const source = sharp(await photo(person, Number(n))).rotate();
  const { width: imageWidth, height: imageHeight } = await source.clone().metadata();
  const cropHeight = Math.min(imageHeight!, Math.round((y2 - y1) / 0.6));
  const cropWidth = Math.min(imageWidth!, Math.round(cropHeight * 0.75));
  const clampTo = (v: number, max: number) => Math.max(0, Math.min(max, Math.round(v)));
  const left = clampTo((x1 + x2) / 2 - cropWidth / 2, imageWidth! - cropWidth);
  const top = clampTo(y1 - 0.25 * (cropHeight - (y2 - y1)), imageHeight! - cropHeight);
  let image = source.extract({ left, top, width: cropWidth, height: cropHeight }).resize(WIDTH, HEIGHT, { fit: 'fill' }).removeAlpha();
  if (channels === 1) image = image.greyscale();
  return new Uint8Array(await image.raw().toBuffer());
}

/** A codestream whose SIZ segment declares other sizes than the pixels behind it. */
function withSiz(codestream: Uint8Array, fields: { width?: number; height?: number; tileWidth?: number; tileHeight?: number }): Uint8Array {
  const out = codestream.slice();
  const view = new DataView(out.buffer);
  if (fields.width !== undefined) view.setUint32(8, fields.width);
  if (fields.height !== undefined) view.setUint32(12, fields.height);
  if (fields.tileWidth !== undefined) view.setUint32(24, fields.tileWidth);
  if (fields.tileHeight !== undefined) view.setUint32(28, fields.tileHeight);
  return out;
}

async function refusal(p: Promise<unknown>): Promise<FaceCardPhotoError> {
  try {
    await p;
  } catch (error) {
    if (error instanceof PassError && error.reason === 'card_photo_unreadable') return error as FaceCardPhotoError;
    throw error;
  }
  throw new Error('the card photo was accepted');
}

let greyPixels: Uint8Array;
let greyJ2k: Uint8Array;
let colourPixels: Uint8Array;
let colourJp2: Uint8Array;
let lossyJ2k: Uint8Array;

beforeAll(async () => {
  greyPixels = await idPhoto('obama/1', 1);
  greyJ2k = await encodeJ2k(greyPixels, WIDTH, HEIGHT, 1);
  colourPixels = await idPhoto('guido_van_rossum/1', 3);
  colourJp2 = jp2(await encodeJ2k(colourPixels, WIDTH, HEIGHT, 3), WIDTH, HEIGHT, 3);
  lossyJ2k = await encodeJ2k(colourPixels, WIDTH, HEIGHT, 3, { lossy: true });
}, 60_000);

describe('decoding a card photo (JPEG 2000)', () => {
  test('a lossless greyscale codestream decodes to its exact pixels, grey in R, G and B', async () => {
    const image = await decodeCardPhoto(greyJ2k);
    expect([image.width, image.height, image.data.length]).toEqual([WIDTH, HEIGHT, WIDTH * HEIGHT * 3]);
    for (let p = 0; p < WIDTH * HEIGHT; p += 97) expect([image.data[3 * p], image.data[3 * p + 1], image.data[3 * p + 2]]).toEqual(Array(3).fill(greyPixels[p]));
  });

  test('a lossless colour JP2 file decodes to its exact RGB; a lossy codestream to nearly the same', async () => {
    const exact = await decodeCardPhoto(colourJp2);
    expect(Buffer.from(exact.data).equals(Buffer.from(colourPixels))).toBe(true);
    expect(readCardPhotoHeader(colourJp2)).toMatchObject({ width: WIDTH, height: HEIGHT, components: 3, bitDepth: 8, tiles: 1, colour: 'srgb' });
    const lossy = await decodeCardPhoto(lossyJ2k);
    let error = 0;
    for (let i = 0; i < lossy.data.length; i++) error += Math.abs(lossy.data[i]! - colourPixels[i]!);
    expect(error / lossy.data.length).toBeLessThan(3);
    expect(Buffer.from(lossy.data).equals(Buffer.from(colourPixels))).toBe(false);
  });

  test('a JP2 file in sYCC is turned into RGB', async () => {
    // Y Cb Cr of the colour photo, as a card could store it without the codestream's own transform.
    const ycc = new Uint8Array(colourPixels.length);
    for (let i = 0; i < ycc.length; i += 3) {
      const [r, g, b] = [colourPixels[i]!, colourPixels[i + 1]!, colourPixels[i + 2]!];
      const y = 0.299 * r + 0.587 * g + 0.114 * b;
      ycc[i] = Math.round(y);
      ycc[i + 1] = Math.max(0, Math.min(255, Math.round(128 + (b - y) / 1.772)));
      ycc[i + 2] = Math.max(0, Math.min(255, Math.round(128 + (r - y) / 1.402)));
    }
    const image = await decodeCardPhoto(jp2(await encodeJ2k(ycc, WIDTH, HEIGHT, 3), WIDTH, HEIGHT, 3, 18));
    let error = 0;
    for (let i = 0; i < image.data.length; i++) error += Math.abs(image.data[i]! - colourPixels[i]!);
    expect(error / image.data.length).toBeLessThan(2);
  });

  test('a bomb is refused from its header, before any decoding', async () => {
    const bombs = {
      '60000×60000': withSiz(greyJ2k, { width: 60_000, height: 60_000 }),
      '4 gigapixels wide': withSiz(greyJ2k, { width: 0xffffffff }),
      'a million tiles': withSiz(greyJ2k, { tileWidth: 1, tileHeight: 1 }),
      'in a JP2 file': jp2(withSiz(greyJ2k, { width: 60_000, height: 60_000 }), 60_000, 60_000, 1),
    };
    for (const [name, bytes] of Object.entries(bombs)) {
      const started = performance.now();
      const error = await refusal(decodeCardPhoto(bytes));
      expect([name, error.message]).toEqual([name, expect.stringMatching(/declares/)]);
      expect(performance.now() - started).toBeLessThan(50);
    }
    expect((await refusal(decodeCardPhoto(new Uint8Array(CARD_PHOTO_LIMITS.maxBytes + 1)))).details).toMatchObject({ maxBytes: CARD_PHOTO_LIMITS.maxBytes });
  });

  test('truncated, garbage and malformed photos are refused with the reason, as a typed 422', async () => {
    const zeroComponents = greyJ2k.slice();
    zeroComponents[41] = 0;
    const sixteenBit = greyJ2k.slice();
    sixteenBit[42] = 15;
    const badBox = jp2(greyJ2k, WIDTH, HEIGHT, 1);
    new DataView(badBox.buffer).setUint32(12, 0x7fffffff); // the ftyp box claims 2 GB
    const cases: Record<string, Uint8Array> = {
      empty: new Uint8Array(0),
      'a JPEG': new Uint8Array(await photo('obama', 1)).subarray(0, 4096),
      garbage: Uint8Array.from({ length: 5000 }, (_, i) => (i * 7919) & 0xff),
      'SOC and SIZ only': greyJ2k.subarray(0, 30),
      'the main header only': greyJ2k.subarray(0, 200),
      'cut in half': greyJ2k.subarray(0, greyJ2k.length >> 1),
      'cut before EOC': greyJ2k.subarray(0, greyJ2k.length - 40),
      'no components': zeroComponents,
      '16-bit samples': sixteenBit,
      'a JP2 box longer than the file': badBox,
      'a JP2 file cut short': jp2(greyJ2k, WIDTH, HEIGHT, 1).subarray(0, 1000),
    };
    for (const [name, bytes] of Object.entries(cases)) {
      const error = await refusal(decodeCardPhoto(bytes));
      expect([name, error]).toEqual([name, expect.any(FaceCardPhotoError)]);
      expect([name, error.status, error.code]).toEqual([name, 422, 'invalid_input']);
    }
    expect(FACE_REASONS.text('card_photo_unreadable')?.ja).toMatch(/カードの顔写真を読み取れません/);
    // The decoder is still sound after all of that.
    expect((await decodeCardPhoto(greyJ2k)).width).toBe(WIDTH);
  });

  test('decoding is bounded in time: the largest photo the limits let through decodes in well under a second', async () => {
    const side = Math.floor(Math.sqrt(CARD_PHOTO_LIMITS.maxPixels));
    // Blurred, so that it still fits the byte limit at this size: the decoder's work is in the pixels.
    const big = new Uint8Array(await sharp(await photo('obama', 1)).resize(side, side, { fit: 'fill' }).greyscale().blur(6).raw().toBuffer());
    const largest = await encodeJ2k(big, side, side, 1, { lossy: true });
    expect(largest.length).toBeLessThanOrEqual(CARD_PHOTO_LIMITS.maxBytes);
    const started = performance.now();
    const image = await decodeCardPhoto(largest);
    const ms = performance.now() - started;
    expect(image.width).toBe(side);
    // A 300×400 card photo is ~15 times smaller than this; a busy 2-core CI machine takes about 1 s.
    expect(ms).toBeLessThan(5000);
  }, 30_000);
});

describe('compareWithCardPhoto: the live face against the card photo (real models, worker threads)', () => {
  let storage: TestStorage;
  let pass: Pass;
  let face: FaceService;

  beforeAll(async () => {
    storage = await createStorage('embedded');
    pass = await startPass(faceEnv(storage.env));
    face = pass.provided.face!;
  }, 90_000);

  afterAll(async () => {
    await pass?.close();
    await storage?.cleanup();
  });

  test('the card photo matches another photo of the same person at the 1:1 threshold, and not a different person', async () => {
    const same = await face.compareWithCardPhoto(greyJ2k, await photo('obama', 2));
    expect(same).toEqual({ matched: true, score: expect.any(Number), threshold: face.verifyThreshold, presentationAttack: expect.objectContaining({ status: expect.any(String) }) });
    expect(same.score).toBeGreaterThanOrEqual(face.verifyThreshold);
    expect(face.verifyThreshold).toBe(0.44);

    const other = await face.compareWithCardPhoto(greyJ2k, await photo('biden', 2));
    expect(other.matched).toBe(false);
    expect(other.score).toBeLessThan(face.verifyThreshold);
  }, 60_000);

  test('a colour JP2 and a lossy codestream card photo match their holder and no one else', async () => {
    for (const card of [colourJp2, lossyJ2k]) {
      const same = await face.compareWithCardPhoto(card, await photo('guido_van_rossum', 2));
      expect(same.matched).toBe(true);
      const other = await face.compareWithCardPhoto(card, await photo('steve_wozniak', 1));
      expect(other.matched).toBe(false);
    }
  }, 60_000);

  test('an unreadable card photo or one without a face is refused card_photo_unreadable; the workers go on', async () => {
    const live = await photo('obama', 2);
    expect((await refusal(face.compareWithCardPhoto(withSiz(greyJ2k, { width: 60_000, height: 60_000 }), live))).status).toBe(422);
    expect(await refusal(face.compareWithCardPhoto(greyJ2k.subarray(0, 500), live))).toBeInstanceOf(FaceCardPhotoError);
    const blank = await encodeJ2k(new Uint8Array(WIDTH * HEIGHT).fill(128), WIDTH, HEIGHT, 1);
    expect((await refusal(face.compareWithCardPhoto(blank, live))).details).toEqual({ face: 'no_face' });
    // The live photo's own refusals are the ones enroll gives.
    const noFace = await sharp({ create: { width: 640, height: 480, channels: 3, background: '#777' } }).jpeg().toBuffer();
    await expect(face.compareWithCardPhoto(greyJ2k, noFace)).rejects.toMatchObject({ reason: 'no_face' });
    expect((await face.compareWithCardPhoto(greyJ2k, live)).matched).toBe(true);
  }, 60_000);
});

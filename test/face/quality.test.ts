import './realm.ts';
import sharp from 'sharp';
import type { FaceEngine } from '../../src/face/engine.ts';
import { FaceImageError, FaceQualityError } from '../../src/face/errors.ts';
import { createEngine, readPhoto } from './helpers.ts';
import { bilevelPng } from './images.ts';

// Each quality gate and image limit, on inputs crafted from the real photos.
let engine: FaceEngine;
let obama: Buffer;

beforeAll(async () => {
  engine = await createEngine();
  obama = await readPhoto('obama', 1); // 910x1137, face about 240 px wide, eyes near y=215
});

afterAll(async () => {
  await engine?.close();
});

async function reasonOf(bytes: Uint8Array, errorClass: typeof FaceQualityError | typeof FaceImageError = FaceQualityError): Promise<string> {
  try {
    await engine.analyse(bytes);
  } catch (err) {
    expect(err).toBeInstanceOf(errorClass);
    return (err as FaceQualityError).reason;
  }
  throw new Error('expected the image to be refused');
}

const jpeg = (s: ReturnType<typeof sharp>) => s.jpeg({ quality: 92 }).toBuffer();

test('a blank image has no face', async () => {
  const blank = await jpeg(sharp({ create: { width: 640, height: 480, channels: 3, background: { r: 128, g: 128, b: 128 } } }));
  expect(await reasonOf(blank)).toBe('no_face');
});

test('a collage of two people is refused as several faces', async () => {
  const left = await sharp(obama).resize({ height: 600 }).toBuffer({ resolveWithObject: true });
  const right = await sharp(await readPhoto('biden', 1)).resize({ height: 600 }).toBuffer({ resolveWithObject: true });
  const collage = await jpeg(
    sharp({ create: { width: left.info.width + right.info.width, height: 600, channels: 3, background: '#000' } }).composite([
      { input: left.data, left: 0, top: 0 },
      { input: right.data, left: left.info.width, top: 0 },
    ]),
  );
  expect(await reasonOf(collage)).toBe('multiple_faces');
});

test('a downscaled face is too small', async () => {
  expect(await reasonOf(await jpeg(sharp(obama).resize(180)))).toBe('face_too_small');
});

test('a face cut by the image edge has landmarks out of frame', async () => {
  // Cut just below the eyes: the detector still sees the face but places the eyes above the frame.
  const cut = await jpeg(sharp(obama).extract({ left: 0, top: 240, width: 910, height: 1137 - 240 }));
  expect(await reasonOf(cut)).toBe('landmarks_out_of_frame');
});

test('heavy blur is refused', async () => {
  expect(await reasonOf(await jpeg(sharp(obama).blur(10)))).toBe('too_blurry');
});

test('a darkened photo is too dark and a washed-out one too bright', async () => {
  expect(await reasonOf(await jpeg(sharp(obama).linear(0.2, 0)))).toBe('too_dark');
  expect(await reasonOf(await jpeg(sharp(obama).linear(1, 120)))).toBe('too_bright');
});

test('the thresholds can be relaxed per call', async () => {
  const dark = await jpeg(sharp(obama).linear(0.2, 0));
  // Darkening to 20 % also scales the Laplacian's variance by 0.04, under the sharpness gate of the
  // block-averaged crop: both are relaxed.
  const result = await engine.analyse(dark, { minBrightness: 10, minSharpness: 5 });
  expect(result.quality.brightness).toBeLessThan(50);
});

describe('image limits', () => {
  test('bytes that are not an image are unsupported', async () => {
    expect(await reasonOf(Buffer.from('<html>not an image</html>'), FaceImageError)).toBe('unsupported_image');
  });

  test('a format other than JPEG, PNG or WebP is unsupported even if sharp could read it', async () => {
    const gif = await sharp(obama).resize(200).gif().toBuffer();
    const tiff = await sharp(obama).resize(200).tiff().toBuffer();
    expect(await reasonOf(gif, FaceImageError)).toBe('unsupported_image');
    expect(await reasonOf(tiff, FaceImageError)).toBe('unsupported_image');
  });

  test('a truncated JPEG is corrupt', async () => {
    expect(await reasonOf(obama.subarray(0, 2000), FaceImageError)).toBe('corrupt_image');
    expect(await reasonOf(Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0, 0, 0]), FaceImageError)).toBe('corrupt_image');
  });

  test('an upload over the byte limit is too large', async () => {
    const big = Buffer.concat([obama, Buffer.alloc(16 * 1024 * 1024)]);
    expect(await reasonOf(big, FaceImageError)).toBe('image_too_large');
  });

  test('a 50-megapixel image is too large', async () => {
    const huge = await sharp({ create: { width: 8660, height: 5774, channels: 3, background: '#888' } }).jpeg({ quality: 50 }).toBuffer();
    expect(await reasonOf(huge, FaceImageError)).toBe('image_too_large');
  });

  test('a decompression bomb (tiny PNG, 400 megapixels) is refused from its header', async () => {
    const bomb = bilevelPng(20000, 20000);
    expect(bomb.length).toBeLessThan(1024 * 1024);
    const started = performance.now();
    expect(await reasonOf(bomb, FaceImageError)).toBe('image_too_large');
    expect(performance.now() - started).toBeLessThan(1000);
  }, 60_000);

  test('PNG and WebP are accepted', async () => {
    const png = await sharp(obama).png().toBuffer();
    const webp = await sharp(obama).webp({ quality: 90 }).toBuffer();
    expect((await engine.analyse(png)).embedding).toHaveLength(512);
    expect((await engine.analyse(webp)).embedding).toHaveLength(512);
  });
});

// Hostile input to the face pipeline's image decoder (src/face/image/decode.ts): mutated JPEG, PNG
// and WebP derived from the labelled photos in ../shared/faces, with format-aware corruption of
// JPEG markers, PNG chunks and WebP RIFF sizes. Every case decodes to a sane RGB image or is refused
// with a typed FaceImageError (a 4xx at the edge), quickly, and memory stays bounded.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { PassError } from '../../src/core/errors.ts';
import { HTTP_STATUS } from '../../src/http/errors.ts';
import { decodeImage, DEFAULT_DECODE_LIMITS, type DecodeLimits } from '../../src/face/image/decode.ts';
import { fail, fuzz, fuzzPlan, within } from './fuzz-kit.ts';
import { jpegMarker, mutate, pngChunk, webpRiff, type Mutator } from './mutate-bytes.ts';

const FACES = new URL('../../../shared/faces', import.meta.url).pathname;
const plan = fuzzPlan('pass-image-1', 3000);
/** libvips decodes a 40 MP image in well under this on a busy 2-core machine; longer is a hang. */
const CASE_LIMIT_MS = 15_000;
/** Small working side: the decoder's own resize keeps each case fast, as FACE limits do in production. */
const LIMITS: DecodeLimits = { ...DEFAULT_DECODE_LIMITS, maxPixels: 16_000_000, maxWorkingSide: 640 };

interface Seed {
  name: string;
  bytes: Uint8Array;
  aware: Mutator[];
}

const seeds: Seed[] = [];

beforeAll(async () => {
  const full = await readFile(path.join(FACES, 'obama/1.jpg'));
  const other = await readFile(path.join(FACES, 'rose_leslie/1.jpg'));
  const small = sharp(full).resize({ width: 240 });
  const smallOther = sharp(other).resize({ width: 200 });
  const add = (name: string, bytes: Buffer, aware: Mutator[]) => seeds.push({ name, bytes: new Uint8Array(bytes), aware });
  const jpeg = [jpegMarker, jpegMarker];
  const png = [pngChunk, pngChunk];
  const webp = [webpRiff, webpRiff];
  add('jpeg-original', full, jpeg);
  add('jpeg-baseline', await small.clone().jpeg({ quality: 80 }).toBuffer(), jpeg);
  add('jpeg-progressive', await smallOther.clone().jpeg({ progressive: true }).toBuffer(), jpeg);
  add('jpeg-exif-rotated', await small.clone().withMetadata({ orientation: 6 }).jpeg().toBuffer(), jpeg);
  add('jpeg-grey', await small.clone().greyscale().jpeg().toBuffer(), jpeg);
  add('png-rgb', await small.clone().png().toBuffer(), png);
  add('png-rgba', await smallOther.clone().ensureAlpha(0.5).png().toBuffer(), png);
  add('png-palette', await small.clone().png({ palette: true, colours: 16 }).toBuffer(), png);
  add('png-16bit', await smallOther.clone().toColourspace('rgb16').png().toBuffer(), png);
  add('png-interlaced', await small.clone().png({ progressive: true }).toBuffer(), png);
  add('webp-lossy', await small.clone().webp({ quality: 70 }).toBuffer(), webp);
  add('webp-lossless', await smallOther.clone().webp({ lossless: true }).toBuffer(), webp);
  add('webp-alpha', await smallOther.clone().ensureAlpha(0.5).webp().toBuffer(), webp);
  add('webp-exif', await small.clone().withMetadata({ orientation: 3 }).webp().toBuffer(), webp);
}, 60_000);

test('the seed images themselves decode', async () => {
  for (const seed of seeds) {
    const image = await decodeImage(seed.bytes, LIMITS);
    expect(image.width * image.height * 3).toBe(image.data.length);
  }
});

test(`mutated JPEG/PNG/WebP decode or are refused with a typed 4xx (${plan.cases} cases, seed ${plan.seed})`, async () => {
  const outcomes = { decoded: 0, refused: 0 } as Record<string, number>;
  const rssBefore = process.memoryUsage().rss;
  let slowest = 0;
  const result = await fuzz('image', plan, async (rng, log) => {
    const seed = rng.pick(seeds);
    log.note(seed.name);
    // Now and then a part of another format spliced in: decoders that trust the magic bytes trip on it.
    const input = rng.chance(0.05) ? new Uint8Array([...seed.bytes.subarray(0, 64), ...rng.pick(seeds).bytes.subarray(64)]) : mutate(rng, seed.bytes, log, seed.aware);
    const started = performance.now();
    try {
      const image = await within(CASE_LIMIT_MS, 'decodeImage', decodeImage(input, LIMITS));
      if (!(image.width > 0 && image.height > 0 && image.width <= LIMITS.maxWorkingSide && image.height <= LIMITS.maxWorkingSide)) {
        fail(`decoded to an impossible size ${image.width}x${image.height}`);
      }
      if (image.data.length !== image.width * image.height * 3) fail(`decoded ${image.data.length} bytes for ${image.width}x${image.height} RGB`);
      outcomes.decoded! += 1;
    } catch (error) {
      if (!(error instanceof PassError)) throw error;
      const status = HTTP_STATUS[error.code];
      if (status < 400 || status >= 500) fail(`refused as ${error.code}/${error.reason}, a ${status}`);
      outcomes[error.reason] = (outcomes[error.reason] ?? 0) + 1;
      outcomes.refused! += 1;
    } finally {
      slowest = Math.max(slowest, performance.now() - started);
    }
  });
  const grewMb = Math.round((process.memoryUsage().rss - rssBefore) / 1e6);
  console.log(`image fuzz: ${result.cases} cases in ${result.ms} ms, slowest ${Math.round(slowest)} ms, rss +${grewMb} MB`, outcomes);
  if (plan.only === undefined) {
    // Both sides are reached: some mutations still decode, most are refused.
    expect(outcomes.decoded).toBeGreaterThan(plan.cases / 20);
    expect(outcomes.refused).toBeGreaterThan(plan.cases / 20);
    // Decompression bombs and leaks: the process must not have grown without bound.
    expect(grewMb).toBeLessThan(1024);
  }
}, 120_000);

// Hostile JPEG 2000 to the card-photo decoder (src/face/card-photo/): codestreams and JP2 files made
// from a face in ../shared/faces, mutated with generic byte mutations and with ones that know the
// format — marker segment lengths, SIZ sizes and tiles, COD decomposition levels, code-block sizes
// and layers, tile-part lengths, the entropy-coded data, JP2 box lengths and types. Every case
// decodes to a sane RGB image within the card-photo limits or is refused with the typed
// FaceCardPhotoError (`card_photo_unreadable`, a 422), quickly; and OpenJPEG stays usable after.
import sharp from 'sharp';
import { PassError } from '../../src/core/errors.ts';
import { CARD_PHOTO_LIMITS } from '../../src/face/card-photo/codestream.ts';
import { decodeCardPhoto } from '../../src/face/card-photo/decode-card-photo.ts';
import { FaceCardPhotoError } from '../../src/face/errors.ts';
import { encodeJ2k, jp2 } from '../helpers/jpeg2000.ts';
import { fail, fuzz, fuzzPlan, type CaseLog, type Rng } from './fuzz-kit.ts';
import { bitFlip, mutate, type Mutator } from './mutate-bytes.ts';

const FACE = new URL('../../../shared/faces/obama/1.jpg', import.meta.url).pathname;
const plan = fuzzPlan('pass-jpeg2000-1', 1500);
/** A decode of a card-sized photo takes milliseconds; OpenJPEG runs synchronously, so this is checked after the fact. */
const CASE_LIMIT_MS = 2_000;

interface Seed {
  name: string;
  bytes: Uint8Array;
}

const seeds: Seed[] = [];

beforeAll(async () => {
  const [w, h] = [96, 128];
  const grey = new Uint8Array(await sharp(FACE).resize(w, h, { fit: 'cover' }).greyscale().raw().toBuffer());
  const rgb = new Uint8Array(await sharp(FACE).resize(w, h, { fit: 'cover' }).removeAlpha().raw().toBuffer());
  seeds.push(
    { name: 'grey-lossless', bytes: await encodeJ2k(grey, w, h, 1) },
    { name: 'colour-lossy', bytes: await encodeJ2k(rgb, w, h, 3, { lossy: true }) },
    { name: 'colour-tiled', bytes: await encodeJ2k(rgb, w, h, 3, { tile: 32, decompositions: 2 }) },
    { name: 'grey-rpcl', bytes: await encodeJ2k(grey, w, h, 1, { progression: 2, decompositions: 3 }) },
    { name: 'jp2-colour', bytes: jp2(await encodeJ2k(rgb, w, h, 3), w, h, 3) },
    { name: 'jp2-grey-lossy', bytes: jp2(await encodeJ2k(grey, w, h, 1, { lossy: true }), w, h, 1) },
  );
}, 60_000);

// ---------------------------------------------------------------- format-aware mutators

interface Segment {
  at: number;
  marker: number;
  /** Offset of the 2-byte length (segment content follows it). */
  lengthAt: number;
  length: number;
}

/** Where the codestream starts: after the jp2c box header in a JP2 file. */
function codestreamStart(bytes: Uint8Array): number {
  for (let i = 0; i + 4 <= bytes.length; i++) if (bytes[i] === 0xff && bytes[i + 1] === 0x4f && bytes[i + 2] === 0xff && bytes[i + 3] === 0x51) return i;
  return -1;
}

/** The main header's and tile-part headers' marker segments, as far as they can be walked. */
function segments(bytes: Uint8Array): Segment[] {
  const out: Segment[] = [];
  const start = codestreamStart(bytes);
  if (start < 0) return out;
  let pos = start + 2;
  const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  while (pos + 4 <= bytes.length && out.length < 200) {
    if (bytes[pos] !== 0xff) break;
    const marker = view.readUInt16BE(pos);
    if (marker === 0xffd9) break;
    if (marker === 0xff93) {
      // SOD: the tile-part's data runs to the next SOT (skipped by the SOT's Psot below).
      break;
    }
    const length = view.readUInt16BE(pos + 2);
    out.push({ at: pos, marker, lengthAt: pos + 2, length });
    if (marker === 0xff90 && pos + 10 <= bytes.length) {
      const psot = view.readUInt32BE(pos + 6);
      // Tile-part headers follow their SOT; jump to the next tile-part when Psot says where it is.
      let inner = pos + 2 + length;
      while (inner + 4 <= bytes.length && bytes[inner] === 0xff && view.readUInt16BE(inner) !== 0xff93 && out.length < 200) {
        const l = view.readUInt16BE(inner + 2);
        out.push({ at: inner, marker: view.readUInt16BE(inner), lengthAt: inner + 2, length: l });
        inner += 2 + l;
      }
      if (psot === 0) break;
      pos += psot;
      continue;
    }
    pos += 2 + length;
  }
  return out;
}

const INTERESTING_16 = [0, 1, 2, 3, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xfffe, 0xffff];
const INTERESTING_32 = [0, 1, 2, 31, 32, 33, 95, 96, 97, 127, 128, 129, 300, 400, 1023, 1024, 1025, 0x7fff, 0x10000, 0x7fffffff, 0xffffffff];

/** One marker segment: its length, its marker code, or a field of SIZ, COD, QCD or SOT. */
const j2kSegment: Mutator = (rng, input, log) => {
  const all = segments(input);
  if (!all.length) return bitFlip(rng, input, log);
  const out = Buffer.from(input);
  const seg = rng.pick(all);
  const op = rng.int(4);
  const content = seg.lengthAt + 2;
  const end = Math.min(out.length, seg.lengthAt + seg.length);
  const writable = (at: number, n: number) => at + n <= end;
  if (op === 0) {
    out.writeUInt16BE(rng.pick([...INTERESTING_16, seg.length + 1, Math.max(0, seg.length - 1)]) & 0xffff, seg.lengthAt);
    log.note(`segment-length ${seg.marker.toString(16)}@${seg.at}`);
  } else if (op === 1) {
    out.writeUInt16BE(rng.pick([0xff51, 0xff52, 0xff53, 0xff5c, 0xff5d, 0xff5e, 0xff5f, 0xff55, 0xff57, 0xff60, 0xff61, 0xff63, 0xff64, 0xff90, 0xff93, 0xffd9, 0xff4f, 0xff00]), seg.at);
    log.note(`segment-marker ${seg.marker.toString(16)}@${seg.at}`);
  } else if (seg.marker === 0xff51) {
    // SIZ: Rsiz, sizes, offsets, tiles, Csiz, then Ssiz/XRsiz/YRsiz per component.
    const field = rng.int(12);
    if (field < 8 && writable(content + 2 + 4 * field, 4)) out.writeUInt32BE(rng.pick(INTERESTING_32) >>> 0, content + 2 + 4 * field);
    else if (field === 8 && writable(content + 34, 2)) out.writeUInt16BE(rng.pick([0, 1, 2, 3, 4, 5, 255, 16384]), content + 34);
    else if (field === 9 && writable(content + 36, 1)) out[content + 36] = rng.pick([0x00, 0x07, 0x08, 0x0f, 0x87, 0x25, 0xff]);
    else if (writable(content + 37, 2)) out[content + 37 + rng.int(2)] = rng.pick([0, 1, 2, 4, 255]);
    log.note(`siz field ${field}`);
  } else if (seg.marker === 0xff52 && writable(content, 10)) {
    // COD: Scod, progression, layers, MCT, decomposition levels, code-block w/h, style, transform.
    const field = rng.int(8);
    const at = [content, content + 1, content + 2, content + 4, content + 5, content + 6, content + 7, content + 9][field]!;
    if (field === 2) out.writeUInt16BE(rng.pick([0, 1, 2, 0xffff, 0x8000]), at);
    else out[at] = rng.pick([0, 1, 2, 5, 8, 10, 15, 32, 33, 0x7f, 0xff]);
    log.note(`cod field ${field}`);
  } else if (seg.marker === 0xff90 && writable(content, 8)) {
    // SOT: tile index, Psot, TPsot, TNsot.
    const field = rng.int(4);
    if (field === 0) out.writeUInt16BE(rng.pick([0, 1, 3, 9, 0xffff]), content);
    else if (field === 1) out.writeUInt32BE(rng.pick([0, 1, 14, 0x100, 0xffff, 0x7fffffff, 0xffffffff]) >>> 0, content + 2);
    else out[content + 4 + field] = rng.pick([0, 1, 2, 0xff]);
    log.note(`sot field ${field}`);
  } else if (end > content) {
    // Any other segment (QCD, COM, …): its bytes.
    const n = rng.range(1, 8);
    for (let i = 0; i < n; i++) out[content + rng.int(end - content)] = rng.int(256);
    log.note(`segment-content ${seg.marker.toString(16)}`);
  }
  return new Uint8Array(out);
};

/** The entropy-coded data: bytes changed, a marker-like 0xFF 0x9x dropped in, or cut. */
const j2kData: Mutator = (rng, input, log) => {
  const all = segments(input);
  const last = all.at(-1);
  const from = last ? Math.min(input.length - 1, last.lengthAt + last.length + 2) : Math.floor(input.length / 3);
  if (from >= input.length - 2) return bitFlip(rng, input, log);
  const out = input.slice();
  const at = from + rng.int(out.length - from - 2);
  const op = rng.int(3);
  if (op === 0) for (let i = 0; i < rng.range(1, 16); i++) out[from + rng.int(out.length - from)] = rng.int(256);
  else if (op === 1) out.set([0xff, rng.pick([0x90, 0x91, 0x92, 0x93, 0xd9, 0xff])], at);
  else return out.slice(0, at);
  log.note(`data op ${op}@${at}`);
  return out;
};

/** A JP2 box: its length (LBox 0, 1 with XLBox, too long, too short) or its type. */
const jp2Box: Mutator = (rng, input, log) => {
  if (codestreamStart(input) <= 0) return bitFlip(rng, input, log);
  const boxes: number[] = [];
  const view = Buffer.from(input);
  for (let pos = 0; pos + 8 <= input.length && boxes.length < 16; ) {
    boxes.push(pos);
    const length = view.readUInt32BE(pos);
    const type = view.toString('latin1', pos + 4, pos + 8);
    if (length < 8) break;
    // Into the header super-box, so ihdr and colr are reached too.
    pos += type === 'jp2h' ? 8 : length;
  }
  const at = rng.pick(boxes);
  if (rng.chance(0.6)) view.writeUInt32BE(rng.pick([0, 1, 7, 8, 9, 0x7fffffff, 0xffffffff, view.readUInt32BE(at) + 1, view.readUInt32BE(at) - 1]) >>> 0, at);
  else view.write(rng.pick(['jP  ', 'ftyp', 'jp2h', 'ihdr', 'colr', 'jp2c', 'xml ', 'uuid', 'zzzz']), at + 4, 'latin1');
  log.note(`jp2-box@${at}`);
  return new Uint8Array(view);
};

const AWARE: Mutator[] = [j2kSegment, j2kSegment, j2kData, jp2Box];

// ---------------------------------------------------------------- the runs

test('the seeds decode', async () => {
  for (const seed of seeds) expect((await decodeCardPhoto(seed.bytes)).width).toBe(96);
});

test(`mutated JPEG 2000 decodes within the limits or is refused card_photo_unreadable (${plan.cases} cases, seed ${plan.seed})`, async () => {
  const outcomes: Record<string, number> = { decoded: 0, refused: 0 };
  const rssBefore = process.memoryUsage().rss;
  let slowest = 0;
  const result = await fuzz('jpeg2000', plan, async (rng: Rng, log: CaseLog) => {
    const seed = rng.pick(seeds);
    log.note(seed.name);
    const input = mutate(rng, seed.bytes, log, AWARE);
    const started = performance.now();
    try {
      const image = await decodeCardPhoto(input);
      const { width, height } = image;
      if (!(width > 0 && height > 0 && width <= CARD_PHOTO_LIMITS.maxSide && height <= CARD_PHOTO_LIMITS.maxSide && width * height <= CARD_PHOTO_LIMITS.maxPixels)) {
        fail(`decoded to an impossible size ${width}x${height}`);
      }
      if (image.data.length !== width * height * 3) fail(`decoded ${image.data.length} bytes for ${width}x${height} RGB`);
      outcomes.decoded! += 1;
    } catch (error) {
      if (!(error instanceof FaceCardPhotoError) || error.reason !== 'card_photo_unreadable' || error.status !== 422) {
        if (error instanceof PassError) fail(`refused as ${error.code}/${error.reason} (${error.status})`);
        throw error;
      }
      outcomes.refused! += 1;
      // Both guards are reached: the header checks before OpenJPEG, and OpenJPEG's own refusals.
      const by = error.message.startsWith('the card photo could not be decoded') ? 'by the decoder' : 'by the header';
      outcomes[by] = (outcomes[by] ?? 0) + 1;
    } finally {
      const ms = performance.now() - started;
      slowest = Math.max(slowest, ms);
      if (ms > CASE_LIMIT_MS) fail(`took ${Math.round(ms)} ms`);
    }
  });
  const grewMb = Math.round((process.memoryUsage().rss - rssBefore) / 1e6);
  console.log(`jpeg2000 fuzz: ${result.cases} cases in ${result.ms} ms, slowest ${Math.round(slowest)} ms, rss +${grewMb} MB`, outcomes);
  if (plan.only === undefined) {
    expect(outcomes.decoded).toBeGreaterThan(plan.cases / 20);
    expect(outcomes['by the header']).toBeGreaterThan(plan.cases / 20);
    expect(outcomes['by the decoder']).toBeGreaterThan(plan.cases / 20);
    expect(grewMb).toBeLessThan(1024);
  }
  // OpenJPEG is still sound after every abort and refusal.
  for (const seed of seeds) expect((await decodeCardPhoto(seed.bytes)).height).toBe(128);
}, 120_000);

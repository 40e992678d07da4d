// Byte-level mutators: generic ones (bit flips, insertions, deletions, truncation, interesting
// values) and format-aware ones that reach past the first sanity check of a parser: DER length
// fields, PNG chunks (with the CRC fixed up), JPEG markers and segment lengths, WebP RIFF sizes.
import { crc32 } from 'node:zlib';
import type { CaseLog, Rng } from './fuzz-kit.ts';

export type Mutator = (rng: Rng, input: Uint8Array, log: CaseLog) => Uint8Array;

const INTERESTING_8 = [0x00, 0x01, 0x7f, 0x80, 0x81, 0xfe, 0xff];
const INTERESTING_32 = [0, 1, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff];

function splice(input: Uint8Array, at: number, remove: number, insert: Uint8Array = new Uint8Array()): Uint8Array {
  const out = new Uint8Array(input.length - remove + insert.length);
  out.set(input.subarray(0, at), 0);
  out.set(insert, at);
  out.set(input.subarray(at + remove), at + insert.length);
  return out;
}

export const bitFlip: Mutator = (rng, input, log) => {
  const out = input.slice();
  if (out.length === 0) return out;
  const flips = rng.range(1, 8);
  for (let i = 0; i < flips; i += 1) {
    const at = rng.int(out.length);
    const bit = rng.int(8);
    out[at]! ^= 1 << bit;
    log.note(`bitflip@${at}.${bit}`);
  }
  return out;
};

export const interestingByte: Mutator = (rng, input, log) => {
  const out = input.slice();
  if (out.length === 0) return out;
  const at = rng.int(out.length);
  out[at] = rng.pick(INTERESTING_8);
  log.note(`byte@${at}=${out[at]}`);
  return out;
};

export const insertBytes: Mutator = (rng, input, log) => {
  const at = rng.int(input.length + 1);
  const n = rng.pick([1, 2, 4, 16, 255, 4096]);
  const fill = rng.chance(0.5) ? rng.bytes(n) : new Uint8Array(n).fill(rng.pick(INTERESTING_8));
  log.note(`insert@${at}+${n}`);
  return splice(input, at, 0, fill);
};

export const deleteBytes: Mutator = (rng, input, log) => {
  if (input.length === 0) return input;
  const at = rng.int(input.length);
  const n = Math.min(input.length - at, rng.pick([1, 2, 4, 16, 256, 4096]));
  log.note(`delete@${at}-${n}`);
  return splice(input, at, n);
};

export const truncate: Mutator = (rng, input, log) => {
  const at = rng.int(input.length + 1);
  log.note(`truncate@${at}`);
  return input.slice(0, at);
};

export const duplicateRange: Mutator = (rng, input, log) => {
  if (input.length === 0) return input;
  const at = rng.int(input.length);
  const n = Math.min(input.length - at, rng.range(1, 512));
  const to = rng.int(input.length + 1);
  log.note(`dup@${at}+${n}->${to}`);
  return splice(input, to, 0, input.slice(at, at + n));
};

export const GENERIC: Mutator[] = [bitFlip, interestingByte, insertBytes, deleteBytes, truncate, duplicateRange];

/** Applies 1–3 of the given mutators (weighted towards the format-aware ones the caller lists first). */
export function mutate(rng: Rng, input: Uint8Array, log: CaseLog, aware: Mutator[] = []): Uint8Array {
  let out = input;
  const rounds = rng.weighted([[6, 1], [3, 2], [1, 3]] as const);
  for (let i = 0; i < rounds; i += 1) {
    const m = aware.length && rng.chance(0.6) ? rng.pick(aware) : rng.pick(GENERIC);
    out = m(rng, out, log);
  }
  return out;
}

// ---------------------------------------------------------------- DER

interface Tlv {
  /** Offset of the tag byte. */
  at: number;
  /** Offset of the first length byte. */
  lengthAt: number;
  lengthBytes: number;
  contentAt: number;
  length: number;
  constructed: boolean;
}

/** A lenient TLV walk (the parser under test is the strict one): every header it can find. */
export function derHeaders(der: Uint8Array, start = 0, end = der.length, depth = 0, out: Tlv[] = []): Tlv[] {
  let pos = start;
  while (pos + 2 <= end && depth < 40 && out.length < 5000) {
    const at = pos;
    const constructed = (der[pos]! & 0x20) !== 0;
    if ((der[pos]! & 0x1f) === 0x1f) return out;
    pos += 1;
    const lengthAt = pos;
    const first = der[pos++]!;
    let length = first;
    let lengthBytes = 1;
    if (first & 0x80) {
      const n = first & 0x7f;
      if (n === 0 || n > 4 || pos + n > end) return out;
      length = 0;
      for (let i = 0; i < n; i += 1) length = length * 256 + der[pos++]!;
      lengthBytes = 1 + n;
    }
    if (pos + length > end) return out;
    out.push({ at, lengthAt, lengthBytes, contentAt: pos, length, constructed });
    if (constructed) derHeaders(der, pos, pos + length, depth + 1, out);
    pos += length;
  }
  return out;
}

function encodeLength(n: number): Uint8Array {
  if (n < 0x80) return Uint8Array.of(n);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v % 256);
  return Uint8Array.of(0x80 | bytes.length, ...bytes);
}

/** Rewrites one length field: off by one, zero, huge, indefinite, non-minimal, or a lie about 4 bytes. */
export const derLength: Mutator = (rng, input, log) => {
  const headers = derHeaders(input);
  if (!headers.length) return bitFlip(rng, input, log);
  const h = rng.pick(headers);
  const choice = rng.int(7);
  let replacement: Uint8Array;
  switch (choice) {
    case 0: replacement = encodeLength(h.length + 1); break;
    case 1: replacement = encodeLength(Math.max(0, h.length - 1)); break;
    case 2: replacement = encodeLength(0); break;
    case 3: replacement = Uint8Array.of(0x80); break; // indefinite (BER only)
    case 4: replacement = Uint8Array.of(0x82, (h.length >> 8) & 0xff, h.length & 0xff); break; // maybe non-minimal
    case 5: replacement = Uint8Array.of(0x84, 0xff, 0xff, 0xff, 0xff); break;
    default: replacement = Uint8Array.of(0x85, 1, 0, 0, 0, 0); break;
  }
  log.note(`der-length@${h.lengthAt} ${h.length}->${Buffer.from(replacement).toString('hex')}`);
  return splice(input, h.lengthAt, h.lengthBytes, replacement);
};

/** Changes a tag: another universal type, the constructed bit, a context tag, a high tag number. */
export const derTag: Mutator = (rng, input, log) => {
  const headers = derHeaders(input);
  if (!headers.length) return bitFlip(rng, input, log);
  const h = rng.pick(headers);
  const out = input.slice();
  const old = out[h.at]!;
  out[h.at] = rng.pick([old ^ 0x20, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x0c, 0x13, 0x16, 0x17, 0x18, 0x1e, 0x30, 0x31, 0xa0, 0xa3, 0x00, 0x1f]);
  log.note(`der-tag@${h.at} ${old.toString(16)}->${out[h.at]!.toString(16)}`);
  return out;
};

/** Drops, repeats or swaps whole elements: structure that is well-formed DER but the wrong shape. */
export const derElement: Mutator = (rng, input, log) => {
  const headers = derHeaders(input).filter((h) => h.at > 0);
  if (!headers.length) return bitFlip(rng, input, log);
  const h = rng.pick(headers);
  const whole = input.slice(h.at, h.contentAt + h.length);
  const op = rng.int(3);
  log.note(`der-element@${h.at} ${['drop', 'repeat', 'nest'][op]}`);
  if (op === 0) return splice(input, h.at, whole.length);
  if (op === 1) return splice(input, h.at, 0, whole);
  // Wrapped in another SEQUENCE: deeper nesting than the schema expects.
  return splice(input, h.at, whole.length, Uint8Array.of(0x30, ...encodeLength(whole.length), ...whole));
};

/** Fills one primitive value with other bytes (times, strings, integers, OIDs). */
export const derContent: Mutator = (rng, input, log) => {
  const headers = derHeaders(input).filter((h) => !h.constructed && h.length > 0);
  if (!headers.length) return bitFlip(rng, input, log);
  const h = rng.pick(headers);
  const out = input.slice();
  const n = rng.range(1, Math.min(8, h.length));
  for (let i = 0; i < n; i += 1) out[h.contentAt + rng.int(h.length)] = rng.chance(0.5) ? rng.int(256) : rng.pick([0x00, 0x80, 0xff, 0x30, 0x5a]);
  log.note(`der-content@${h.contentAt}+${h.length}`);
  return out;
};

export const DER_AWARE: Mutator[] = [derLength, derLength, derTag, derElement, derContent];

/** DER of a SEQUENCE around the given parts (for re-signed certificates). */
export function derSequence(parts: Uint8Array[]): Uint8Array {
  const body = Buffer.concat(parts);
  return Uint8Array.from(Buffer.concat([Uint8Array.of(0x30), encodeLength(body.length), body]));
}

export function derBitString(bytes: Uint8Array): Uint8Array {
  return Uint8Array.from(Buffer.concat([Uint8Array.of(0x03), encodeLength(bytes.length + 1), Uint8Array.of(0), bytes]));
}

// ---------------------------------------------------------------- PNG

interface Chunk {
  at: number;
  length: number;
  type: string;
}

function pngChunks(png: Uint8Array): Chunk[] {
  const chunks: Chunk[] = [];
  const view = Buffer.from(png.buffer, png.byteOffset, png.length);
  let pos = 8;
  while (pos + 12 <= png.length) {
    const length = view.readUInt32BE(pos);
    const type = view.toString('latin1', pos + 4, pos + 8);
    chunks.push({ at: pos, length, type });
    if (pos + 12 + length > png.length) break;
    pos += 12 + length;
  }
  return chunks;
}

function fixCrc(out: Buffer, chunk: Chunk): void {
  const end = chunk.at + 8 + chunk.length;
  if (end + 4 <= out.length) out.writeUInt32BE(crc32(out.subarray(chunk.at + 4, end)) >>> 0, end);
}

/** Corrupts one chunk: its length, its type, its data (CRC fixed so the decoder looks inside), IHDR sizes. */
export const pngChunk: Mutator = (rng, input, log) => {
  const chunks = pngChunks(input);
  if (!chunks.length) return bitFlip(rng, input, log);
  const out = Buffer.from(input);
  const chunk = rng.chance(0.3) ? chunks[0]! : rng.pick(chunks);
  const op = rng.int(6);
  if (op === 0) {
    const value = rng.pick(INTERESTING_32);
    out.writeUInt32BE(value >>> 0, chunk.at);
    log.note(`png-length ${chunk.type}@${chunk.at}=${value}`);
  } else if (op === 1) {
    out.write(rng.pick(['IHDR', 'IDAT', 'IEND', 'PLTE', 'tRNS', 'eXIf', 'acTL', 'zzzz', 'iCCP', 'zTXt']), chunk.at + 4, 'latin1');
    fixCrc(out, chunk);
    log.note(`png-type ${chunk.type}@${chunk.at}`);
  } else if (op === 2 && chunk.type === 'IHDR' && chunk.length >= 13) {
    const field = rng.int(7);
    if (field < 2) out.writeUInt32BE(rng.pick([0, 1, 0x7fffffff, 0x80000000, 65535, 100000, 16384]), chunk.at + 8 + field * 4);
    else out[chunk.at + 8 + 6 + field] = rng.pick([0, 1, 2, 3, 4, 6, 8, 16, 255]);
    fixCrc(out, chunk);
    log.note(`png-ihdr field ${field}`);
  } else if (op === 3 && chunk.length > 0) {
    const n = rng.range(1, 16);
    for (let i = 0; i < n; i += 1) out[chunk.at + 8 + rng.int(chunk.length)] = rng.int(256);
    fixCrc(out, chunk);
    log.note(`png-data ${chunk.type}@${chunk.at} x${n}`);
  } else if (op === 4) {
    const whole = out.subarray(chunk.at, Math.min(out.length, chunk.at + 12 + chunk.length));
    log.note(`png-drop ${chunk.type}@${chunk.at}`);
    return splice(input, chunk.at, whole.length);
  } else {
    out.writeUInt32BE(rng.int(0x100000000) >>> 0, Math.min(out.length - 4, chunk.at + 8 + chunk.length));
    log.note(`png-crc ${chunk.type}`);
  }
  return new Uint8Array(out);
};

// ---------------------------------------------------------------- JPEG

interface Segment {
  at: number;
  marker: number;
  /** Offset of the 2-byte length, or -1 for markers without one. */
  lengthAt: number;
  length: number;
}

function jpegSegments(jpeg: Uint8Array): Segment[] {
  const segments: Segment[] = [];
  let pos = 2;
  while (pos + 4 <= jpeg.length && segments.length < 200) {
    if (jpeg[pos] !== 0xff) break;
    const marker = jpeg[pos + 1]!;
    if (marker === 0xd9) break;
    const length = (jpeg[pos + 2]! << 8) | jpeg[pos + 3]!;
    segments.push({ at: pos, marker, lengthAt: pos + 2, length });
    if (marker === 0xda) break; // entropy-coded data follows
    pos += 2 + length;
  }
  return segments;
}

/** Corrupts a marker, a segment length, SOF dimensions and components, or EXIF (APP1) internals. */
export const jpegMarker: Mutator = (rng, input, log) => {
  const segments = jpegSegments(input);
  if (!segments.length) return bitFlip(rng, input, log);
  const out = Buffer.from(input);
  const seg = rng.pick(segments);
  const op = rng.int(6);
  const sof = segments.find((s) => s.marker >= 0xc0 && s.marker <= 0xcf && s.marker !== 0xc4 && s.marker !== 0xc8 && s.marker !== 0xcc);
  const app1 = segments.find((s) => s.marker === 0xe1);
  if (op === 0) {
    out[seg.at + 1] = rng.pick([0xc0, 0xc1, 0xc2, 0xc3, 0xc4, 0xd8, 0xd9, 0xda, 0xdb, 0xdd, 0xe1, 0xfe, 0x00, 0xff, 0x01]);
    log.note(`jpeg-marker@${seg.at} ${seg.marker.toString(16)}->${out[seg.at + 1]!.toString(16)}`);
  } else if (op === 1) {
    out.writeUInt16BE(rng.pick([0, 1, 2, 3, seg.length - 1, seg.length + 1, 0x7fff, 0xffff]) & 0xffff, seg.lengthAt);
    log.note(`jpeg-length@${seg.lengthAt} ${seg.length}`);
  } else if (op === 2 && sof) {
    const field = rng.int(4);
    if (field === 0) out.writeUInt16BE(rng.pick([0, 1, 0xffff, 0x8000, 65500]), sof.at + 5);
    else if (field === 1) out.writeUInt16BE(rng.pick([0, 1, 0xffff, 0x8000, 65500]), sof.at + 7);
    else if (field === 2) out[sof.at + 9] = rng.pick([0, 1, 2, 4, 5, 255]);
    else out[sof.at + 4] = rng.pick([0, 1, 7, 12, 16, 255]);
    log.note(`jpeg-sof field ${field}`);
  } else if (op === 3 && app1 && app1.length > 16) {
    // EXIF/TIFF internals: IFD entry counts, offsets, the orientation value.
    const n = rng.range(1, 8);
    for (let i = 0; i < n; i += 1) {
      const at = app1.at + 4 + rng.int(app1.length - 2);
      out[at] = rng.pick([0x00, 0x01, 0x06, 0x08, 0x09, 0x7f, 0xff]);
    }
    log.note(`jpeg-exif x${n}`);
  } else if (op === 4) {
    const scan = segments.find((s) => s.marker === 0xda);
    const from = scan ? scan.at + 2 + scan.length : Math.floor(input.length / 2);
    const to = from + rng.int(Math.max(1, input.length - from));
    log.note(`jpeg-cut-scan@${to}`);
    return rng.chance(0.5) ? input.slice(0, to) : splice(input, to, Math.min(64, input.length - to), rng.bytes(64));
  } else {
    // A bogus segment before the frame.
    const bogus = Buffer.alloc(4 + 16);
    bogus[0] = 0xff;
    bogus[1] = rng.pick([0xe1, 0xe2, 0xfe, 0xdb, 0xc4, 0xdd]);
    bogus.writeUInt16BE(rng.pick([18, 2, 0xffff]), 2);
    log.note(`jpeg-insert-segment ${bogus[1]!.toString(16)}`);
    return splice(input, 2, 0, bogus);
  }
  return new Uint8Array(out);
};

// ---------------------------------------------------------------- WebP

/** Corrupts the RIFF size, a chunk size or type, or the VP8/VP8L/VP8X canvas size. */
export const webpRiff: Mutator = (rng, input, log) => {
  if (input.length < 20) return bitFlip(rng, input, log);
  const out = Buffer.from(input);
  const chunks: Chunk[] = [];
  for (let pos = 12; pos + 8 <= out.length && chunks.length < 32; ) {
    const length = out.readUInt32LE(pos + 4);
    chunks.push({ at: pos, length, type: out.toString('latin1', pos, pos + 4) });
    pos += 8 + length + (length & 1);
  }
  const op = rng.int(4);
  if (op === 0 || !chunks.length) {
    const value = rng.pick(INTERESTING_32);
    out.writeUInt32LE(value >>> 0, 4);
    log.note(`webp-riff-size=${value}`);
  } else if (op === 1) {
    const c = rng.pick(chunks);
    const value = rng.pick([...INTERESTING_32, c.length + 1, Math.max(0, c.length - 1)]);
    out.writeUInt32LE(value >>> 0, c.at + 4);
    log.note(`webp-chunk-size ${c.type}=${value}`);
  } else if (op === 2) {
    const c = rng.pick(chunks);
    out.write(rng.pick(['VP8 ', 'VP8L', 'VP8X', 'ALPH', 'ANIM', 'ANMF', 'EXIF', 'ICCP', 'XMP ']), c.at, 'latin1');
    log.note(`webp-chunk-type ${c.type}`);
  } else {
    const c = rng.pick(chunks);
    // Canvas sizes: VP8X at +12 (24-bit minus one), VP8L at +9 (14-bit fields), VP8 at +14/+16.
    const at = c.type === 'VP8X' ? c.at + 12 : c.type === 'VP8L' ? c.at + 9 : c.at + 14;
    for (let i = 0; i < 4 && at + i < out.length; i += 1) out[at + i] = rng.pick([0x00, 0xff, 0x3f, 0x7f]);
    log.note(`webp-canvas ${c.type}`);
  }
  return new Uint8Array(out);
};

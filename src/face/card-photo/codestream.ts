/**
 * Reading a card photo's JPEG 2000 headers before any pixel is decoded (ITU-T T.800 Annex A, the
 * codestream; Annex I, the JP2 boxes around it). The photo comes from a card, through a kiosk and
 * its bridge: every length is checked against the bytes at hand, and the image the SIZ segment
 * declares is held to what a My Number Card photo can be, so a "bomb" (a few bytes that declare
 * 60000×60000 pixels or a million tiles) is refused here and never reaches the decoder.
 */
import { FaceCardPhotoError } from '../errors.ts';

export interface CardPhotoLimits {
  /** The largest photo accepted, in bytes (the card's whole surface record is at most 32 KiB). */
  maxBytes: number;
  /** The longest side the SIZ segment may declare, in pixels. */
  maxSide: number;
  /** The most pixels it may declare: a card photo is about 300×400. */
  maxPixels: number;
  /** The most tiles: a card photo is one tile; each tile costs the decoder a pass of its own. */
  maxTiles: number;
}

export const CARD_PHOTO_LIMITS: CardPhotoLimits = {
  maxBytes: 256 * 1024,
  maxSide: 1024,
  maxPixels: 1024 * 1024,
  maxTiles: 64,
};

/** The colour space the JP2 `colr` box names (enumerated methods only); a bare codestream names none. */
export type CardPhotoColour = 'srgb' | 'greyscale' | 'sycc' | 'unspecified';

export interface CardPhotoHeader {
  /** The bare codestream (SOC onwards): the JP2 boxes around it are read here and go no further. */
  codestream: Uint8Array;
  width: number;
  height: number;
  components: number;
  /** Bits per sample, the same for every component. */
  bitDepth: number;
  tiles: number;
  colour: CardPhotoColour;
}

const unreadable = (why: string, details?: Record<string, unknown>) => new FaceCardPhotoError(why, details);

const JP2_SIGNATURE = [0x00, 0x00, 0x00, 0x0c, 0x6a, 0x50, 0x20, 0x20, 0x0d, 0x0a, 0x87, 0x0a];
const SOC = 0xff4f;
const SIZ = 0xff51;
/** Lsiz without the per-component part (T.800 Table A.9). */
const SIZ_FIXED_LENGTH = 38;
const MAX_BOXES = 64;

/** The codestream and what its SIZ segment declares, or a typed refusal; never decodes. */
export function readCardPhotoHeader(bytes: Uint8Array, limits: CardPhotoLimits = CARD_PHOTO_LIMITS): CardPhotoHeader {
  if (!(bytes instanceof Uint8Array) || bytes.length === 0) throw unreadable('the card photo is empty');
  if (bytes.length > limits.maxBytes) throw unreadable(`the card photo is ${bytes.length} bytes; the limit is ${limits.maxBytes}`, { bytes: bytes.length, maxBytes: limits.maxBytes });
  const isJp2 = bytes.length >= JP2_SIGNATURE.length && JP2_SIGNATURE.every((b, i) => bytes[i] === b);
  const { codestream, colour } = isJp2 ? readJp2(bytes) : { codestream: bytes, colour: 'unspecified' as const };
  return { codestream, colour, ...readSiz(codestream, limits) };
}

function u16(bytes: Uint8Array, at: number): number {
  return (bytes[at]! << 8) | bytes[at + 1]!;
}

function u32(bytes: Uint8Array, at: number): number {
  return ((bytes[at]! << 24) >>> 0) + ((bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!);
}

function readSiz(cs: Uint8Array, limits: CardPhotoLimits): Omit<CardPhotoHeader, 'codestream' | 'colour'> {
  // SOC, then SIZ at once: T.800 A.5.1 allows nothing between them.
  if (cs.length < 4 || u16(cs, 0) !== SOC || u16(cs, 2) !== SIZ) throw unreadable('the card photo is not a JPEG 2000 codestream');
  if (cs.length < 4 + SIZ_FIXED_LENGTH + 3) throw unreadable('the card photo ends inside its SIZ segment');
  const lsiz = u16(cs, 4);
  const components = u16(cs, 40);
  if (components < 1 || components > 4) throw unreadable(`the card photo has ${components} components; 1 to 4 are accepted`, { components });
  if (lsiz !== SIZ_FIXED_LENGTH + 3 * components) throw unreadable('the card photo has a SIZ segment of the wrong length');
  if (cs.length < 4 + lsiz) throw unreadable('the card photo ends inside its SIZ segment');
  const [xsiz, ysiz, x0, y0, tileWidth, tileHeight, tileX0, tileY0] = [8, 12, 16, 20, 24, 28, 32, 36].map((at) => u32(cs, at)) as [number, number, number, number, number, number, number, number];
  if (!(x0 < xsiz && y0 < ysiz)) throw unreadable('the card photo declares no pixels');
  if (tileWidth === 0 || tileHeight === 0 || tileX0 > x0 || tileY0 > y0 || tileX0 + tileWidth <= x0 || tileY0 + tileHeight <= y0) {
    throw unreadable('the card photo declares an impossible tile grid');
  }
  const width = xsiz - x0;
  const height = ysiz - y0;
  if (width > limits.maxSide || height > limits.maxSide || width * height > limits.maxPixels) {
    throw unreadable(`the card photo declares ${width}×${height} pixels; a card photo is far smaller`, { width, height, maxSide: limits.maxSide, maxPixels: limits.maxPixels });
  }
  const tiles = Math.ceil((xsiz - tileX0) / tileWidth) * Math.ceil((ysiz - tileY0) / tileHeight);
  if (tiles > limits.maxTiles) throw unreadable(`the card photo declares ${tiles} tiles; the limit is ${limits.maxTiles}`, { tiles, maxTiles: limits.maxTiles });
  let bitDepth = 0;
  for (let c = 0; c < components; c++) {
    const at = 42 + 3 * c;
    const ssiz = cs[at]!;
    // Signed or deeper than 8 bits: no card photo is, and the decoder would hand back other sample sizes.
    if (ssiz & 0x80) throw unreadable('the card photo has signed samples');
    const depth = (ssiz & 0x7f) + 1;
    if (depth > 8) throw unreadable(`the card photo has ${depth}-bit samples; up to 8 are accepted`, { bitDepth: depth });
    if (c > 0 && depth !== bitDepth) throw unreadable('the card photo mixes bit depths');
    bitDepth = depth;
    // Subsampled components (4:2:0 and the like) are not a card photo's layout; see docs/face.md.
    if (cs[at + 1] !== 1 || cs[at + 2] !== 1) throw unreadable('the card photo has subsampled components');
  }
  return { width, height, components, bitDepth, tiles };
}

interface Box {
  type: string;
  /** The box's content (after its header). */
  content: Uint8Array;
}

/** The boxes filling `bytes`, each length checked; `LBox` 0 (to the end) only for the last. */
function readBoxes(bytes: Uint8Array): Box[] {
  const boxes: Box[] = [];
  let at = 0;
  while (at < bytes.length) {
    if (boxes.length >= MAX_BOXES) throw unreadable('the card photo has too many JP2 boxes');
    if (at + 8 > bytes.length) throw unreadable('the card photo ends inside a JP2 box header');
    let length = u32(bytes, at);
    const type = String.fromCharCode(...bytes.subarray(at + 4, at + 8));
    let header = 8;
    if (length === 1) {
      if (at + 16 > bytes.length) throw unreadable('the card photo ends inside a JP2 box header');
      // XLBox: 64 bits, but nothing that fits maxBytes needs the upper half.
      if (u32(bytes, at + 8) !== 0) throw unreadable('the card photo has a JP2 box longer than itself');
      length = u32(bytes, at + 12);
      header = 16;
    } else if (length === 0) {
      length = bytes.length - at;
    }
    if (length < header || at + length > bytes.length) throw unreadable(`the card photo's JP2 box ${JSON.stringify(type)} runs past its end`);
    boxes.push({ type, content: bytes.subarray(at + header, at + length) });
    at += length;
  }
  return boxes;
}

/** A JP2 file: the signature, a file type of brand `jp2 `, a header with a colour box, then the codestream. */
function readJp2(bytes: Uint8Array): { codestream: Uint8Array; colour: CardPhotoColour } {
  const boxes = readBoxes(bytes);
  const ftyp = boxes[1];
  if (ftyp?.type !== 'ftyp' || ftyp.content.length < 8) throw unreadable('the card photo has no JP2 file type box');
  const brands = [0, ...Array.from({ length: (ftyp.content.length - 8) >> 2 }, (_, i) => 8 + 4 * i)].map((at) => String.fromCharCode(...ftyp.content.subarray(at, at + 4)));
  if (!brands.includes('jp2 ')) throw unreadable('the card photo is not of the JP2 brand');
  const header = boxes.find((b) => b.type === 'jp2h');
  const codestreams = boxes.filter((b) => b.type === 'jp2c');
  if (!header) throw unreadable('the card photo has no JP2 header box');
  if (codestreams.length !== 1) throw unreadable(`the card photo has ${codestreams.length} codestreams`);
  return { codestream: codestreams[0]!.content, colour: colourOf(readBoxes(header.content)) };
}

function colourOf(headerBoxes: Box[]): CardPhotoColour {
  if (headerBoxes[0]?.type !== 'ihdr') throw unreadable('the card photo has no JP2 image header');
  const colr = headerBoxes.find((b) => b.type === 'colr');
  if (!colr || colr.content.length < 3) throw unreadable('the card photo has no JP2 colour box');
  // METH 1: an enumerated colour space (T.800 Table I.10); 2: an ICC profile, taken as given.
  if (colr.content[0] !== 1) return 'unspecified';
  if (colr.content.length < 7) throw unreadable('the card photo has a short JP2 colour box');
  const enumerated = u32(colr.content, 3);
  if (enumerated === 16) return 'srgb';
  if (enumerated === 17) return 'greyscale';
  if (enumerated === 18) return 'sycc';
  throw unreadable(`the card photo is in colour space ${enumerated}; sRGB, greyscale and sYCC are accepted`, { colourSpace: enumerated });
}

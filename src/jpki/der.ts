/**
 * A strict DER reader. Certificates and CRLs arrive from phones and networks we do not control, and
 * signatures cover exact bytes, so anything BER allows but DER forbids (indefinite or non-minimal
 * lengths, constructed strings, sloppy BOOLEANs and INTEGERs, unsorted SETs, trailing bytes) is
 * refused before any field is interpreted. Validation walks the whole tree once without building
 * it; nodes are then decoded lazily, which keeps million-entry CRLs cheap.
 */

export class DerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DerError';
  }
}

export const TagClass = { universal: 0, application: 1, context: 2, private: 3 } as const;

export const Tag = {
  boolean: 1,
  integer: 2,
  bitString: 3,
  octetString: 4,
  null: 5,
  oid: 6,
  enumerated: 10,
  utf8String: 12,
  sequence: 16,
  set: 17,
  printableString: 19,
  teletexString: 20,
  ia5String: 22,
  utcTime: 23,
  generalizedTime: 24,
  visibleString: 26,
  bmpString: 30,
} as const;

export interface DerNode {
  readonly tagClass: number;
  readonly constructed: boolean;
  readonly tagNumber: number;
  /** The whole TLV, a view into the input. */
  readonly bytes: Uint8Array;
  /** The value octets, a view into the input. */
  readonly content: Uint8Array;
}

export interface DerLimits {
  maxBytes?: number;
  maxDepth?: number;
}

const DEFAULT_MAX_DEPTH = 32;

interface Header {
  tagClass: number;
  constructed: boolean;
  tagNumber: number;
  headerLength: number;
  length: number;
}

function readHeader(buf: Uint8Array, offset: number, end: number): Header {
  if (offset >= end) throw new DerError('unexpected end of data');
  const first = buf[offset]!;
  const tagClass = first >> 6;
  const constructed = (first & 0x20) !== 0;
  let tagNumber = first & 0x1f;
  let pos = offset + 1;
  if (tagNumber === 0x1f) {
    tagNumber = 0;
    let first7 = true;
    for (;;) {
      if (pos >= end) throw new DerError('truncated tag');
      const b = buf[pos++]!;
      if (first7 && b === 0x80) throw new DerError('non-minimal tag number');
      first7 = false;
      tagNumber = tagNumber * 128 + (b & 0x7f);
      if (tagNumber > 0xffff) throw new DerError('tag number too large');
      if ((b & 0x80) === 0) break;
    }
    if (tagNumber < 0x1f) throw new DerError('non-minimal tag number');
  }
  if (pos >= end) throw new DerError('truncated length');
  const lb = buf[pos++]!;
  let length: number;
  if (lb < 0x80) {
    length = lb;
  } else if (lb === 0x80) {
    throw new DerError('indefinite length is not DER');
  } else {
    const n = lb & 0x7f;
    if (n > 4) throw new DerError('length too large');
    if (pos + n > end) throw new DerError('truncated length');
    if (buf[pos] === 0) throw new DerError('non-minimal length');
    length = 0;
    for (let i = 0; i < n; i++) length = length * 256 + buf[pos++]!;
    if (length < 0x80) throw new DerError('non-minimal length');
  }
  const headerLength = pos - offset;
  if (length > end - pos) throw new DerError('truncated value');
  return { tagClass, constructed, tagNumber, headerLength, length };
}

function makeNode(buf: Uint8Array, offset: number, h: Header): DerNode {
  const end = offset + h.headerLength + h.length;
  return {
    tagClass: h.tagClass,
    constructed: h.constructed,
    tagNumber: h.tagNumber,
    bytes: buf.subarray(offset, end),
    content: buf.subarray(offset + h.headerLength, end),
  };
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = a[i]! - b[i]!;
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

const PRINTABLE = /^[A-Za-z0-9 '()+,\-./:=?]*$/;
const utf8Decoder = new TextDecoder('utf-8', { fatal: true });

function checkPrimitive(h: Header, c: Uint8Array): void {
  switch (h.tagNumber) {
    case Tag.boolean:
      if (c.length !== 1 || (c[0] !== 0 && c[0] !== 0xff)) throw new DerError('BOOLEAN is not DER');
      return;
    case Tag.integer:
    case Tag.enumerated:
      if (c.length === 0) throw new DerError('empty INTEGER');
      if (c.length > 1 && ((c[0] === 0 && c[1]! < 0x80) || (c[0] === 0xff && c[1]! >= 0x80))) {
        throw new DerError('non-minimal INTEGER');
      }
      return;
    case Tag.bitString: {
      if (c.length === 0) throw new DerError('empty BIT STRING');
      const unused = c[0]!;
      if (unused > 7 || (c.length === 1 && unused !== 0)) throw new DerError('bad BIT STRING padding');
      if (unused > 0 && (c[c.length - 1]! & ((1 << unused) - 1)) !== 0) {
        throw new DerError('BIT STRING padding bits are not zero');
      }
      return;
    }
    case Tag.null:
      if (c.length !== 0) throw new DerError('NULL with content');
      return;
    case Tag.oid:
      if (c.length === 0 || (c[c.length - 1]! & 0x80) !== 0) throw new DerError('bad OBJECT IDENTIFIER');
      for (let i = 0; i < c.length; i++) {
        if (c[i] === 0x80 && (i === 0 || (c[i - 1]! & 0x80) === 0)) throw new DerError('non-minimal OID arc');
      }
      return;
    case Tag.utf8String:
      try {
        utf8Decoder.decode(c);
      } catch {
        throw new DerError('invalid UTF8String');
      }
      return;
    case Tag.printableString:
      if (!PRINTABLE.test(latin1(c))) throw new DerError('invalid PrintableString');
      return;
    case Tag.ia5String:
    case Tag.visibleString:
      for (const b of c) if (b > 0x7f) throw new DerError('invalid IA5String');
      return;
    case Tag.bmpString:
      if (c.length % 2 !== 0) throw new DerError('invalid BMPString');
      return;
    case Tag.utcTime:
      if (!/^\d{12}Z$/.test(latin1(c))) throw new DerError('UTCTime is not DER');
      return;
    case Tag.generalizedTime:
      if (!/^\d{14}Z$/.test(latin1(c))) throw new DerError('GeneralizedTime is not DER');
      return;
    case Tag.octetString:
    case Tag.teletexString:
      return;
    default:
      throw new DerError(`unsupported universal tag ${h.tagNumber}`);
  }
}

function walk(buf: Uint8Array, start: number, end: number, depth: number, maxDepth: number): void {
  if (depth > maxDepth) throw new DerError('nesting too deep');
  let pos = start;
  while (pos < end) {
    const h = readHeader(buf, pos, end);
    const cStart = pos + h.headerLength;
    const cEnd = cStart + h.length;
    if (h.tagClass === TagClass.universal) {
      const structured = h.tagNumber === Tag.sequence || h.tagNumber === Tag.set;
      if (structured !== h.constructed) throw new DerError('constructed/primitive form is not DER');
      if (h.tagNumber === 0) throw new DerError('end-of-contents marker');
      if (structured) {
        walk(buf, cStart, cEnd, depth + 1, maxDepth);
        if (h.tagNumber === Tag.set) checkSetOrder(buf, cStart, cEnd);
      } else {
        checkPrimitive(h, buf.subarray(cStart, cEnd));
      }
    } else if (h.constructed) {
      walk(buf, cStart, cEnd, depth + 1, maxDepth);
    }
    pos = cEnd;
  }
}

/** DER sorts the elements of a SET OF by their encodings. */
function checkSetOrder(buf: Uint8Array, start: number, end: number): void {
  let prev: Uint8Array | undefined;
  let pos = start;
  while (pos < end) {
    const h = readHeader(buf, pos, end);
    const cur = buf.subarray(pos, pos + h.headerLength + h.length);
    if (prev && compareBytes(prev, cur) > 0) throw new DerError('SET elements are not in DER order');
    prev = cur;
    pos += h.headerLength + h.length;
  }
}

/** Validates `bytes` as exactly one strict-DER element (no trailing bytes) and returns it. */
export function parseDer(bytes: Uint8Array, limits: DerLimits = {}): DerNode {
  if (limits.maxBytes !== undefined && bytes.length > limits.maxBytes) throw new DerError('input too large');
  const h = readHeader(bytes, 0, bytes.length);
  const total = h.headerLength + h.length;
  if (total !== bytes.length) throw new DerError('trailing bytes after the DER element');
  walk(bytes, 0, bytes.length, 0, limits.maxDepth ?? DEFAULT_MAX_DEPTH);
  return makeNode(bytes, 0, h);
}

/** Direct children of a constructed node (the tree is already validated). */
export function childrenOf(node: DerNode): DerNode[] {
  if (!node.constructed) throw new DerError('not a constructed element');
  const out: DerNode[] = [];
  const c = node.content;
  let pos = 0;
  while (pos < c.length) {
    const h = readHeader(c, pos, c.length);
    out.push(makeNode(c, pos, h));
    pos += h.headerLength + h.length;
  }
  return out;
}

/** Calls `fn` on each child without materialising the list (for large CRLs). */
export function forEachChild(node: DerNode, fn: (child: DerNode) => void): void {
  const c = node.content;
  let pos = 0;
  while (pos < c.length) {
    const h = readHeader(c, pos, c.length);
    fn(makeNode(c, pos, h));
    pos += h.headerLength + h.length;
  }
}

export function isUniversal(node: DerNode, tagNumber: number): boolean {
  return node.tagClass === TagClass.universal && node.tagNumber === tagNumber;
}

export function isContext(node: DerNode, tagNumber: number, constructed?: boolean): boolean {
  return (
    node.tagClass === TagClass.context &&
    node.tagNumber === tagNumber &&
    (constructed === undefined || node.constructed === constructed)
  );
}

export function expectUniversal(node: DerNode | undefined, tagNumber: number, what: string): DerNode {
  if (!node || !isUniversal(node, tagNumber)) throw new DerError(`expected ${what}`);
  return node;
}

export function expectSequence(node: DerNode | undefined, what: string, min = 0, max = Infinity): DerNode[] {
  const seq = expectUniversal(node, Tag.sequence, what);
  const kids = childrenOf(seq);
  if (kids.length < min || kids.length > max) throw new DerError(`${what}: unexpected number of elements`);
  return kids;
}

export function latin1(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return s;
}

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && compareBytes(a, b) === 0;
}

export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex').toUpperCase();
}

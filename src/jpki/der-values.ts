/** Decoders for DER primitive values (the tree was validated by der.ts first). */
import { DerError, Tag, expectUniversal, isUniversal, latin1, toHex } from './der.ts';
import type { DerNode } from './der.ts';

export function decodeOid(node: DerNode | undefined): string {
  const c = expectUniversal(node, Tag.oid, 'OBJECT IDENTIFIER').content;
  const arcs: number[] = [];
  let value = 0;
  for (const b of c) {
    value = value * 128 + (b & 0x7f);
    if (value > Number.MAX_SAFE_INTEGER / 128) throw new DerError('OID arc too large');
    if ((b & 0x80) === 0) {
      if (arcs.length === 0) {
        const first = value < 40 ? 0 : value < 80 ? 1 : 2;
        arcs.push(first, value - first * 40);
      } else {
        arcs.push(value);
      }
      value = 0;
    }
  }
  return arcs.join('.');
}

export function decodeBigInt(node: DerNode | undefined): bigint {
  const c = expectUniversal(node, Tag.integer, 'INTEGER').content;
  let v = 0n;
  for (const b of c) v = (v << 8n) | BigInt(b);
  if (c[0]! & 0x80) v -= 1n << BigInt(c.length * 8);
  return v;
}

export function decodeSmallInt(node: DerNode | undefined, max = 0xffff): number {
  const v = decodeBigInt(node);
  if (v < 0n || v > BigInt(max)) throw new DerError('INTEGER out of range');
  return Number(v);
}

export function decodeEnumerated(node: DerNode | undefined): number {
  const c = expectUniversal(node, Tag.enumerated, 'ENUMERATED').content;
  if (c.length > 2 || c[0]! & 0x80) throw new DerError('ENUMERATED out of range');
  let v = 0;
  for (const b of c) v = v * 256 + b;
  return v;
}

/**
 * Serial numbers as uppercase hex without the sign-padding byte: the one encoding used for
 * evidence, CRL look-ups and logs (JPKI.md §7.6 suggests uppercase hex).
 */
export function serialHex(node: DerNode | undefined): string {
  const c = expectUniversal(node, Tag.integer, 'serial number').content;
  if (c[0]! & 0x80) throw new DerError('negative serial number');
  const trimmed = c.length > 1 && c[0] === 0 ? c.subarray(1) : c;
  if (trimmed.length === 1 && trimmed[0] === 0) throw new DerError('zero serial number');
  if (trimmed.length > 20) throw new DerError('serial number longer than 20 octets');
  return toHex(trimmed);
}

export function decodeBoolean(node: DerNode | undefined): boolean {
  return expectUniversal(node, Tag.boolean, 'BOOLEAN').content[0] === 0xff;
}

export function decodeTime(node: DerNode | undefined): Date {
  if (!node) throw new DerError('expected a time');
  const s = latin1(node.content);
  let year: number;
  let rest: string;
  if (isUniversal(node, Tag.utcTime)) {
    const yy = Number(s.slice(0, 2));
    year = yy >= 50 ? 1900 + yy : 2000 + yy;
    rest = s.slice(2);
  } else if (isUniversal(node, Tag.generalizedTime)) {
    year = Number(s.slice(0, 4));
    rest = s.slice(4);
  } else {
    throw new DerError('expected UTCTime or GeneralizedTime');
  }
  const [mo, d, h, mi, se] = [0, 2, 4, 6, 8].map((i) => Number(rest.slice(i, i + 2))) as [
    number, number, number, number, number,
  ];
  const t = Date.UTC(year, mo - 1, d, h, mi, se);
  const date = new Date(t);
  if (
    date.getUTCMonth() !== mo - 1 ||
    date.getUTCDate() !== d ||
    h > 23 || mi > 59 || se > 59
  ) {
    throw new DerError('impossible date');
  }
  return date;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Directory and otherName strings; the tree walk already checked the charsets. */
export function decodeString(node: DerNode | undefined): string {
  if (!node || node.tagClass !== 0) throw new DerError('expected a string');
  switch (node.tagNumber) {
    case Tag.utf8String:
      return utf8.decode(node.content);
    case Tag.printableString:
    case Tag.ia5String:
    case Tag.visibleString:
    case Tag.teletexString:
      return latin1(node.content);
    case Tag.bmpString: {
      let s = '';
      for (let i = 0; i < node.content.length; i += 2) s += String.fromCharCode((node.content[i]! << 8) | node.content[i + 1]!);
      return s;
    }
    default:
      throw new DerError('expected a string');
  }
}

/** BIT STRING content without the unused-bits octet; DER guarantees padding bits are zero. */
export function bitStringBytes(node: DerNode | undefined, requireOctetAligned = false): Uint8Array {
  const c = expectUniversal(node, Tag.bitString, 'BIT STRING').content;
  if (requireOctetAligned && c[0] !== 0) throw new DerError('BIT STRING is not octet aligned');
  return c.subarray(1);
}

/**
 * BER-TLV as the card's files hold it (ISO/IEC 8825-1; JPKI.md §1.1–§1.3): DER certificates in the
 * JPKI-AP, `FF20 { DF21 … }`-style records in the 券面 applications. Only definite lengths of up
 * to three length bytes and tags of up to three bytes are accepted — nothing on the card needs
 * more — and every length is checked against the bytes at hand before it is used.
 */
import { CardError } from './errors.ts';

export interface TlvHeader {
  tag: number;
  /** Bytes of tag and length together. */
  headerLength: number;
  valueLength: number;
}

export interface Tlv {
  tag: number;
  /** Offsets in the parsed buffer: the tag's first byte, the value's first byte, the end of the value. */
  start: number;
  valueStart: number;
  end: number;
  value: Uint8Array;
}

const malformed = (why: string) => new CardError('malformed_response', why);

/**
 * Reads the tag and length at `offset`; undefined when `bytes` ends before the header does (the
 * caller may read more). The value itself need not be present.
 */
export function readTlvHeader(bytes: Uint8Array, offset = 0): TlvHeader | undefined {
  let i = offset;
  if (i >= bytes.length) return undefined;
  let tag = bytes[i++]!;
  if ((tag & 0x1f) === 0x1f) {
    // Subsequent tag bytes have bit 8 set while more follow.
    for (let n = 0; ; n++) {
      if (n >= 2) throw malformed('a tag longer than three bytes');
      if (i >= bytes.length) return undefined;
      const b = bytes[i++]!;
      tag = tag * 256 + b;
      if ((b & 0x80) === 0) break;
    }
  }
  if (i >= bytes.length) return undefined;
  const first = bytes[i++]!;
  let valueLength: number;
  if (first < 0x80) valueLength = first;
  else if (first === 0x80) throw malformed('an indefinite length');
  else {
    const count = first & 0x7f;
    if (count > 3) throw malformed(`a length of ${count} bytes`);
    if (i + count > bytes.length) return undefined;
    valueLength = 0;
    for (let n = 0; n < count; n++) valueLength = valueLength * 256 + bytes[i++]!;
  }
  return { tag, headerLength: i - offset, valueLength };
}

/** The complete TLV at `offset`; refuses one whose value runs past the end. */
export function readTlv(bytes: Uint8Array, offset = 0): Tlv {
  const header = readTlvHeader(bytes, offset);
  if (!header) throw malformed('a truncated tag or length');
  const valueStart = offset + header.headerLength;
  const end = valueStart + header.valueLength;
  if (end > bytes.length) throw malformed('a value that runs past the end of the data');
  return { tag: header.tag, start: offset, valueStart, end, value: bytes.subarray(valueStart, end) };
}

/** Consecutive TLVs filling `bytes` exactly, at most `max` of them. */
export function readTlvs(bytes: Uint8Array, max = 32): Tlv[] {
  const out: Tlv[] = [];
  let at = 0;
  while (at < bytes.length) {
    if (out.length >= max) throw malformed(`more than ${max} elements`);
    const tlv = readTlv(bytes, at);
    out.push(tlv);
    at = tlv.end;
  }
  return out;
}

/**
 * A record `outerTag { members }`: its members by tag, each tag at most once. Offsets of members
 * are relative to the outer value.
 */
export function readRecord(bytes: Uint8Array, outerTag: number, max = 32): { outer: Tlv; members: Map<number, Tlv> } {
  const outer = readTlv(bytes, 0);
  if (outer.tag !== outerTag) throw malformed(`expected tag ${outerTag.toString(16).toUpperCase()}, found ${outer.tag.toString(16).toUpperCase()}`);
  const members = new Map<number, Tlv>();
  for (const member of readTlvs(outer.value, max)) {
    if (members.has(member.tag)) throw malformed(`tag ${member.tag.toString(16).toUpperCase()} appears twice`);
    members.set(member.tag, member);
  }
  return { outer, members };
}

export function requireMember(members: Map<number, Tlv>, tag: number, what: string): Uint8Array {
  const member = members.get(tag);
  if (!member) throw malformed(`the record has no ${what}`);
  return member.value;
}

/**
 * Files of the My Number Card's 券面事項入力補助AP (text-input-support AP, JPKI.md §1.2), as
 * BER-TLV: EF 0002 (basic four), EF 0003 (integrity record), EF 0004 (the certificate of the AP's
 * data-signing key), EF 0007 (the card AP key certified by the issuer). EF 0001 (the My Number) is
 * never read or accepted by PASS. Encoding helpers serve the development card (dev-card.ts).
 *
 * EF 0004's real format is a card-verifiable certificate under J-LIS keys whose provenance is
 * UNCONFIRMED (JPKI.md §1.2); PASS reads this simplified form:
 *   7F21 { 42 <CA key id, ASCII> · 7F49 <SPKI DER of the data-signing key> · 5F37 <CA signature over 42‖7F49> }
 */

export interface Tlv {
  tag: number;
  /** Offset of the tag's first byte in the parsed buffer, and the end of the value. */
  start: number;
  end: number;
  value: Uint8Array;
}

export class TlvError extends Error {}

function tagBytes(tag: number): number[] {
  return tag > 0xff ? [tag >> 8, tag & 0xff] : [tag];
}

function lengthBytes(n: number): number[] {
  if (n < 0x80) return [n];
  if (n < 0x100) return [0x81, n];
  if (n < 0x10000) return [0x82, n >> 8, n & 0xff];
  throw new TlvError('value too long');
}

export function tlv(tag: number, ...values: Uint8Array[]): Uint8Array {
  const value = Buffer.concat(values);
  return new Uint8Array(Buffer.concat([Buffer.from([...tagBytes(tag), ...lengthBytes(value.length)]), value]));
}

/** Reads consecutive TLVs (two-byte tags where the first byte's low five bits are all set). */
export function parseTlvs(bytes: Uint8Array, max = 64): Tlv[] {
  const out: Tlv[] = [];
  let i = 0;
  while (i < bytes.length) {
    if (out.length >= max) throw new TlvError('too many elements');
    const start = i;
    let tag = bytes[i++]!;
    if ((tag & 0x1f) === 0x1f) {
      if (i >= bytes.length) throw new TlvError('truncated tag');
      tag = (tag << 8) | bytes[i++]!;
    }
    if (i >= bytes.length) throw new TlvError('truncated length');
    let length = bytes[i++]!;
    if (length === 0x81 || length === 0x82) {
      const count = length & 0x7f;
      if (i + count > bytes.length) throw new TlvError('truncated length');
      length = count === 1 ? bytes[i]! : (bytes[i]! << 8) | bytes[i + 1]!;
      i += count;
    } else if (length > 0x80) throw new TlvError('unsupported length');
    if (i + length > bytes.length) throw new TlvError('truncated value');
    out.push({ tag, start, end: i + length, value: bytes.subarray(i, i + length) });
    i += length;
  }
  return out;
}

/** The single outer TLV of a file, and its members. */
export function parseFile(bytes: Uint8Array, outerTag: number): { outer: Tlv; members: Map<number, Tlv> } {
  const [outer, ...rest] = parseTlvs(bytes, 2);
  // Card files are padded after the record; trailing bytes other than filler are refused.
  if (!outer || outer.tag !== outerTag || (rest.length > 0 && bytes.subarray(outer.end).some((b) => b !== 0xff && b !== 0x00))) {
    throw new TlvError(`expected one ${outerTag.toString(16).toUpperCase()} record`);
  }
  const members = new Map<number, Tlv>();
  for (const m of parseTlvs(outer.value)) {
    if (members.has(m.tag)) throw new TlvError(`duplicate ${m.tag.toString(16).toUpperCase()}`);
    members.set(m.tag, m);
  }
  return { outer, members };
}

export const TAG = {
  ef0002: 0xff20,
  offsets: 0xdf21,
  name: 0xdf22,
  address: 0xdf23,
  birthdate: 0xdf24,
  sex: 0xdf25,
  ef0003: 0xff30,
  hashEf0001: 0xdf31,
  hashEf0002: 0xdf32,
  signature: 0xdf33,
  ef0007: 0xff50,
  cardKey: 0xdf51,
  issuerSignature: 0xdf52,
  cvc: 0x7f21,
  caKeyId: 0x42,
  publicKey: 0x7f49,
  cvcSignature: 0x5f37,
} as const;

export interface TextApFacts {
  name: string;
  address: string;
  /** Gregorian YYYYMMDD, as on the card. */
  birthdate: string;
  /** '1' male, '2' female, '3' or '9' not recorded (JPKI.md §1.2: 9 vs 3 UNCONFIRMED). */
  sex: string;
}

const utf8 = (s: string) => new TextEncoder().encode(s);

/** EF 0002: FF20 { DF21 offsets · DF22 name · DF23 address · DF24 YYYYMMDD · DF25 sex }. */
export function encodeEf0002(f: TextApFacts): Uint8Array {
  const fields = [tlv(TAG.name, utf8(f.name)), tlv(TAG.address, utf8(f.address)), tlv(TAG.birthdate, utf8(f.birthdate)), tlv(TAG.sex, utf8(f.sex))];
  const offsets = Buffer.alloc(8);
  let at = 11; // after DF21 (3 + 8 bytes)
  fields.forEach((field, i) => {
    offsets.writeUInt16BE(at, i * 2);
    at += field.length;
  });
  return tlv(TAG.ef0002, tlv(TAG.offsets, offsets), ...fields);
}

/** The bytes DF32 hashes: EF 0002's outer value without the DF21 offset table. */
export function ef0002HashedPart(ef0002: Uint8Array): Uint8Array {
  const { outer, members } = parseFile(ef0002, TAG.ef0002);
  return Buffer.concat([...members.values()].filter((m) => m.tag !== TAG.offsets).map((m) => outer.value.subarray(m.start, m.end)));
}

export function decodeEf0002(ef0002: Uint8Array): TextApFacts {
  const { members } = parseFile(ef0002, TAG.ef0002);
  const text = (tag: number, field: string): string => {
    const m = members.get(tag);
    if (!m) throw new TlvError(`EF 0002 has no ${field}`);
    return new TextDecoder('utf-8', { fatal: true }).decode(m.value);
  };
  return { name: text(TAG.name, 'name'), address: text(TAG.address, 'address'), birthdate: text(TAG.birthdate, 'birthdate'), sex: text(TAG.sex, 'sex') };
}

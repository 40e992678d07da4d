/**
 * asn1js builders for the JPKI extensions the development CA writes. Encoding is done by asn1js,
 * independently of PASS's own DER reader, so the two cross-check each other in tests.
 */
import * as asn1js from 'asn1js';
import { KEY_USAGE_BITS } from './certificate-extensions.ts';
import type { KeyUsageName } from './certificate-extensions.ts';
import { OID } from './oids.ts';

const CONTEXT = 3;

export type NameSpec = readonly (readonly [keyof typeof ATTRIBUTE_OID, string])[];

const ATTRIBUTE_OID = {
  C: OID.countryName,
  O: OID.organizationName,
  OU: OID.organizationalUnitName,
  CN: OID.commonName,
  L: OID.localityName,
  ST: OID.stateOrProvinceName,
} as const;

/** C as PrintableString, everything else UTF8String, one attribute per RDN — as J-LIS does. */
export function nameAsn1(spec: NameSpec): asn1js.Sequence {
  return new asn1js.Sequence({
    value: spec.map(([type, value]) =>
      new asn1js.Set({
        value: [
          new asn1js.Sequence({
            value: [
              new asn1js.ObjectIdentifier({ value: ATTRIBUTE_OID[type] }),
              type === 'C' ? new asn1js.PrintableString({ value }) : new asn1js.Utf8String({ value }),
            ],
          }),
        ],
      })),
  });
}

export function ber(node: asn1js.BaseBlock): Uint8Array {
  return new Uint8Array(node.toBER(false));
}

function explicit(tag: number, ...value: asn1js.BaseBlock[]): asn1js.Constructed {
  return new asn1js.Constructed({ idBlock: { tagClass: CONTEXT, tagNumber: tag }, value });
}

/** Named bit list in DER: trailing zero bits are dropped. */
export function keyUsageValue(usages: readonly KeyUsageName[]): Uint8Array {
  const idx = usages.map((u) => KEY_USAGE_BITS.indexOf(u));
  const high = Math.max(...idx);
  const bytes = new Uint8Array((high >> 3) + 1);
  for (const i of idx) bytes[i >> 3]! |= 0x80 >> (i & 7);
  return ber(new asn1js.BitString({ valueHex: bytes, unusedBits: 7 - (high & 7) }));
}

export function basicConstraintsValue(ca: boolean): Uint8Array {
  return ber(new asn1js.Sequence({ value: ca ? [new asn1js.Boolean({ value: true })] : [] }));
}

export function policiesValue(oids: readonly string[]): Uint8Array {
  return ber(
    new asn1js.Sequence({
      value: oids.map((oid) => new asn1js.Sequence({ value: [new asn1js.ObjectIdentifier({ value: oid })] })),
    }),
  );
}

export interface OtherNameSpec {
  oid: string;
  value: string;
  /** Default utf8; printable exists to test refusal of wrong string types. */
  type?: 'utf8' | 'printable';
}

export function otherNamesValue(names: readonly OtherNameSpec[]): Uint8Array {
  return ber(
    new asn1js.Sequence({
      value: names.map((n) =>
        explicit(
          0,
          new asn1js.ObjectIdentifier({ value: n.oid }),
          explicit(0, n.type === 'printable' ? new asn1js.PrintableString({ value: n.value }) : new asn1js.Utf8String({ value: n.value })),
        )),
    }),
  );
}

export function directoryNameGeneralNames(name: NameSpec): Uint8Array {
  return ber(new asn1js.Sequence({ value: [explicit(4, nameAsn1(name))] }));
}

export function crlDistributionPointValue(name: NameSpec): Uint8Array {
  return ber(new asn1js.Sequence({ value: [new asn1js.Sequence({ value: [explicit(0, explicit(0, explicit(4, nameAsn1(name))))] })] }));
}

export function issuingDistributionPointValue(name: NameSpec): Uint8Array {
  return ber(new asn1js.Sequence({ value: [explicit(0, explicit(0, explicit(4, nameAsn1(name))))] }));
}

export function subjectKeyIdValue(keyId: Uint8Array): Uint8Array {
  return ber(new asn1js.OctetString({ valueHex: keyId }));
}

export function authorityKeyIdValue(keyId: Uint8Array): Uint8Array {
  return ber(
    new asn1js.Sequence({
      value: [new asn1js.Primitive({ idBlock: { tagClass: CONTEXT, tagNumber: 0 }, valueHex: keyId })],
    }),
  );
}

export function integerValue(bytes: Uint8Array): asn1js.Integer {
  return new asn1js.Integer({ valueHex: bytes });
}

export function enumeratedValue(value: number): Uint8Array {
  return ber(new asn1js.Enumerated({ value }));
}

export function crlNumberValue(n: bigint): Uint8Array {
  return ber(integerValue(bigintBytes(n)));
}

/** Minimal positive two's-complement bytes. */
export function bigintBytes(n: bigint): Uint8Array {
  if (n <= 0n) throw new Error('expected a positive integer');
  let hex = n.toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  if (parseInt(hex.slice(0, 2), 16) >= 0x80) hex = `00${hex}`;
  return new Uint8Array(Buffer.from(hex, 'hex'));
}

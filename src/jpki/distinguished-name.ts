/** X.501 Names: the attributes we need to read, and the RFC 4514 string used in evidence. */
import { DerError, Tag, childrenOf, expectSequence, expectUniversal } from './der.ts';
import type { DerNode } from './der.ts';
import { decodeOid, decodeString } from './der-values.ts';
import { OID } from './oids.ts';

export interface NameAttribute {
  type: string;
  value: string;
}

export interface DistinguishedName {
  /** Exact DER of the Name: comparisons between certificates use these bytes, never strings. */
  der: Uint8Array;
  /** RDNs in encoding order (C first for JPKI). */
  rdns: NameAttribute[][];
}

export function parseName(node: DerNode | undefined): DistinguishedName {
  const seq = expectUniversal(node, Tag.sequence, 'Name');
  const rdns = childrenOf(seq).map((set) => {
    const attrs = childrenOf(expectUniversal(set, Tag.set, 'RelativeDistinguishedName'));
    if (attrs.length === 0) throw new DerError('empty RDN');
    return attrs.map((atv) => {
      const [type, value] = expectSequence(atv, 'AttributeTypeAndValue', 2, 2);
      return { type: decodeOid(type), value: decodeString(value) };
    });
  });
  return { der: seq.bytes, rdns };
}

export function nameValues(name: DistinguishedName, type: string): string[] {
  return name.rdns.flat().filter((a) => a.type === type).map((a) => a.value);
}

const SHORT: Record<string, string> = {
  [OID.countryName]: 'C',
  [OID.organizationName]: 'O',
  [OID.organizationalUnitName]: 'OU',
  [OID.commonName]: 'CN',
  [OID.localityName]: 'L',
  [OID.stateOrProvinceName]: 'ST',
};

function escapeValue(v: string): string {
  let out = v.replace(/[\\,+"<>;=]/g, (c) => `\\${c}`);
  if (out.startsWith(' ') || out.startsWith('#')) out = `\\${out}`;
  if (out.endsWith(' ') && out.length > 1) out = `${out.slice(0, -1)}\\ `;
  return out;
}

/** RFC 4514: last RDN first, e.g. `OU=Japan Agency…,OU=JPKI for digital signature,O=JPKI,C=JP`. */
export function formatName(name: DistinguishedName): string {
  return [...name.rdns]
    .reverse()
    .map((rdn) => rdn.map((a) => `${SHORT[a.type] ?? a.type}=${escapeValue(a.value)}`).join('+'))
    .join(',');
}

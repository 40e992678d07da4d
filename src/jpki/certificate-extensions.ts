/** X.509 / CRL extensions that JPKI certificates carry, decoded strictly. */
import { DerError, Tag, childrenOf, expectSequence, expectUniversal, isContext, isUniversal, latin1, parseDer } from './der.ts';
import type { DerNode } from './der.ts';
import { bitStringBytes, decodeBoolean, decodeOid, decodeSmallInt } from './der-values.ts';
import { OID } from './oids.ts';

export interface RawExtension {
  critical: boolean;
  /** The extnValue OCTET STRING content, itself validated as one strict DER element. */
  value: DerNode;
}

export function parseExtensionList(node: DerNode, maxValueBytes: number): Map<string, RawExtension> {
  const out = new Map<string, RawExtension>();
  for (const ext of expectSequence(node, 'Extensions', 1)) {
    const parts = expectSequence(ext, 'Extension', 2, 3);
    const id = decodeOid(parts[0]);
    let critical = false;
    if (parts.length === 3) {
      // DER omits DEFAULT values, so an explicit FALSE is a BER-only encoding.
      if (!decodeBoolean(parts[1])) throw new DerError(`extension ${id}: explicit critical FALSE`);
      critical = true;
    }
    const octets = expectUniversal(parts[parts.length - 1], Tag.octetString, 'extnValue').content;
    if (out.has(id)) throw new DerError(`duplicate extension ${id}`);
    out.set(id, { critical, value: parseDer(octets, { maxBytes: maxValueBytes }) });
  }
  return out;
}

export type KeyUsageName =
  | 'digitalSignature'
  | 'nonRepudiation'
  | 'keyEncipherment'
  | 'dataEncipherment'
  | 'keyAgreement'
  | 'keyCertSign'
  | 'cRLSign'
  | 'encipherOnly'
  | 'decipherOnly';

export const KEY_USAGE_BITS: readonly KeyUsageName[] = [
  'digitalSignature',
  'nonRepudiation',
  'keyEncipherment',
  'dataEncipherment',
  'keyAgreement',
  'keyCertSign',
  'cRLSign',
  'encipherOnly',
  'decipherOnly',
];

export function decodeKeyUsage(node: DerNode): Set<KeyUsageName> {
  const bits = bitStringBytes(node);
  const out = new Set<KeyUsageName>();
  KEY_USAGE_BITS.forEach((name, i) => {
    const byte = bits[i >> 3];
    if (byte !== undefined && (byte & (0x80 >> (i & 7))) !== 0) out.add(name);
  });
  return out;
}

export interface BasicConstraints {
  ca: boolean;
  pathLength: number | undefined;
}

export function decodeBasicConstraints(node: DerNode): BasicConstraints {
  const parts = expectSequence(node, 'BasicConstraints', 0, 2);
  let i = 0;
  let ca = false;
  if (parts[i] && isUniversal(parts[i]!, Tag.boolean)) {
    if (!decodeBoolean(parts[i])) throw new DerError('BasicConstraints: explicit cA FALSE');
    ca = true;
    i++;
  }
  const pathLength = parts[i] ? decodeSmallInt(parts[i], 255) : undefined;
  if (parts.length > i + (pathLength === undefined ? 0 : 1)) throw new DerError('BasicConstraints: trailing elements');
  return { ca, pathLength };
}

export function decodePolicies(node: DerNode): string[] {
  const ids = expectSequence(node, 'CertificatePolicies', 1).map((info) => {
    const parts = expectSequence(info, 'PolicyInformation', 1, 2);
    if (parts[1]) expectSequence(parts[1], 'policyQualifiers', 1);
    return decodeOid(parts[0]);
  });
  if (new Set(ids).size !== ids.length) throw new DerError('CertificatePolicies: duplicate policy');
  return ids;
}

export interface GeneralNamesSummary {
  /** DER of each directoryName's Name. */
  directoryNames: Uint8Array[];
  uris: string[];
  otherNames: { typeId: string; value: DerNode }[];
}

/** GeneralNames ::= SEQUENCE OF GeneralName; also used IMPLICIT [0] inside distribution points. */
export function decodeGeneralNames(children: DerNode[]): GeneralNamesSummary {
  const out: GeneralNamesSummary = { directoryNames: [], uris: [], otherNames: [] };
  if (children.length === 0) throw new DerError('empty GeneralNames');
  for (const gn of children) {
    if (isContext(gn, 0, true)) {
      const parts = childrenOf(gn);
      if (parts.length !== 2 || !isContext(parts[1]!, 0, true)) throw new DerError('malformed otherName');
      const inner = childrenOf(parts[1]!);
      if (inner.length !== 1) throw new DerError('otherName value must hold one element');
      out.otherNames.push({ typeId: decodeOid(parts[0]), value: inner[0]! });
    } else if (isContext(gn, 4, true)) {
      const inner = childrenOf(gn);
      if (inner.length !== 1) throw new DerError('malformed directoryName');
      out.directoryNames.push(expectUniversal(inner[0], Tag.sequence, 'Name').bytes);
    } else if (isContext(gn, 6, false)) {
      out.uris.push(latin1(gn.content));
    } else if (gn.tagClass !== 2) {
      throw new DerError('GeneralName must be context-tagged');
    }
  }
  return out;
}

export interface DistributionPoints {
  directoryNames: Uint8Array[];
  uris: string[];
}

export function decodeCrlDistributionPoints(node: DerNode): DistributionPoints {
  const out: DistributionPoints = { directoryNames: [], uris: [] };
  for (const dp of expectSequence(node, 'CRLDistributionPoints', 1)) {
    const parts = expectSequence(dp, 'DistributionPoint', 1, 3);
    const dpName = parts.find((p) => isContext(p, 0, true));
    if (!dpName) continue;
    const choice = childrenOf(dpName);
    if (choice.length !== 1) throw new DerError('malformed DistributionPointName');
    if (!isContext(choice[0]!, 0, true)) continue; // nameRelativeToCRLIssuer is not used by JPKI
    const names = decodeGeneralNames(childrenOf(choice[0]!));
    out.directoryNames.push(...names.directoryNames);
    out.uris.push(...names.uris);
  }
  return out;
}

export function decodeAuthorityKeyId(node: DerNode): Uint8Array | undefined {
  const parts = expectSequence(node, 'AuthorityKeyIdentifier', 0, 3);
  const keyId = parts.find((p) => isContext(p, 0, false));
  return keyId?.content;
}

export function decodeSubjectKeyId(node: DerNode): Uint8Array {
  return expectUniversal(node, Tag.octetString, 'SubjectKeyIdentifier').content;
}

export const KNOWN_CERTIFICATE_EXTENSIONS: ReadonlySet<string> = new Set([
  OID.keyUsage,
  OID.basicConstraints,
  OID.certificatePolicies,
  OID.subjectAltName,
  OID.issuerAltName,
  OID.cRLDistributionPoints,
  OID.authorityKeyIdentifier,
  OID.subjectKeyIdentifier,
  OID.authorityInfoAccess,
]);

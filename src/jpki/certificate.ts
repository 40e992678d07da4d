/**
 * Strict X.509 v3 parsing. The certificate's exact DER is kept and every later check (signature
 * over TBS, issuer match, hashes) uses those bytes, never a re-encoding.
 */
import { createHash, createPublicKey } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { DerError, Tag, childrenOf, expectSequence, expectUniversal, isContext, parseDer } from './der.ts';
import type { DerNode } from './der.ts';
import { bitStringBytes, decodeOid, decodeSmallInt, decodeTime, serialHex } from './der-values.ts';
import { parseName } from './distinguished-name.ts';
import type { DistinguishedName } from './distinguished-name.ts';
import {
  KNOWN_CERTIFICATE_EXTENSIONS,
  decodeAuthorityKeyId,
  decodeBasicConstraints,
  decodeCrlDistributionPoints,
  decodeKeyUsage,
  decodePolicies,
  decodeSubjectKeyId,
  parseExtensionList,
} from './certificate-extensions.ts';
import type { BasicConstraints, DistributionPoints, KeyUsageName, RawExtension } from './certificate-extensions.ts';
import { malformed } from './errors.ts';
import { OID } from './oids.ts';

/** Real JPKI certificates are about 1.5 KB; anything far larger is refused before parsing. */
export const DEFAULT_MAX_CERTIFICATE_BYTES = 8192;

export interface RsaPublicKeyInfo {
  algorithm: string;
  modulusBits: number;
  exponent: bigint;
}

export interface CertificateExtensions {
  raw: Map<string, RawExtension>;
  keyUsage: Set<KeyUsageName> | undefined;
  basicConstraints: BasicConstraints | undefined;
  policies: string[];
  crlDistributionPoints: DistributionPoints;
  authorityKeyId: Uint8Array | undefined;
  subjectKeyId: Uint8Array | undefined;
  /** Critical extensions PASS does not understand; RFC 5280 says such a certificate must be refused. */
  unknownCritical: string[];
}

export interface JpkiCertificate {
  der: Uint8Array;
  /** Lowercase hex SHA-256 of the DER, the form J-LIS publishes root fingerprints in. */
  sha256: string;
  tbs: Uint8Array;
  version: number;
  serialNumber: string;
  /** Signature algorithm OID; inner and outer AlgorithmIdentifiers are required to be identical. */
  signatureAlgorithm: string;
  signature: Uint8Array;
  issuer: DistinguishedName;
  subject: DistinguishedName;
  notBefore: Date;
  notAfter: Date;
  /** DER of SubjectPublicKeyInfo. */
  spki: Uint8Array;
  publicKeyInfo: RsaPublicKeyInfo;
  extensions: CertificateExtensions;
}

export interface ParseCertificateOptions {
  maxBytes?: number;
}

/** Parses and structurally validates a DER certificate; throws `malformed_certificate`. */
export function parseCertificate(der: Uint8Array, options: ParseCertificateOptions = {}): JpkiCertificate {
  try {
    return parseStrict(der, options.maxBytes ?? DEFAULT_MAX_CERTIFICATE_BYTES);
  } catch (err) {
    if (err instanceof DerError) throw malformed(`certificate is not strict DER X.509 v3: ${err.message}`);
    throw err;
  }
}

function parseStrict(input: Uint8Array, maxBytes: number): JpkiCertificate {
  // Copy so later mutation of the caller's buffer cannot change what was verified.
  const der = new Uint8Array(input);
  const root = parseDer(der, { maxBytes });
  const [tbsNode, sigAlgNode, sigNode] = expectSequence(root, 'Certificate', 3, 3) as [DerNode, DerNode, DerNode];
  const tbs = expectSequence(tbsNode, 'TBSCertificate', 7, 10);

  let i = 0;
  if (!isContext(tbs[0]!, 0, true)) throw new DerError('version missing: only v3 certificates are accepted');
  if (decodeSmallInt(expectExplicit(tbs[i++]!)) !== 2) throw new DerError('only v3 certificates are accepted');
  const serialNumber = serialHex(tbs[i++]);
  const innerAlg = tbs[i++]!;
  const issuer = parseName(tbs[i++]);
  const validity = expectSequence(tbs[i++], 'Validity', 2, 2);
  const subject = parseName(tbs[i++]);
  const spkiNode = expectUniversal(tbs[i++], Tag.sequence, 'SubjectPublicKeyInfo');
  const rest = tbs.slice(i);
  if (rest.length !== 1 || !isContext(rest[0]!, 3, true)) {
    throw new DerError('expected exactly the extensions after the public key (no unique identifiers)');
  }

  if (!equalDer(innerAlg, sigAlgNode)) throw new DerError('inner and outer signature algorithms differ');
  const signatureAlgorithm = decodeAlgorithm(sigAlgNode);

  const extensions = decodeExtensions(expectExplicit(rest[0]!));
  return {
    der,
    sha256: createHash('sha256').update(der).digest('hex'),
    tbs: tbsNode.bytes,
    version: 3,
    serialNumber,
    signatureAlgorithm,
    signature: bitStringBytes(sigNode, true),
    issuer,
    subject,
    notBefore: decodeTime(validity[0]),
    notAfter: decodeTime(validity[1]),
    spki: spkiNode.bytes,
    publicKeyInfo: decodeRsaSpki(spkiNode),
    extensions,
  };
}

function expectExplicit(node: DerNode): DerNode {
  const kids = node.constructed ? childrenOf(node) : [];
  if (kids.length !== 1) throw new DerError('explicit tag must hold exactly one element');
  return kids[0]!;
}

function equalDer(a: DerNode, b: DerNode): boolean {
  return Buffer.compare(a.bytes, b.bytes) === 0;
}

/** AlgorithmIdentifier for sha256WithRSAEncryption must carry NULL parameters (RFC 4055). */
export function decodeAlgorithm(node: DerNode): string {
  const parts = expectSequence(node, 'AlgorithmIdentifier', 1, 2);
  const oid = decodeOid(parts[0]);
  if (oid === OID.sha256WithRSAEncryption || oid === OID.rsaEncryption) {
    expectUniversal(parts[1], Tag.null, 'NULL algorithm parameters');
  }
  return oid;
}

function decodeRsaSpki(spki: DerNode): RsaPublicKeyInfo {
  const [alg, key] = expectSequence(spki, 'SubjectPublicKeyInfo', 2, 2);
  const algorithm = decodeOid(expectSequence(alg, 'AlgorithmIdentifier', 1, 2)[0]);
  if (algorithm !== OID.rsaEncryption) return { algorithm, modulusBits: 0, exponent: 0n };
  decodeAlgorithm(alg!);
  const rsa = parseDer(bitStringBytes(key, true));
  const [n, e] = expectSequence(rsa, 'RSAPublicKey', 2, 2) as [DerNode, DerNode];
  const modulus = expectUniversal(n, Tag.integer, 'modulus').content;
  if (modulus[0]! & 0x80) throw new DerError('negative RSA modulus');
  const m = modulus[0] === 0 ? modulus.subarray(1) : modulus;
  const modulusBits = m.length === 0 ? 0 : (m.length - 1) * 8 + (32 - Math.clz32(m[0]!));
  let exponent = 0n;
  for (const b of expectUniversal(e, Tag.integer, 'exponent').content) exponent = (exponent << 8n) | BigInt(b);
  return { algorithm, modulusBits, exponent };
}

function decodeExtensions(node: DerNode): CertificateExtensions {
  const raw = parseExtensionList(node, 4096);
  const get = (oid: string): DerNode | undefined => raw.get(oid)?.value;
  const ku = get(OID.keyUsage);
  const bc = get(OID.basicConstraints);
  const cp = get(OID.certificatePolicies);
  const dp = get(OID.cRLDistributionPoints);
  const aki = get(OID.authorityKeyIdentifier);
  const ski = get(OID.subjectKeyIdentifier);
  return {
    raw,
    keyUsage: ku ? decodeKeyUsage(ku) : undefined,
    basicConstraints: bc ? decodeBasicConstraints(bc) : undefined,
    policies: cp ? decodePolicies(cp) : [],
    crlDistributionPoints: dp ? decodeCrlDistributionPoints(dp) : { directoryNames: [], uris: [] },
    authorityKeyId: aki ? decodeAuthorityKeyId(aki) : undefined,
    subjectKeyId: ski ? decodeSubjectKeyId(ski) : undefined,
    unknownCritical: [...raw].filter(([id, e]) => e.critical && !KNOWN_CERTIFICATE_EXTENSIONS.has(id)).map(([id]) => id),
  };
}

const keyCache = new WeakMap<JpkiCertificate, KeyObject>();

/** Node's KeyObject for the certificate's public key, created once per parsed certificate. */
export function publicKeyOf(cert: JpkiCertificate): KeyObject {
  let key = keyCache.get(cert);
  if (!key) {
    key = createPublicKey({ key: Buffer.from(cert.spki), format: 'der', type: 'spki' });
    keyCache.set(cert, key);
  }
  return key;
}

export function isSelfIssued(cert: JpkiCertificate): boolean {
  return Buffer.compare(cert.issuer.der, cert.subject.der) === 0;
}

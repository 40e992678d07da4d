/** Strict parsing and signature verification of X.509 v2 CRLs (RFC 5280 §5). */
import { createHash, verify as verifySignature } from 'node:crypto';
import { decodeAlgorithm, publicKeyOf } from '../certificate.ts';
import type { JpkiCertificate } from '../certificate.ts';
import {
  decodeAuthorityKeyId,
  decodeGeneralNames,
  parseExtensionList,
} from '../certificate-extensions.ts';
import type { RawExtension } from '../certificate-extensions.ts';
import { DerError, Tag, childrenOf, equalBytes, expectSequence, forEachChild, isContext, isUniversal, parseDer } from '../der.ts';
import type { DerNode } from '../der.ts';
import { bitStringBytes, decodeBigInt, decodeEnumerated, decodeSmallInt, decodeTime, serialHex } from '../der-values.ts';
import { formatName, parseName } from '../distinguished-name.ts';
import type { DistinguishedName } from '../distinguished-name.ts';
import { OID } from '../oids.ts';
import { REVOCATION_REASONS } from './revocation-checker.ts';
import type { RevocationReason } from './revocation-checker.ts';

export class CrlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CrlError';
  }
}

export interface RevokedEntry {
  revokedAt: Date;
  reason: RevocationReason | undefined;
}

export interface ParsedCrl {
  der: Uint8Array;
  sha256: string;
  tbs: Uint8Array;
  signatureAlgorithm: string;
  signature: Uint8Array;
  issuer: DistinguishedName;
  thisUpdate: Date;
  nextUpdate: Date | undefined;
  crlNumber: bigint | undefined;
  authorityKeyId: Uint8Array | undefined;
  /** Keyed by serial as uppercase hex (der-values.ts serialHex). */
  revoked: Map<string, RevokedEntry>;
  /**
   * directoryNames of the issuingDistributionPoint: a partitioned CRL (JPKI partitions per
   * municipality) covers only certificates whose CRL DP names one of them. Undefined = full CRL.
   */
  scope: Uint8Array[] | undefined;
}

export const DEFAULT_MAX_CRL_BYTES = 256 * 1024 * 1024;

const KNOWN_CRL_EXTENSIONS = new Set<string>([OID.cRLNumber, OID.authorityKeyIdentifier, OID.issuingDistributionPoint]);
const KNOWN_ENTRY_EXTENSIONS = new Set<string>([OID.cRLReason, OID.invalidityDate]);

export function parseCrl(input: Uint8Array, options: { maxBytes?: number } = {}): ParsedCrl {
  try {
    return parseStrict(new Uint8Array(input), options.maxBytes ?? DEFAULT_MAX_CRL_BYTES);
  } catch (err) {
    if (err instanceof DerError) throw new CrlError(`CRL is not strict DER: ${err.message}`);
    throw err;
  }
}

function parseStrict(der: Uint8Array, maxBytes: number): ParsedCrl {
  const root = parseDer(der, { maxBytes, maxDepth: 24 });
  const [tbsNode, sigAlg, sig] = expectSequence(root, 'CertificateList', 3, 3) as [DerNode, DerNode, DerNode];
  const tbs = expectSequence(tbsNode, 'TBSCertList', 3, 7);
  let i = 0;
  if (!isUniversal(tbs[0]!, Tag.integer) || decodeSmallInt(tbs[i++]) !== 1) throw new CrlError('only v2 CRLs are accepted');
  const innerAlg = tbs[i++]!;
  if (!equalBytes(innerAlg.bytes, sigAlg.bytes)) throw new CrlError('inner and outer signature algorithms differ');
  const signatureAlgorithm = decodeAlgorithm(sigAlg);
  const issuer = parseName(tbs[i++]);
  const thisUpdate = decodeTime(tbs[i++]);
  let nextUpdate: Date | undefined;
  const next = tbs[i];
  if (next && (isUniversal(next, Tag.utcTime) || isUniversal(next, Tag.generalizedTime))) {
    nextUpdate = decodeTime(next);
    i++;
  }
  const revoked = new Map<string, RevokedEntry>();
  const list = tbs[i];
  if (list && isUniversal(list, Tag.sequence)) {
    forEachChild(list, (entry) => readEntry(entry, revoked));
    i++;
  }
  let extensions = new Map<string, RawExtension>();
  const extNode = tbs[i];
  if (extNode && isContext(extNode, 0, true)) {
    const inner = childrenOf(extNode);
    if (inner.length !== 1) throw new CrlError('malformed crlExtensions');
    extensions = parseExtensionList(inner[0]!, 8192);
    i++;
  }
  if (i !== tbs.length) throw new CrlError('unexpected elements in TBSCertList');

  for (const [id, ext] of extensions) {
    if (ext.critical && !KNOWN_CRL_EXTENSIONS.has(id)) throw new CrlError(`unsupported critical CRL extension ${id}`);
  }
  if (extensions.has(OID.deltaCRLIndicator)) throw new CrlError('delta CRLs are not supported');
  const num = extensions.get(OID.cRLNumber)?.value;
  const aki = extensions.get(OID.authorityKeyIdentifier)?.value;
  const idp = extensions.get(OID.issuingDistributionPoint)?.value;
  return {
    der,
    sha256: createHash('sha256').update(der).digest('hex'),
    tbs: tbsNode.bytes,
    signatureAlgorithm,
    signature: bitStringBytes(sig, true),
    issuer,
    thisUpdate,
    nextUpdate,
    crlNumber: num ? decodeBigInt(num) : undefined,
    authorityKeyId: aki ? decodeAuthorityKeyId(aki) : undefined,
    revoked,
    scope: idp ? decodeIssuingDistributionPoint(idp) : undefined,
  };
}

function readEntry(entry: DerNode, revoked: Map<string, RevokedEntry>): void {
  const parts = expectSequence(entry, 'revoked certificate', 2, 3);
  const serial = serialHex(parts[0]);
  const revokedAt = decodeTime(parts[1]);
  let reason: RevocationReason | undefined;
  if (parts[2]) {
    const exts = parseExtensionList(parts[2], 256);
    for (const [id, ext] of exts) {
      // certificateIssuer (indirect CRLs) and anything unknown would change whose serial this is.
      if (ext.critical && !KNOWN_ENTRY_EXTENSIONS.has(id)) throw new CrlError(`unsupported critical CRL entry extension ${id}`);
    }
    const code = exts.get(OID.cRLReason)?.value;
    if (code) {
      reason = REVOCATION_REASONS[decodeEnumerated(code)];
      if (!reason) throw new CrlError('unknown CRL reason code');
    }
  }
  if (revoked.has(serial)) throw new CrlError(`serial ${serial} listed twice`);
  revoked.set(serial, { revokedAt, reason });
}

function decodeIssuingDistributionPoint(node: DerNode): Uint8Array[] {
  const parts = expectSequence(node, 'IssuingDistributionPoint');
  const names: Uint8Array[] = [];
  for (const p of parts) {
    if (isContext(p, 0, true)) {
      const choice = childrenOf(p);
      if (choice.length !== 1 || !isContext(choice[0]!, 0, true)) throw new CrlError('unsupported distribution point name form');
      names.push(...decodeGeneralNames(childrenOf(choice[0]!)).directoryNames);
    } else if (isContext(p, 3) || isContext(p, 4) || isContext(p, 2) || isContext(p, 5)) {
      // onlySomeReasons / indirectCRL / CA- or attribute-only CRLs: not a complete list for resident certificates.
      throw new CrlError('CRL scope (reasons, indirect, CA or attribute only) is not supported');
    }
  }
  return names;
}

/** Issuer name, optional AKI, cRLSign and the signature; throws CrlError. */
export function verifyCrlSignature(crl: ParsedCrl, issuer: JpkiCertificate): void {
  if (!equalBytes(crl.issuer.der, issuer.subject.der)) throw new CrlError('CRL issuer does not match the CA');
  const ski = issuer.extensions.subjectKeyId;
  if (crl.authorityKeyId && ski && !equalBytes(crl.authorityKeyId, ski)) throw new CrlError('CRL was issued by another key of this CA');
  const ku = issuer.extensions.keyUsage;
  if (ku && !ku.has('cRLSign')) throw new CrlError('CA certificate does not allow CRL signing');
  if (crl.signatureAlgorithm !== OID.sha256WithRSAEncryption) throw new CrlError('CRL must be signed with sha256WithRSAEncryption');
  let ok = false;
  try {
    ok = verifySignature('sha256', crl.tbs, publicKeyOf(issuer), crl.signature);
  } catch {
    ok = false;
  }
  if (!ok) throw new CrlError(`CRL signature does not verify with ${formatName(issuer.subject)}`);
}

/** Whether a (possibly partitioned) CRL covers `cert`. */
export function crlCovers(crl: ParsedCrl, cert: JpkiCertificate): boolean {
  if (!crl.scope || crl.scope.length === 0) return true;
  const dps = cert.extensions.crlDistributionPoints.directoryNames;
  return crl.scope.some((s) => dps.some((d) => equalBytes(s, d)));
}

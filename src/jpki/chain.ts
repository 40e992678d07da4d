/**
 * Path building to configured anchors (JPKI.md §4 steps 4–5). JPKI is one tier (root → leaf), but
 * caller-supplied intermediates are accepted as long as the path still ends at a configured anchor;
 * they are untrusted input and get the same checks as the leaf's issuer.
 */
import { verify as verifySignature } from 'node:crypto';
import { publicKeyOf } from './certificate.ts';
import type { JpkiCertificate } from './certificate.ts';
import { equalBytes } from './der.ts';
import { JpkiForbiddenError } from './errors.ts';
import { OID } from './oids.ts';
import type { TrustAnchor } from './trust-anchors.ts';

export interface ChainOptions {
  anchors: readonly TrustAnchor[];
  intermediates?: readonly JpkiCertificate[];
  /** Longest path of intermediates accepted between leaf and anchor. */
  maxIntermediates?: number;
}

export interface Chain {
  anchor: TrustAnchor;
  /** Leaf first, then intermediates; the anchor is not included. */
  path: JpkiCertificate[];
  /** The certificate whose key signed the leaf (anchor or first intermediate); CRLs come from it. */
  leafIssuer: JpkiCertificate;
}

/** True when `issuer`'s key produced `child`'s signature (exact TBS bytes, sha256WithRSA only). */
export function isSignedBy(child: JpkiCertificate, issuer: JpkiCertificate): boolean {
  if (child.signatureAlgorithm !== OID.sha256WithRSAEncryption) return false;
  if (issuer.publicKeyInfo.algorithm !== OID.rsaEncryption) return false;
  try {
    return verifySignature('sha256', child.tbs, publicKeyOf(issuer), child.signature);
  } catch {
    return false;
  }
}

function couldHaveIssued(child: JpkiCertificate, issuer: JpkiCertificate): boolean {
  if (!equalBytes(child.issuer.der, issuer.subject.der)) return false;
  const aki = child.extensions.authorityKeyId;
  const ski = issuer.extensions.subjectKeyId;
  return !aki || !ski || equalBytes(aki, ski);
}

function canIssue(ca: JpkiCertificate, depthBelow: number): boolean {
  const bc = ca.extensions.basicConstraints;
  if (!bc?.ca || !ca.extensions.keyUsage?.has('keyCertSign')) return false;
  if (ca.publicKeyInfo.modulusBits < 2048) return false;
  return bc.pathLength === undefined || bc.pathLength >= depthBelow;
}

/** Builds leaf → anchor; throws `untrusted_chain` when no path verifies. Validity is checked separately. */
export function buildChain(leaf: JpkiCertificate, options: ChainOptions): Chain {
  const max = options.maxIntermediates ?? 2;
  const intermediates = options.intermediates ?? [];

  const search = (cert: JpkiCertificate, path: JpkiCertificate[]): Chain | undefined => {
    const intermediatesBelow = path.length - 1;
    for (const anchor of options.anchors) {
      if (couldHaveIssued(cert, anchor.certificate) && isSignedBy(cert, anchor.certificate)) {
        return { anchor, path, leafIssuer: path.length > 1 ? path[1]! : anchor.certificate };
      }
    }
    if (intermediatesBelow >= max) return undefined;
    for (const ca of intermediates) {
      if (path.includes(ca) || !couldHaveIssued(cert, ca) || !canIssue(ca, intermediatesBelow)) continue;
      if (!isSignedBy(cert, ca)) continue;
      const found = search(ca, [...path, ca]);
      if (found) return found;
    }
    return undefined;
  };

  const chain = search(leaf, [leaf]);
  if (!chain) {
    throw new JpkiForbiddenError('untrusted_chain', 'certificate does not chain to a configured JPKI trust anchor');
  }
  return chain;
}

/** notBefore ≤ now ≤ notAfter for every certificate on the path, anchor included. */
export function assertChainValidAt(chain: Chain, now: Date): void {
  const certs = [...chain.path, chain.anchor.certificate];
  certs.forEach((cert, i) => {
    const what = i === 0 ? 'certificate' : 'issuing CA certificate';
    if (now.getTime() < cert.notBefore.getTime()) {
      throw new JpkiForbiddenError('certificate_not_yet_valid', `${what} is not valid before ${cert.notBefore.toISOString()}`);
    }
    if (now.getTime() > cert.notAfter.getTime()) {
      throw new JpkiForbiddenError('certificate_expired', `${what} expired at ${cert.notAfter.toISOString()}`);
    }
  });
}

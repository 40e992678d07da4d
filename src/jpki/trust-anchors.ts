/**
 * Trust anchors: the only certificates a chain may end at. Anchors come from configuration (the
 * real J-LIS roots in production, the PASS development CA otherwise) — never from the card, whose
 * EF 0002 copy of the CA is attacker-controlled.
 */
import { readFileSync } from 'node:fs';
import { verify as verifySignature } from 'node:crypto';
import { ConfigurationError, PassError } from '../core/errors.ts';
import { parseCertificate, publicKeyOf } from './certificate.ts';
import type { JpkiCertificate } from './certificate.ts';
import { formatName, nameValues } from './distinguished-name.ts';
import { OID } from './oids.ts';
import type { CertificateType } from './oids.ts';
import { derBlocks } from './pem.ts';

export type AnchorEnvironment = 'production' | 'development' | 'test';

export interface TrustAnchor {
  certificate: JpkiCertificate;
  kind: CertificateType;
  environment: AnchorEnvironment;
  /** Lowercase hex SHA-256 of the DER. */
  sha256: string;
  /** RFC 4514 subject, e.g. for evidence `issuer`. */
  name: string;
  source: string;
}

/**
 * SHA-256 of the J-LIS root certificates (JPKI.md §3). A certificate carrying the J-LIS name is
 * "production" only if its hash is here: the DN alone proves nothing. signca02 is the officially
 * quoted value ([s]); authca02's hash is not known yet and must be pinned through
 * `extraProductionFingerprints` once taken from jpki.go.jp.
 */
export const PRODUCTION_ROOT_SHA256: Readonly<Record<string, { kind: CertificateType; file: string }>> = {
  '19645405a1fe14377434bd55957628ac4038557c542403a2243f21c706fc9355': { kind: 'signature', file: 'signca01' },
  '79679c33e4cc9319440f1ad120a597ff1844e2ef217063adb176966fd5e6fbeb': { kind: 'signature', file: 'signca02' },
  'd227f6cde11d35c5252178f106f843d24651944975413b539fa2fb68dbfa365f': { kind: 'signature', file: 'signca03' },
  '4dcfc4ca0aaf9fb2a3081b3f0c991c320b3acc008667a341eeaec5af1d58ca7d': { kind: 'user_authentication', file: 'authca01' },
  '64114f29620c24ed2631d46476a040e7ee740d956089c00b036a6a8118c322b5': { kind: 'user_authentication', file: 'authca03' },
};

/** The organisation value that marks J-LIS production roots (O=JPKI) and test-card roots. */
export const JLIS_ORGANIZATION = 'JPKI';
export const JLIS_TEST_ORGANIZATION = 'JPKI-TEST';
/** Organisation of the PASS development CA (dev-ca.ts); never a J-LIS name. */
export const DEV_CA_ORGANIZATION = 'PASS-DEV-JPKI';

const KIND_BY_OU: Record<string, CertificateType> = {
  'JPKI for digital signature': 'signature',
  'JPKI for user authentication': 'user_authentication',
};

export interface TrustAnchorOptions {
  /** Further pinned J-LIS roots (lowercase SHA-256 hex → kind), e.g. authca02. */
  extraProductionFingerprints?: Readonly<Record<string, CertificateType>>;
  /** Refuse development and test anchors; the platform sets this in production. */
  productionOnly?: boolean;
}

export interface AnchorInput {
  source: string;
  data: string | Uint8Array;
}

export function loadTrustAnchors(paths: readonly string[], options: TrustAnchorOptions = {}): TrustAnchor[] {
  const problems: string[] = [];
  const inputs: AnchorInput[] = [];
  for (const path of paths) {
    try {
      inputs.push({ source: path, data: readFileSync(path) });
    } catch (err) {
      problems.push(`trust anchor ${path}: cannot be read (${(err as Error).message})`);
    }
  }
  if (problems.length > 0) throw new ConfigurationError(problems);
  return parseTrustAnchors(inputs, options);
}

/** Validates every anchor and reports all problems at once (ConfigurationError). */
export function parseTrustAnchors(inputs: readonly AnchorInput[], options: TrustAnchorOptions = {}): TrustAnchor[] {
  const problems: string[] = [];
  const anchors = new Map<string, TrustAnchor>();
  for (const input of inputs) {
    const blocks = derBlocks(input.data, 'CERTIFICATE');
    if (blocks.length === 0) problems.push(`trust anchor ${input.source}: no certificate found`);
    for (const der of blocks) {
      try {
        const anchor = toAnchor(der, input.source, options);
        anchors.set(anchor.sha256, anchor);
      } catch (err) {
        if (!(err instanceof PassError)) throw err;
        problems.push(`trust anchor ${input.source}: ${err.message}`);
      }
    }
  }
  if (problems.length === 0 && anchors.size === 0) problems.push('no trust anchors configured');
  if (problems.length > 0) throw new ConfigurationError(problems);
  return [...anchors.values()];
}

function toAnchor(der: Uint8Array, source: string, options: TrustAnchorOptions): TrustAnchor {
  const cert = parseCertificate(der, { maxBytes: 16384 });
  const fail = (msg: string): never => {
    throw new ConfigurationError([msg]);
  };
  const ext = cert.extensions;
  if (!ext.basicConstraints?.ca) fail('not a CA certificate (basicConstraints cA is not TRUE)');
  if (!ext.keyUsage?.has('keyCertSign')) fail('keyUsage lacks keyCertSign');
  if (cert.publicKeyInfo.algorithm !== OID.rsaEncryption || cert.publicKeyInfo.modulusBits < 2048) {
    fail('anchor key must be RSA of at least 2048 bits');
  }
  if (Buffer.compare(cert.issuer.der, cert.subject.der) !== 0 ||
    !verifySignature('sha256', cert.tbs, publicKeyOf(cert), cert.signature)) {
    fail('not a self-signed root (issuer differs or self-signature does not verify)');
  }
  const ous = nameValues(cert.subject, OID.organizationalUnitName);
  const org = nameValues(cert.subject, OID.organizationName)[0];
  const kindByName = ous.map((ou) => KIND_BY_OU[ou]).find((k) => k !== undefined);

  const pinned = PRODUCTION_ROOT_SHA256[cert.sha256]?.kind ?? options.extraProductionFingerprints?.[cert.sha256];
  let environment: AnchorEnvironment;
  if (pinned) {
    environment = 'production';
    if (kindByName !== pinned) fail('pinned J-LIS root does not carry the expected name');
  } else if (org === JLIS_ORGANIZATION) {
    return fail(`carries the J-LIS name but SHA-256 ${cert.sha256} is not a pinned J-LIS root`);
  } else if (org === JLIS_TEST_ORGANIZATION) {
    environment = 'test';
  } else if (org === DEV_CA_ORGANIZATION) {
    environment = 'development';
  } else {
    return fail('not a JPKI root (unknown organisation)');
  }
  if (!kindByName) return fail('subject OU names neither the signature nor the user-authentication CA');
  if (options.productionOnly && environment !== 'production') {
    fail(`${environment} anchor refused: production accepts only the pinned J-LIS roots`);
  }
  return { certificate: cert, kind: kindByName, environment, sha256: cert.sha256, name: formatName(cert.subject), source };
}

/** For the platform's start-up check: throws unless every anchor is a pinned J-LIS root. */
export function assertProductionTrustAnchors(anchors: readonly TrustAnchor[]): void {
  const bad = anchors.filter((a) => a.environment !== 'production');
  if (bad.length > 0) {
    throw new ConfigurationError(bad.map((a) => `trust anchor ${a.source} (${a.name}) is a ${a.environment} anchor`));
  }
}

/**
 * Trust anchors, revocation and the verifier, from configuration (issue #4):
 * - JPKI_TRUST_ANCHORS set: those files only; in production every one must be a pinned J-LIS root
 *   (assertProductionTrustAnchors), and test-card policies are refused;
 * - not set (development, tests): the development CA of this installation (dev-pki.ts), whose
 *   CRL lists the revoked virtual cards.
 * CRLs come from JPKI_CRL_SOURCES (files or URLs) and fail closed past JPKI_CRL_MAX_AGE_SECONDS.
 */
import path from 'node:path';
import type { Config } from '../../config/load-config.ts';
import type { Database } from '../../db/database.ts';
import type { Logger } from '../../core/logger.ts';
import type { SecretBox } from '../../core/secret-box.ts';
import { ConfigurationError } from '../../core/errors.ts';
import {
  assertProductionTrustAnchors,
  CachingCrlProvider,
  CrlRevocationChecker,
  createJpkiVerifier,
  loadTrustAnchors,
  parseTrustAnchors,
} from '../../jpki/index.ts';
import type { CrlSource, JpkiVerifier, TrustAnchor } from '../../jpki/index.ts';
import { DevCardStore } from './dev-cards.ts';
import { crlFetchFor, devCrlUrl, loadDevelopmentCas } from './dev-pki.ts';

export interface ProofingPki {
  verifier: JpkiVerifier;
  anchors: TrustAnchor[];
  crl: CachingCrlProvider;
  /** The fail-closed checker the verifier asks; readiness asks it too. */
  revocation: CrlRevocationChecker;
  allowTestCards: boolean;
  /** Present only when the development CA is the trust anchor (never in production). */
  dev: DevCardStore | undefined;
}

export interface PkiDeps {
  config: Config;
  db: Database;
  box: SecretBox;
  log: Logger;
  /** Called after a virtual card was revoked and this node's CRL reloaded (tell the other nodes). */
  onDevRevoked?: () => Promise<void>;
  /** The clock certificates and CRLs are judged by; the wall clock unless a test moves it. */
  now?: () => Date;
}

/** Configured anchors; production refuses anything but pinned J-LIS roots. */
export function loadConfiguredAnchors(config: Config): TrustAnchor[] | undefined {
  const paths = config.jpki.trustAnchors;
  if (!paths?.length) {
    if (config.production) throw new ConfigurationError(['JPKI_TRUST_ANCHORS: required in production (the J-LIS root certificates)']);
    return undefined;
  }
  const anchors = loadTrustAnchors(paths, { productionOnly: config.production });
  if (config.production) assertProductionTrustAnchors(anchors);
  return anchors;
}

/**
 * Whether the CRLs loaded now list a card's user-authentication certificate; undefined when no CRL
 * of its issuer is loaded (the card's status is then not known, and nothing is claimed).
 */
export async function cardCertificateRevoked(pki: ProofingPki, issuer: string, serialNumber: string, now = new Date()): Promise<boolean | undefined> {
  const anchor = pki.anchors.find((a) => a.kind === 'user_authentication' && a.name === issuer);
  if (!anchor) return undefined;
  const loaded = await pki.crl.crlsFor(anchor.certificate, now);
  if (!loaded.length) return undefined;
  // Serials are unique per issuer, so a listing in any of its (per-municipality) CRLs is the card's.
  return loaded.some((l) => l.crl.revoked.has(serialNumber.toUpperCase()));
}

export function crlSourcesFrom(values: readonly string[], cwd = process.cwd()): CrlSource[] {
  return values.map((value) =>
    /^https?:\/\//i.test(value) ? { kind: 'url' as const, url: value } : { kind: 'file' as const, path: path.resolve(cwd, value) },
  );
}

export async function createProofingPki({ config, db, box, log, onDevRevoked, now }: PkiDeps): Promise<ProofingPki> {
  const allowTestCards = !config.production && config.jpki.allowTestCards;
  let anchors = loadConfiguredAnchors(config);
  let devCas;
  if (!anchors) {
    if (!allowTestCards) {
      throw new ConfigurationError([
        'JPKI_ALLOW_TEST_CARDS=false needs JPKI_TRUST_ANCHORS: the development CA issues test-policy cards only',
      ]);
    }
    devCas = await loadDevelopmentCas(db, box);
    anchors = parseTrustAnchors([
      { source: 'development CA (signature)', data: devCas.signature.certificateDer },
      { source: 'development CA (user authentication)', data: devCas.authentication.certificateDer },
    ]);
  }
  if (!anchors.some((a) => a.kind === 'signature')) {
    throw new ConfigurationError(['JPKI_TRUST_ANCHORS: no signature-certificate root (JPKI for digital signature) is configured']);
  }

  const sources = crlSourcesFrom(config.jpki.crlSources);
  let dev: DevCardStore | undefined;
  let crl: CachingCrlProvider | undefined;
  let fetcher: typeof globalThis.fetch | undefined;
  if (devCas) {
    dev = new DevCardStore(db, box, devCas, async () => {
      await crl?.refresh();
      await onDevRevoked?.();
    });
    const cards = dev;
    fetcher = crlFetchFor(devCas, (kind) => cards.revocations(kind));
    sources.push({ kind: 'url', url: devCrlUrl('signature') }, { kind: 'url', url: devCrlUrl('user_authentication') });
  }
  crl = new CachingCrlProvider({
    sources,
    issuers: anchors.map((a) => a.certificate),
    // Development CRLs are made on demand; reloading them often lets every node see a revocation soon.
    refreshIntervalMs: devCas ? 30_000 : 3_600_000,
    ...(fetcher ? { fetch: fetcher } : {}),
    ...(now ? { now } : {}),
    onError: (source, error) => log.warn({ source, reason: error.message }, 'JPKI CRL could not be loaded'),
  });
  await crl.refresh();
  const revocation = new CrlRevocationChecker({ provider: crl, maxCrlAgeMs: config.jpki.crlMaxAgeSeconds * 1000, ...(now ? { now } : {}) });
  const verifier = createJpkiVerifier({ trustAnchors: anchors, revocation, allowTestPolicies: allowTestCards, ...(now ? { now } : {}) });
  return { verifier, anchors, crl, revocation, allowTestCards, dev };
}

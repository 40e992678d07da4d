/** RevocationChecker over CRLs: newest applicable verified CRL, failing closed when it is stale. */
import type { JpkiCertificate } from '../certificate.ts';
import { JpkiUnavailableError } from '../errors.ts';
import { crlCovers } from './crl.ts';
import type { CrlProvider } from './crl-provider.ts';
import type { RevocationChecker, RevocationStatus } from './revocation-checker.ts';

export interface CrlRevocationCheckerOptions {
  provider: CrlProvider;
  /**
   * Refuse to answer from a CRL whose thisUpdate is older than this. The platform configures it
   * (e.g. 48 h: J-LIS publishes daily and a platform may lag a day, JPKI.md §5).
   */
  maxCrlAgeMs: number;
  /**
   * How long past nextUpdate a CRL may still be used; default 0 (expired CRLs are not used).
   * maxCrlAgeMs applies as well.
   */
  nextUpdateGraceMs?: number;
  /** Tolerated clock difference for a CRL dated in the future; default 5 minutes. */
  clockSkewMs?: number;
  now?: () => Date;
}

export class CrlRevocationChecker implements RevocationChecker {
  private readonly options: CrlRevocationCheckerOptions;

  constructor(options: CrlRevocationCheckerOptions) {
    if (!(options.maxCrlAgeMs > 0)) throw new Error('maxCrlAgeMs must be a positive number of milliseconds');
    this.options = options;
  }

  async check(cert: JpkiCertificate, issuer: JpkiCertificate): Promise<RevocationStatus> {
    const now = this.now();
    const loaded = (await this.options.provider.crlsFor(issuer, now)).filter((l) => crlCovers(l.crl, cert));
    if (loaded.length === 0) {
      throw new JpkiUnavailableError('revocation_unavailable', 'no verified CRL covering this certificate is available');
    }
    const newest = loaded.reduce((a, b) => (b.crl.thisUpdate.getTime() > a.crl.thisUpdate.getTime() ? b : a));
    const { crl } = newest;
    const unusable = this.whyUnusable(crl, now);
    if (unusable) throw new JpkiUnavailableError('revocation_unavailable', unusable);
    const entry = crl.revoked.get(cert.serialNumber);
    const status: RevocationStatus = {
      status: entry ? 'revoked' : 'good',
      method: 'crl',
      checkedAt: now,
      source: newest.source,
      thisUpdate: crl.thisUpdate,
    };
    if (crl.nextUpdate) status.nextUpdate = crl.nextUpdate;
    if (entry) {
      status.revokedAt = entry.revokedAt;
      if (entry.reason) status.reason = entry.reason;
    }
    return status;
  }

  /**
   * Each configured source a proof could not rely on now, and why: asked as a proof asks it
   * (due sources are refreshed first, the same freshness rules), so that readiness reports what
   * proofs will answer.
   */
  async unusableSources(): Promise<{ source: string; reason: string }[]> {
    const now = this.now();
    await this.options.provider.refreshDue(now);
    return this.options.provider.status().flatMap(({ source, loaded, lastError }) => {
      const reason = loaded ? this.whyUnusable(loaded, now) : `no verified CRL loaded${lastError ? ` (${lastError})` : ''}`;
      return reason ? [{ source, reason }] : [];
    });
  }

  /** Why a CRL with these dates may not be relied on at `now` (fail closed), or undefined. */
  private whyUnusable(crl: { thisUpdate: Date; nextUpdate: Date | undefined }, now: Date): string | undefined {
    const t = now.getTime();
    const { thisUpdate, nextUpdate } = crl;
    if (thisUpdate.getTime() > t + (this.options.clockSkewMs ?? 300_000)) {
      return `CRL is dated in the future (thisUpdate ${thisUpdate.toISOString()}); check the server clock`;
    }
    const age = t - thisUpdate.getTime();
    if (age > this.options.maxCrlAgeMs) {
      return `CRL is older than the allowed maximum age (thisUpdate ${thisUpdate.toISOString()}, age ${hours(age)}, limit ${hours(this.options.maxCrlAgeMs)})`;
    }
    if (nextUpdate && t > nextUpdate.getTime() + (this.options.nextUpdateGraceMs ?? 0)) {
      return `CRL is past its nextUpdate (${nextUpdate.toISOString()}) and no newer CRL could be loaded`;
    }
    return undefined;
  }

  private now(): Date {
    return this.options.now ? this.options.now() : new Date();
  }
}

const hours = (ms: number): string => `${Math.round(ms / 360_000) / 10} h`;

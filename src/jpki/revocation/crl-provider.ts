/**
 * Loads CRLs from configured files or URLs, verifies each against the configured CA certificates
 * when it is loaded, and keeps the newest good copy per source. A refresh that fails (network
 * error, bad signature, older than what we hold) keeps the previous copy; whether that copy is
 * still fresh enough to answer is the checker's decision, which fails closed.
 *
 * Refresh is lazy and single-flight: a request that finds a source due (refresh interval elapsed,
 * or its nextUpdate passed) triggers one reload and awaits it; concurrent requests share it.
 */
import { readFile } from 'node:fs/promises';
import type { JpkiCertificate } from '../certificate.ts';
import { equalBytes } from '../der.ts';
import { formatName } from '../distinguished-name.ts';
import { derBlocks } from '../pem.ts';
import { CrlError, DEFAULT_MAX_CRL_BYTES, parseCrl, verifyCrlSignature } from './crl.ts';
import type { ParsedCrl } from './crl.ts';

export type CrlSource =
  | { kind: 'file'; path: string }
  | { kind: 'url'; url: string }
  | { kind: 'bytes'; name: string; data: Uint8Array | string };

export interface LoadedCrl {
  crl: ParsedCrl;
  /** File path, URL or name, for evidence and logs. */
  source: string;
  loadedAt: Date;
  /** SHA-256 of the CA certificate whose key verified this CRL. */
  verifiedBy: string;
}

export interface CrlProvider {
  /** Current verified CRLs issued by `issuer`'s key, refreshing due sources first. */
  crlsFor(issuer: JpkiCertificate, now: Date): Promise<LoadedCrl[]>;
  /** Reloads the sources that are due at `now` (what crlsFor does first). */
  refreshDue(now: Date): Promise<void>;
  /** What each configured source holds now. */
  status(): CrlSourceStatus[];
}

export interface CrlSourceStatus {
  source: string;
  loaded: { thisUpdate: Date; nextUpdate: Date | undefined; loadedAt: Date; entries: number } | undefined;
  lastAttemptAt: Date | undefined;
  lastError: string | undefined;
}

export interface CachingCrlProviderOptions {
  sources: readonly CrlSource[];
  /** CA certificates (normally the trust anchors) whose CRLs are accepted. */
  issuers: readonly JpkiCertificate[];
  /** Reload a source at least this often, default 1 hour. */
  refreshIntervalMs?: number;
  /** After a failed or pointless attempt, wait this long before trying the source again; default 60 s. */
  retryIntervalMs?: number;
  now?: () => Date;
  fetch?: typeof globalThis.fetch;
  fetchTimeoutMs?: number;
  maxCrlBytes?: number;
  onError?: (source: string, error: Error) => void;
}

interface Entry {
  source: CrlSource;
  label: string;
  loaded: LoadedCrl | undefined;
  lastAttemptAt: Date | undefined;
  lastError: string | undefined;
  inflight: Promise<void> | undefined;
}

function labelOf(source: CrlSource): string {
  return source.kind === 'file' ? source.path : source.kind === 'url' ? source.url : source.name;
}

export class CachingCrlProvider implements CrlProvider {
  private readonly entries: Entry[];
  private readonly options: CachingCrlProviderOptions;

  constructor(options: CachingCrlProviderOptions) {
    this.options = options;
    this.entries = options.sources.map((source) => ({
      source,
      label: labelOf(source),
      loaded: undefined,
      lastAttemptAt: undefined,
      lastError: undefined,
      inflight: undefined,
    }));
  }

  async crlsFor(issuer: JpkiCertificate, now: Date): Promise<LoadedCrl[]> {
    await this.refreshDue(now);
    return this.entries.flatMap((e) => (e.loaded && e.loaded.verifiedBy === issuer.sha256 ? [e.loaded] : []));
  }

  async refreshDue(now: Date): Promise<void> {
    await Promise.all(this.entries.filter((e) => this.isDue(e, now)).map((e) => this.load(e, now)));
  }

  /** Reloads every source now (start-up, admin action, tests). */
  async refresh(): Promise<void> {
    const now = this.now();
    await Promise.all(this.entries.map((e) => this.load(e, now)));
  }

  status(): CrlSourceStatus[] {
    return this.entries.map((e) => ({
      source: e.label,
      loaded: e.loaded && {
        thisUpdate: e.loaded.crl.thisUpdate,
        nextUpdate: e.loaded.crl.nextUpdate,
        loadedAt: e.loaded.loadedAt,
        entries: e.loaded.crl.revoked.size,
      },
      lastAttemptAt: e.lastAttemptAt,
      lastError: e.lastError,
    }));
  }

  private now(): Date {
    return this.options.now ? this.options.now() : new Date();
  }

  private isDue(e: Entry, now: Date): boolean {
    const t = now.getTime();
    const retry = this.options.retryIntervalMs ?? 60_000;
    if (e.lastAttemptAt && t - e.lastAttemptAt.getTime() < retry) return false;
    if (!e.loaded) return true;
    const interval = this.options.refreshIntervalMs ?? 3_600_000;
    const next = e.loaded.crl.nextUpdate;
    return t - e.loaded.loadedAt.getTime() >= interval || (next !== undefined && t >= next.getTime());
  }

  private load(e: Entry, now: Date): Promise<void> {
    if (!e.inflight) {
      e.inflight = this.doLoad(e, now).finally(() => {
        e.inflight = undefined;
      });
    }
    return e.inflight;
  }

  private async doLoad(e: Entry, now: Date): Promise<void> {
    e.lastAttemptAt = now;
    try {
      const blocks = derBlocks(await this.read(e.source), 'X509 CRL');
      if (blocks.length !== 1) throw new CrlError('expected exactly one CRL');
      const crl = parseCrl(blocks[0]!, { maxBytes: this.maxBytes() });
      const verifiedBy = this.verify(crl);
      const prev = e.loaded?.crl;
      if (prev && crl.thisUpdate.getTime() < prev.thisUpdate.getTime()) {
        // A replayed older CRL could hide a recent revocation; keep the newer one.
        throw new CrlError('source served a CRL older than the one already held');
      }
      e.loaded = { crl, source: e.label, loadedAt: now, verifiedBy };
      e.lastError = undefined;
    } catch (err) {
      const error = err instanceof Error ? err : new Error(String(err));
      e.lastError = error.message;
      this.options.onError?.(e.label, error);
    }
  }

  /** Several CA generations share one name (JPKI.md §3), so each same-named CA is tried. */
  private verify(crl: ParsedCrl): string {
    const named = this.options.issuers.filter((ca) => equalBytes(ca.subject.der, crl.issuer.der));
    if (named.length === 0) throw new CrlError(`CRL issuer ${formatName(crl.issuer)} is not a configured CA`);
    let lastError: Error | undefined;
    for (const issuer of named) {
      try {
        verifyCrlSignature(crl, issuer);
        return issuer.sha256;
      } catch (err) {
        lastError = err as Error;
      }
    }
    throw lastError!;
  }

  private maxBytes(): number {
    return this.options.maxCrlBytes ?? DEFAULT_MAX_CRL_BYTES;
  }

  private async read(source: CrlSource): Promise<Uint8Array | string> {
    switch (source.kind) {
      case 'bytes':
        return source.data;
      case 'file':
        return new Uint8Array(await readFile(source.path));
      case 'url': {
        const doFetch = this.options.fetch ?? globalThis.fetch;
        const res = await doFetch(source.url, { signal: AbortSignal.timeout(this.options.fetchTimeoutMs ?? 15_000) });
        if (!res.ok) throw new CrlError(`HTTP ${res.status} from ${source.url}`);
        const length = Number(res.headers.get('content-length') ?? '0');
        if (length > this.maxBytes()) throw new CrlError('CRL larger than the configured maximum');
        const body = new Uint8Array(await res.arrayBuffer());
        if (body.length > this.maxBytes()) throw new CrlError('CRL larger than the configured maximum');
        return body;
      }
    }
  }
}

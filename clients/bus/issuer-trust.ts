/**
 * What the bus trusts, fetched from PASS over HTTP like any verifier would: the credential issuer's
 * keys (`/.well-known/jwt-vc-issuer`, kept briefly so a rush at the bus stop costs one fetch) and
 * the status list a credential names, fetched for every presentation so a revocation counts at
 * once. Only lists under the trusted issuer's own status-list path are fetched: the address comes
 * from the credential, and a verifier must not be made to fetch arbitrary URLs.
 */
import type { IssuerMetadata, StatusListEntry } from '../../src/wallet/sd-jwt/index.ts';
import { BUS_REASONS } from './reasons.ts';

const FETCH_TIMEOUT_MS = 5_000;
/** How long the issuer's keys are reused; a kid not among them makes the bus fetch again (rotation). */
export const ISSUER_KEYS_CACHE_SECONDS = 60;
const MAX_BODY_BYTES = 1 << 20;

type Fetch = typeof fetch;

async function boundedText(response: Response): Promise<string> {
  const text = await response.text();
  if (text.length > MAX_BODY_BYTES) throw new Error('answer too large');
  return text;
}

export class PassIssuerTrust {
  readonly issuer: string;
  readonly #fetch: Fetch;
  readonly #now: () => number;
  #cached: { metadata: IssuerMetadata; fetchedAt: number } | undefined;

  constructor(issuer: string, options: { fetch?: Fetch; now?: () => number } = {}) {
    this.issuer = issuer;
    this.#fetch = options.fetch ?? fetch;
    this.#now = options.now ?? Date.now;
  }

  /** The issuer's SD-JWT VC metadata; `fresh` skips the cache (a key the cached copy lacks). */
  async metadata(fresh = false): Promise<IssuerMetadata> {
    const cached = this.#cached;
    if (!fresh && cached && this.#now() - cached.fetchedAt < ISSUER_KEYS_CACHE_SECONDS * 1000) return cached.metadata;
    let metadata: unknown;
    try {
      const response = await this.#fetch(`${this.issuer}/.well-known/jwt-vc-issuer`, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS), headers: { accept: 'application/json' } });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      metadata = JSON.parse(await boundedText(response));
    } catch (error) {
      throw BUS_REASONS.refuse('issuer_keys_unavailable', `the issuer metadata could not be fetched: ${(error as Error).message}`);
    }
    const m = metadata as Partial<IssuerMetadata> | null;
    // The document must be the trusted issuer's own (SD-JWT VC §5: its issuer is the URL it came from).
    if (!m || m.issuer !== this.issuer || !m.jwks || !Array.isArray(m.jwks.keys)) throw BUS_REASONS.refuse('issuer_keys_unavailable', 'the issuer metadata names another issuer or no keys');
    this.#cached = { metadata: { issuer: m.issuer, jwks: { keys: m.jwks.keys } }, fetchedAt: this.#now() };
    return this.#cached.metadata;
  }

  /** Whether the cached keys were fetched long enough ago that fetching again may find a new key. */
  mayRefresh(): boolean {
    return !this.#cached || this.#now() - this.#cached.fetchedAt > 1_000;
  }

  /** The status list token at `uri`, fetched now; undefined (the core then refuses) when it is not the issuer's or does not come. */
  async statusList(uri: string): Promise<StatusListEntry | undefined> {
    if (!uri.startsWith(`${this.issuer}/wallet/status-lists/`)) return undefined;
    try {
      const response = await this.#fetch(uri, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS), headers: { accept: 'application/statuslist+jwt' }, cache: 'no-store' });
      if (!response.ok) return undefined;
      return { token: (await boundedText(response)).trim(), fetchedAt: new Date(this.#now()) };
    } catch {
      return undefined;
    }
  }
}

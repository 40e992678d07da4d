/**
 * Check-in by a wallet presentation (issue 19): the resident's phone shows an SD-JWT VC with key
 * binding as a QR code, the kiosk page verifies it itself — offline if it must, with the issuer keys
 * and status lists it keeps — and records the check-in under its own id; PASS verifies it again when
 * the check-in reaches it, with a status list fetched now, so a credential revoked while the kiosk was
 * cut off is refused at sync and staff are told. The person is found through the credential's status
 * entry (the credential carries no subject id).
 *
 * What a kiosk asks for depends on its facility: a shelter needs to know who came in, so it asks the
 * verified-resident credential for `name` only; every other facility asks the residency credential
 * for `resident_of` only (that the visitor lives in a municipality, no address). The audience is
 * `pass-kiosk:<kiosk id>`, so a presentation made for one kiosk is refused by every other.
 *
 * PASS reads its own issuer keys and status lists the way any verifier does, over HTTP from its
 * issuer URL (and only from there): the check is the standard one, with no back door into the
 * issuer's tables beyond finding whose credential a status entry is.
 */
import { createHash } from 'node:crypto';
import type { Knex } from 'knex';
import { UnavailableError } from '../core/errors.ts';
import { credentialHolder, statusListIdOf } from '../wallet/credential-holders.ts';
import { isPresentationError, verifyPresentation, type IssuerMetadata, type PresentationReason } from '../wallet/sd-jwt/index.ts';

export const KIOSK_AUDIENCE_PREFIX = 'pass-kiosk:';
export const kioskAudience = (kioskId: string): string => `${KIOSK_AUDIENCE_PREFIX}${kioskId}`;

/** Refusals of a credential check-in beyond the SD-JWT core's. */
export type CredentialRefusal = PresentationReason | 'presentation_replayed' | 'credential_claims_missing';

export class CredentialRefused extends Error {
  readonly reason: CredentialRefusal;
  constructor(reason: CredentialRefusal) {
    super(reason);
    this.reason = reason;
  }
}

export interface CredentialRequest {
  /** The DCQL credential query id. */
  id: string;
  vct: string;
  claims: string[];
}

/** What a facility's kiosk asks a wallet for (see the module comment). */
export function credentialRequestFor(kind: string): CredentialRequest {
  return kind === 'shelter'
    ? { id: 'resident', vct: 'urn:pass:vct:verified-resident:1', claims: ['name'] }
    : { id: 'residency', vct: 'urn:pass:vct:residency:1', claims: ['resident_of'] };
}

/** The OpenID4VP 1.0 DCQL query for it. */
export function dcqlQuery(request: CredentialRequest): Record<string, unknown> {
  return { credentials: [{ id: request.id, format: 'dc+sd-jwt', meta: { vct_values: [request.vct] }, claims: request.claims.map((name) => ({ path: [name] })) }] };
}

export interface VerifiedCredentialCheckin {
  /** The person the credential is about; undefined when PASS knows none (deleted since). */
  personId: string | undefined;
  /** The facts presented (only those asked for). */
  claims: Record<string, unknown>;
  /** SHA-256 of the key-binding JWT: the same presentation counts once. */
  digest: string;
}

export interface CredentialCheckinInput {
  presentation: string;
  kioskId: string;
  facilityKind: string;
  nonce: string;
  aud: string;
  /** When the kiosk verified it: the key binding and the credential's validity are judged then; the status now. */
  at: Date;
}

type Fetch = (url: string, init?: RequestInit) => Promise<Response>;

/** Status lists fetched longer ago than this are not relied on by PASS itself (it is online). */
const ONLINE_STATUS_AGE_SECONDS = 60;
const ISSUER_METADATA_MS = 60_000;

export class CredentialCheckins {
  readonly #db: Knex;
  readonly #issuer: string;
  readonly #fetch: Fetch;
  #metadata: { value: Promise<IssuerMetadata>; at: number } | undefined;

  constructor(options: { db: Knex; issuer: string; fetch?: Fetch }) {
    this.#db = options.db;
    this.#issuer = options.issuer;
    this.#fetch = options.fetch ?? ((url, init) => fetch(url, init));
  }

  get issuerMetadataUrl(): string {
    return `${this.#issuer}/.well-known/jwt-vc-issuer`;
  }

  async #get(url: string, accept: string): Promise<string> {
    const response = await this.#fetch(url, { headers: { accept }, redirect: 'error', signal: AbortSignal.timeout(5000) });
    if (!response.ok) throw new Error(`${url}: ${response.status}`);
    return response.text();
  }

  /** The issuer's keys, kept a minute: a rotation publishes the next key well before it signs. */
  async #issuerMetadata(): Promise<IssuerMetadata> {
    if (!this.#metadata || Date.now() - this.#metadata.at > ISSUER_METADATA_MS) {
      const value = this.#get(this.issuerMetadataUrl, 'application/json').then((text) => JSON.parse(text) as IssuerMetadata);
      this.#metadata = { value, at: Date.now() };
      value.catch(() => (this.#metadata = undefined));
    }
    return this.#metadata.value;
  }

  async verify(input: CredentialCheckinInput): Promise<VerifiedCredentialCheckin> {
    const request = credentialRequestFor(input.facilityKind);
    // The kiosk says which request it made; PASS holds it to this kiosk's own audience.
    if (input.aud !== kioskAudience(input.kioskId)) throw new CredentialRefused('presentation_audience_mismatch');
    let issuer: IssuerMetadata;
    try {
      issuer = await this.#issuerMetadata();
    } catch {
      throw new UnavailableError('wallet_unavailable', "PASS could not read its own credential issuer's keys");
    }
    let lookupFailed = false;
    try {
      const verified = await verifyPresentation(input.presentation, {
        trustedIssuers: [issuer],
        audience: input.aud,
        nonce: input.nonce,
        now: input.at,
        acceptedVcts: [request.vct],
        requestedClaims: request.claims,
        maxStatusListAgeSeconds: ONLINE_STATUS_AGE_SECONDS,
        statusList: async (uri) => {
          // Only PASS's own lists are fetched: a credential must not make PASS call an address it names.
          if (!statusListIdOf(this.#issuer, uri)) return undefined;
          try {
            return { token: await this.#get(uri, 'application/statuslist+jwt'), fetchedAt: input.at };
          } catch (error) {
            lookupFailed = true;
            throw error;
          }
        },
      });
      const missing = request.claims.filter((name) => !Object.hasOwn(verified.claims, name));
      if (missing.length) throw new CredentialRefused('credential_claims_missing');
      const status = statusEntry(input.presentation);
      const holder = status ? await credentialHolder(this.#db, this.#issuer, status.uri, status.idx) : undefined;
      const claims = Object.fromEntries(request.claims.map((name) => [name, verified.claims[name]]));
      return { personId: holder?.personId ?? undefined, claims, digest: digestOf(input.presentation) };
    } catch (error) {
      if (lookupFailed) throw new UnavailableError('wallet_unavailable', 'PASS could not read its own status list');
      if (isPresentationError(error)) throw new CredentialRefused(error.reason);
      throw error;
    }
  }
}

/** The status entry of a verified presentation's credential (the verifier checked its shape). */
function statusEntry(presentation: string): { uri: string; idx: number } | undefined {
  const payload = JSON.parse(Buffer.from(presentation.split('~')[0]!.split('.')[1]!, 'base64url').toString('utf8')) as { status?: { status_list?: { uri?: unknown; idx?: unknown } } };
  const entry = payload.status?.status_list;
  return typeof entry?.uri === 'string' && typeof entry.idx === 'number' ? { uri: entry.uri, idx: entry.idx } : undefined;
}

export function digestOf(presentation: string): string {
  return createHash('sha256').update(presentation.slice(presentation.lastIndexOf('~') + 1)).digest('base64url');
}

/**
 * Issuing one SD-JWT VC (issue 19) with @sd-jwt/sd-jwt-vc: the values read through their owners at
 * issue time (identity's verified facts, the claims engine's `age_over_N` and `resident_of`), the
 * holder's key as `cnf`, a random status-list entry, and no `sub` (a subject identifier in every
 * credential would let verifiers correlate a resident across uses).
 */
import { createHash, createHmac, randomBytes, sign } from 'node:crypto';
import { SDJwtVcInstance } from '@sd-jwt/sd-jwt-vc';
import type { JWK } from 'jose';
import type { Knex } from 'knex';
import type { ClaimsEngine } from '../claims/engine.ts';
import type { FactsReader } from '../claims/facts.ts';
import { AGE_THRESHOLDS } from '../claims/catalog.ts';
import { CREDENTIAL_ALG, CREDENTIAL_TYPES, type ConfigurationId } from './credential-types.ts';
import { recordCredential } from './credential-store.ts';
import { appendAudit } from '../audit/audit-log.ts';
import type { WalletKeys } from './issuer-keys.ts';
import { statusListUri } from './status-lists.ts';
import { WALLET_REASONS } from './reasons.ts';

export interface IssuerDeps {
  db: Knex;
  issuer: string;
  keys: WalletKeys;
  facts: FactsReader;
  engine: ClaimsEngine;
  /** PASS_IDENTITY_HASH_KEY: keys the digest of the facts a credential was made from. */
  basisKey: string;
  production: boolean;
  validitySeconds: (id: ConfigurationId) => number;
  /** Notified after each credential is issued (metrics). */
  onIssued?: (id: ConfigurationId) => void;
}

export interface IssueRequest {
  personId: string;
  holderAccountId: string;
  configurationId: ConfigurationId;
  /** The holder's public key, proven at the credential endpoint. */
  holderJwk: JWK;
  holderKeyThumbprint: string;
  now?: Date;
}

/** What a credential of one type says about a person now, and the facts it rests on (digested, never stored). */
export interface CredentialContent {
  claims: Record<string, unknown>;
  basis: string;
}

const b64url = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64url');

/** OIDC4IDA's evidence summary for the credential: trust framework, time and evidence, none of the correlatable serials. */
const VERIFICATION_REQUEST = { verification: { trust_framework: null, time: null, evidence: [{ type: null, check_details: null }] }, claims: { name: null } };

const hasher = (data: string | ArrayBuffer, alg: string): Uint8Array => {
  if (alg !== 'sha-256') throw new Error(`unexpected hash algorithm ${alg}`);
  return new Uint8Array(createHash('sha256').update(typeof data === 'string' ? data : new Uint8Array(data)).digest());
};

/** Salts of 128 bits, as SD-JWT recommends. */
const saltGenerator = (length: number): string => b64url(randomBytes(Math.max(16, length)));

export class CredentialIssuer {
  readonly #d: IssuerDeps;

  constructor(deps: IssuerDeps) {
    this.#d = deps;
  }

  /** The person's verified identity; person_not_proofed unless it is one PASS may vouch for here. */
  async assertProofed(personId: string): Promise<NonNullable<Awaited<ReturnType<FactsReader['identity']>>>> {
    const identity = await this.#d.facts.identity(personId);
    if (!identity || (this.#d.production && identity.anchorEnvironment !== 'production')) throw WALLET_REASONS.refuse('person_not_proofed');
    return identity;
  }

  /** The claims a credential of this type carries for the person now; fact_unavailable when they cannot be made. */
  async content(personId: string, id: ConfigurationId, now: Date): Promise<CredentialContent> {
    // The person's facts are read once and handed to the claims engine (issuance is on the wallet's hot path).
    const facts = await this.#d.facts.person(personId);
    const identity = facts?.identity;
    if (!facts || !identity || (this.#d.production && identity.anchorEnvironment !== 'production')) throw WALLET_REASONS.refuse('person_not_proofed');
    const engine = this.#d.engine;
    if (id === 'pass_verified_resident') {
      const c = await engine.claimsFromFacts(facts, {
        consented: new Set(['name', 'birthdate', 'gender', 'address', 'verified_claims']),
        verifiedClaimsRequest: VERIFICATION_REQUEST,
        now,
      });
      const verified = c.verified_claims as { verification?: Record<string, unknown> } | undefined;
      const address = c.address as { formatted?: string } | undefined;
      if (typeof c.name !== 'string' || typeof c.birthdate !== 'string' || !address?.formatted || !verified?.verification) throw WALLET_REASONS.refuse('fact_unavailable');
      const claims: Record<string, unknown> = { name: c.name, birthdate: c.birthdate, address: { formatted: address.formatted }, verification: verified.verification };
      if (typeof c.gender === 'string') claims.gender = c.gender;
      return { claims, basis: JSON.stringify([c.name, c.birthdate, c.gender ?? null, address.formatted]) };
    }
    if (id === 'pass_age') {
      const c = await engine.claimsFromFacts(facts, { consented: new Set(AGE_THRESHOLDS.map((n) => `age_over_${n}`)), now });
      if (Object.keys(c).length !== AGE_THRESHOLDS.length) throw WALLET_REASONS.refuse('fact_unavailable');
      return { claims: c, basis: identity.claims.birthdate ?? '' };
    }
    const c = await engine.claimsFromFacts(facts, { consented: new Set(['resident_of']), now });
    if (typeof c.resident_of !== 'string') throw WALLET_REASONS.refuse('fact_unavailable');
    return { claims: { resident_of: c.resident_of }, basis: c.resident_of };
  }

  /** A keyed digest of what a credential rests on: the revocation review finds a change of address by it without keeping the address. */
  basisDigest(id: ConfigurationId, basis: string): string {
    return createHmac('sha256', this.#d.basisKey).update(`pass-wallet-basis\n${id}\n${basis}`).digest('base64url');
  }

  /** Issues one credential; returns the SD-JWT (issuer-signed JWT and every disclosure, no key binding). */
  async issue(request: IssueRequest): Promise<string> {
    const now = request.now ?? new Date();
    const type = CREDENTIAL_TYPES[request.configurationId];
    const { claims, basis } = await this.content(request.personId, request.configurationId, now);
    const key = await this.#d.keys.signingKey();
    const iat = Math.floor(now.getTime() / 1000);
    const exp = iat + this.#d.validitySeconds(request.configurationId);
    const entry = await recordCredential(this.#d.db, {
      personId: request.personId,
      holderAccountId: request.holderAccountId,
      configurationId: request.configurationId,
      holderKeyThumbprint: request.holderKeyThumbprint,
      signingKid: key.kid,
      basisDigest: this.basisDigest(request.configurationId, basis),
      issuedAt: new Date(iat * 1000),
      expiresAt: new Date(exp * 1000),
    });
    const payload = {
      iss: this.#d.issuer,
      iat,
      exp,
      vct: type.vct,
      cnf: { jwk: request.holderJwk },
      status: { status_list: { idx: entry.statusIndex, uri: statusListUri(this.#d.issuer, entry.statusListId) } },
      ...claims,
    };
    const disclosable = type.claims.filter((c) => c.disclosable && c.name in claims).map((c) => c.name);
    const credential = await this.#issueWith(key, payload, disclosable);
    await appendAudit(this.#d.db, {
      actorAccountId: request.holderAccountId,
      action: 'wallet.credential_issued',
      personId: request.personId,
      details: { credentialId: entry.id, configurationId: request.configurationId, holderKeyThumbprint: request.holderKeyThumbprint },
    });
    this.#d.onIssued?.(request.configurationId);
    return credential;
  }

  async #issueWith(key: Awaited<ReturnType<WalletKeys['signingKey']>>, payload: Record<string, unknown> & { vct: string }, disclosable: string[]): Promise<string> {
    // An instance per credential: the signer holds the key that was current when this one began, even across a rotation.
    const instance = new SDJwtVcInstance({
      signAlg: CREDENTIAL_ALG,
      // JOSE's ES256 signature is r || s (IEEE P1363), not DER.
      signer: (data) => b64url(sign('sha256', Buffer.from(data), { key: key.privateKey, dsaEncoding: 'ieee-p1363' })),
      hasher,
      hashAlg: 'sha-256',
      saltGenerator,
    });
    return instance.issue(payload as never, { _sd: disclosable } as never, { header: { kid: key.kid } });
  }
}

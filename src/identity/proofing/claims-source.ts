/**
 * What the claims engine (src/oidc/find-account.ts) learns from identity proofing: the basic four
 * as standard claims, and `verified_claims` (OIDC4IDA) when the relying party asked for it with
 * the claims parameter. oidc-provider then keeps only the top-level claims the client was granted;
 * inside `verified_claims` this module keeps only the claims covered by the granted scopes or
 * granted one by one (per-facility consent comes with issue #6).
 */
import type { Config } from '../../config/load-config.ts';
import type { Database } from '../../db/database.ts';
import type { SecretBox } from '../../core/secret-box.ts';
import type { BasicFourClaims, VerifiedClaims } from '../../jpki/index.ts';
import { allowedVerifiedClaims, idaIdentifiers, selectVerifiedClaims, VERIFIED_CLAIM_NAMES, type RecordVerifiedClaims } from './ida.ts';
import { IdentityRecords } from './records.ts';

export interface ClaimsRequest {
  use: string;
  /** Granted OIDC scopes of this token, space-separated. */
  scope: string;
  /** The claims parameter for this use, already reduced by oidc-provider to what was granted. */
  claims: Record<string, unknown>;
  rejected: string[];
}

export interface PersonVerifiedClaims {
  claims: BasicFourClaims;
  verified_claims?: VerifiedClaims | RecordVerifiedClaims;
}

export interface IdentityClaimsSource {
  /** A person's verified claims; verified_claims only when `request` asks for them. */
  getVerifiedClaims(personId: string, request?: ClaimsRequest): Promise<PersonVerifiedClaims | undefined>;
  /**
   * The claims of an account's own person (relation 'self'; undefined: none yet), merged into the
   * account's claims.
   */
  claimsForPerson(personId: string | undefined, request: ClaimsRequest): Promise<Record<string, unknown>>;
}

export interface ClaimsSourceDeps {
  config: Config;
  db: Database;
  box: SecretBox;
}

export function createIdentityClaimsSource({ config, db, box }: ClaimsSourceDeps): IdentityClaimsSource {
  const records = new IdentityRecords(db, box);
  const ids = idaIdentifiers(config.issuer);

  async function getVerifiedClaims(personId: string, request?: ClaimsRequest): Promise<PersonVerifiedClaims | undefined> {
    const current = await records.currentForPerson(personId);
    // A production OP never vouches for a proof made with a test card or the development CA.
    if (!current || (config.production && current.anchorEnvironment !== 'production')) return undefined;
    const result: PersonVerifiedClaims = { claims: current.claims };
    if (request && 'verified_claims' in request.claims) {
      const granted = Object.keys(request.claims).filter((c) => (VERIFIED_CLAIM_NAMES as readonly string[]).includes(c));
      const allowed = allowedVerifiedClaims(request.scope, granted, request.rejected);
      const verified = selectVerifiedClaims(current, request.claims.verified_claims, allowed, ids);
      if (verified) result.verified_claims = verified;
    }
    return result;
  }

  return {
    getVerifiedClaims,
    async claimsForPerson(personId, request) {
      const found = personId ? await getVerifiedClaims(personId, request) : undefined;
      if (!found) return {};
      return { ...found.claims, ...(found.verified_claims ? { verified_claims: found.verified_claims } : {}) };
    },
  };
}

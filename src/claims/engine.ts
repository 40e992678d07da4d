/**
 * The claims engine: a person's claims for a facility or client, computed at issue time from the
 * verified facts, and cut down to what was consented and what was asked for.
 *   standard claims  — the basic four from the verified identity; e-mail and phone from the account
 *   derived claims   — age, age_over_N (birthdate), resident_of (address), guardian (household)
 *   verified_claims  — OIDC4IDA, filtered per the claims request (verified-claims.ts)
 * Nothing leaves without its consent unit in `consented`. The caller records the release.
 */
import { AGE_THRESHOLDS, claimsOfUnit, unitOfClaim } from './catalog.ts';
import { ageAt, residentOf, type MunicipalityName } from './derive.ts';
import type { FactsReader, PersonFacts, VerifiedIdentity } from './facts.ts';
import { selectVerifiedClaims, type IdaIds } from './verified-claims.ts';

/** Under this age a household member gets the representative as `guardian`. */
export const AGE_OF_MAJORITY = 18;

export interface ClaimsQuery {
  /** Consent units that may be released (a registration's claims). */
  consented: ReadonlySet<string>;
  /** Claim names asked for (scopes and the claims parameter); undefined: every consented one. */
  requested?: ReadonlySet<string> | undefined;
  /** The `verified_claims` member of the claims parameter for this use, when asked for. */
  verifiedClaimsRequest?: unknown;
  now?: Date;
}

export interface EngineDeps {
  facts: FactsReader;
  /** The municipalities `resident_of` maps addresses with (src/facilities `cachedMunicipalityNames`). */
  municipalities: () => readonly MunicipalityName[] | Promise<readonly MunicipalityName[]>;
  ids: IdaIds;
  /** A production OP never vouches for a proof made with a test card or development keys. */
  production: boolean;
}

type Claims = Record<string, unknown>;

export class ClaimsEngine {
  readonly #deps: EngineDeps;

  constructor(deps: EngineDeps) {
    this.#deps = deps;
  }

  #usable(identity: VerifiedIdentity | undefined): VerifiedIdentity | undefined {
    if (!identity) return undefined;
    return this.#deps.production && identity.anchorEnvironment !== 'production' ? undefined : identity;
  }

  async #guardian(facts: PersonFacts, age: number | undefined): Promise<Claims | undefined> {
    const household = facts.household;
    if (!household || household.relation === 'representative' || age === undefined || age >= AGE_OF_MAJORITY) return undefined;
    const [identity, contact] = await Promise.all([
      this.#deps.facts.identity(household.representativePersonId),
      this.#deps.facts.contact(household.representativeAccountId),
    ]);
    const guardian: Claims = {};
    if (identity) guardian.name = identity.claims.name;
    if (contact?.phoneE164 && contact.phoneVerified) guardian.phone_number = contact.phoneE164;
    if (contact?.emailVerified) guardian.email = contact.email;
    return Object.keys(guardian).length ? guardian : undefined;
  }

  /** Every claim the person has for the given consent units, before any request filtering. */
  async #candidates(facts: PersonFacts, units: ReadonlySet<string>, now: Date): Promise<Claims> {
    const identity = this.#usable(facts.identity);
    const out: Claims = {};
    if (identity) {
      const c = identity.claims;
      if (units.has('name')) Object.assign(out, { name: c.name, family_name: c.family_name, given_name: c.given_name });
      if (units.has('birthdate')) out.birthdate = c.birthdate;
      if (units.has('gender')) out.gender = c.gender;
      if (units.has('address')) out.address = c.address;
    }
    if (facts.contact) {
      if (units.has('email')) Object.assign(out, { email: facts.contact.email, email_verified: facts.contact.emailVerified });
      if (units.has('phone_number') && facts.contact.phoneE164) {
        Object.assign(out, { phone_number: facts.contact.phoneE164, phone_number_verified: facts.contact.phoneVerified });
      }
    }
    const age = ageAt(identity?.claims.birthdate, now);
    if (age !== undefined) {
      if (units.has('age')) out.age = age;
      for (const n of AGE_THRESHOLDS) if (units.has(`age_over_${n}`)) out[`age_over_${n}`] = age >= n;
    }
    if (units.has('resident_of')) out.resident_of = residentOf(identity?.claims.address.formatted, await this.#deps.municipalities());
    if (units.has('guardian')) out.guardian = await this.#guardian(facts, age);
    for (const key of Object.keys(out)) if (out[key] === undefined) delete out[key];
    return out;
  }

  /** The claims to release for one request; `{}` for an unknown person. */
  async claimsFor(personId: string, query: ClaimsQuery): Promise<Claims> {
    const facts = await this.#deps.facts.person(personId);
    return facts ? this.claimsFromFacts(facts, query) : {};
  }

  async claimsFromFacts(facts: PersonFacts, query: ClaimsQuery): Promise<Claims> {
    const now = query.now ?? new Date();
    const candidates = await this.#candidates(facts, query.consented, now);
    const out: Claims = {};
    for (const [claim, value] of Object.entries(candidates)) {
      if (!query.consented.has(unitOfClaim(claim))) continue;
      if (query.requested && !query.requested.has(claim)) continue;
      out[claim] = value;
    }
    const identity = this.#usable(facts.identity);
    if (identity && query.consented.has('verified_claims') && query.verifiedClaimsRequest !== undefined) {
      const allowed = new Set([...query.consented].flatMap(claimsOfUnit));
      const verified = selectVerifiedClaims(identity, query.verifiedClaimsRequest, allowed, this.#deps.ids, now);
      if (verified) out.verified_claims = verified;
    }
    return out;
  }

  /**
   * What the review screen shows before consent: for each unit, the exact value the facility
   * would receive (verified_claims: the verified facts among the chosen units, and the method).
   */
  async preview(personId: string, units: readonly string[], now: Date = new Date()): Promise<Record<string, unknown>> {
    const facts = await this.#deps.facts.person(personId);
    if (!facts) return {};
    const candidates = await this.#candidates(facts, new Set(units), now);
    const out: Record<string, unknown> = {};
    for (const unit of units) {
      if (unit === 'verified_claims') {
        const identity = this.#usable(facts.identity);
        out[unit] = identity ? { method: identity.method, verified_at: identity.verifiedAt.toISOString() } : undefined;
        continue;
      }
      const names = claimsOfUnit(unit).filter((c) => c in candidates);
      out[unit] = names.length === 0 ? undefined : unit === 'name' || unit === 'email' || unit === 'phone_number' ? candidates[claimsOfUnit(unit)[0]!] : candidates[unit];
    }
    return out;
  }
}

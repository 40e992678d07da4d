/**
 * What a facility's relying party asks for at login, against the facility's claim policy.
 *
 * Claims come from the scopes (profile, email, phone, address, resident) and from the `claims`
 * parameter (ID token and userinfo members). Each maps to a consent unit of the catalog; a unit the
 * policy lists is *in policy* and can be consented; anything else — a unit outside the policy, a
 * claim PASS does not know — is *outside*: never shown for consent, rejected in the grant and never
 * released, whether the request marked it `essential` or not (OpenID Connect Core §5.5.1: an
 * authorization server does not fail a request because claims cannot be returned).
 */
import { DERIVED_CLAIMS_CONFIG, isClaimUnit, unitOfClaim } from './catalog.ts';

/** The standard scopes' claims (as in provider-config.ts) plus the derived ones (`resident`). */
export const SCOPE_CLAIMS: Readonly<Record<string, readonly string[]>> = {
  profile: ['name', 'family_name', 'given_name', 'birthdate', 'gender'],
  email: ['email', 'email_verified'],
  phone: ['phone_number', 'phone_number_verified'],
  address: ['address'],
  ...DERIVED_CLAIMS_CONFIG,
};

/** Claims about the authentication and the protocol: no consent unit, always allowed. */
const PROTOCOL_CLAIMS: ReadonlySet<string> = new Set(['sub', 'sid', 'auth_time', 'acr', 'amr', 'iss', 'aud', 'nonce', 'azp', 'iat', 'exp', 'at_hash', 'c_hash', 's_hash']);

export interface PolicyUnits {
  required: readonly string[];
  optional: readonly string[];
}

export interface FacilityRequest {
  /** Claim names asked for (protocol claims left out), in the order first seen. */
  claims: string[];
  /** The consent units behind them that the policy allows, in policy order. */
  units: string[];
  /** Claim names the policy does not allow (or PASS does not know): ignored, never released. */
  outside: string[];
}

/** The claim names of the `claims` parameter's ID token and userinfo members. */
export function claimsParameterNames(claims: unknown): string[] {
  const out: string[] = [];
  if (typeof claims !== 'object' || claims === null) return out;
  for (const target of ['id_token', 'userinfo'] as const) {
    const members = (claims as Record<string, unknown>)[target];
    if (typeof members === 'object' && members !== null) out.push(...Object.keys(members));
  }
  return out;
}

export function analyseFacilityRequest(policy: PolicyUnits, scopes: Iterable<string>, claimsParameter: unknown): FacilityRequest {
  const names = new Set<string>();
  for (const scope of scopes) for (const claim of SCOPE_CLAIMS[scope] ?? []) names.add(claim);
  for (const claim of claimsParameterNames(claimsParameter)) names.add(claim);
  const allowed = new Set([...policy.required, ...policy.optional]);
  const claims: string[] = [];
  const outside: string[] = [];
  const units = new Set<string>();
  for (const claim of names) {
    if (PROTOCOL_CLAIMS.has(claim)) continue;
    claims.push(claim);
    const unit = unitOfClaim(claim);
    if (isClaimUnit(unit) && allowed.has(unit)) units.add(unit);
    else outside.push(claim);
  }
  return { claims, units: [...policy.required, ...policy.optional].filter((u) => units.has(u)), outside };
}

/** The asked-for claims whose unit is among `units` (what a grant may carry). */
export function claimsOfUnits(request: FacilityRequest, units: ReadonlySet<string>): string[] {
  return request.claims.filter((claim) => units.has(unitOfClaim(claim)) && !request.outside.includes(claim));
}

/**
 * The oidc-provider grant of a facility's relying party, made from the resident's consent to that
 * facility (their registration): the requested scopes, the requested claims whose consent unit was
 * given, and every other requested claim rejected — so oidc-provider itself filters them out of ID
 * tokens and userinfo, before the claims engine filters by consent once more.
 */
import { claimsOfUnits, type FacilityRequest } from './facility-request.ts';

/** The part of oidc-provider's Grant used here. */
export interface GrantLike {
  addOIDCScope(scope: string): void;
  addOIDCClaims(claims: string[]): void;
  rejectOIDCClaims(claims: string[]): void;
  addResourceScope(indicator: string, scope: string): void;
}

export interface FacilityConsent {
  /** OpenID scopes asked for (openid, profile, offline_access…). */
  scopes: Iterable<string>;
  request: FacilityRequest;
  /** Units the resident consented to at this facility. */
  consented: ReadonlySet<string>;
  /** Scopes of resource servers asked for, by resource indicator. */
  resourceScopes?: Record<string, string[]>;
}

export function applyFacilityConsent(grant: GrantLike, consent: FacilityConsent): void {
  const scopes = [...consent.scopes].join(' ');
  if (scopes) grant.addOIDCScope(scopes);
  const granted = claimsOfUnits(consent.request, consent.consented);
  if (granted.length) grant.addOIDCClaims(granted);
  const rejected = consent.request.claims.filter((claim) => !granted.includes(claim));
  if (rejected.length) grant.rejectOIDCClaims(rejected);
  for (const [indicator, scopesOf] of Object.entries(consent.resourceScopes ?? {})) {
    if (scopesOf.length) grant.addResourceScope(indicator, scopesOf.join(' '));
  }
}

/**
 * Authentication Method Reference values (RFC 8176) and PASS's Authentication Context Class
 * References, recorded for every authentication and put in ID tokens by oidc-provider.
 *
 * A relying party lists the acr values it accepts in `acr_values` (or `claims.id_token.acr`), in
 * order of preference; PASS uses the first one the account can meet (step-up.ts). The two step-up
 * classes are done afresh in each authorization request that asks for them:
 *   urn:pass:acr:jpki-sign  a signature over a fresh challenge by the resident's own My Number Card
 *                           (signature certificate, its PIN checked by the card): amr hwk, sc, pin
 *   urn:pass:acr:face       a 1:1 match of a new camera photo against the resident's face template
 *                           on top of the PASS sign-in: amr face (with the sign-in's own methods)
 */
export type AuthMethod = 'pwd' | 'otp' | 'sms' | 'hwk' | 'sc' | 'pin' | 'face' | 'mfa';

export const ACR_PASSWORD = 'urn:pass:acr:pwd';
export const ACR_MFA = 'urn:pass:acr:mfa';
export const ACR_CARD = 'urn:pass:acr:jpki-sign';
export const ACR_FACE = 'urn:pass:acr:face';
export const ACR_VALUES = [ACR_PASSWORD, ACR_MFA, ACR_CARD, ACR_FACE];

/** The acr values that need a step after the password: a card signature or a face match. */
export const STEP_UP_ACRS: ReadonlySet<string> = new Set([ACR_CARD, ACR_FACE]);

/** What each step adds to the methods of the authentication. */
export const STEP_METHODS: Readonly<Record<string, Array<Exclude<AuthMethod, 'mfa'>>>> = {
  [ACR_CARD]: ['hwk', 'sc', 'pin'],
  [ACR_FACE]: ['face'],
};

/** Independent factor kinds: knowledge, possession, inherence. `mfa` needs two of them. */
const FACTOR_KIND: Readonly<Record<Exclude<AuthMethod, 'mfa'>, 'know' | 'have' | 'are'>> = {
  pwd: 'know',
  pin: 'know',
  otp: 'have',
  sms: 'have',
  hwk: 'have',
  sc: 'have',
  face: 'are',
};

/** The factors used, plus `mfa` when two or more independent ones were. */
export function amrFor(factors: Array<Exclude<AuthMethod, 'mfa'>>): AuthMethod[] {
  const unique = [...new Set(factors)];
  const kinds = new Set(unique.map((f) => FACTOR_KIND[f]));
  return kinds.size >= 2 ? [...unique, 'mfa'] : unique;
}

export function acrFor(amr: AuthMethod[]): string {
  return amr.includes('mfa') ? ACR_MFA : ACR_PASSWORD;
}

/** A relying party asks for a second factor with acr_values=urn:pass:acr:mfa. */
export function secondFactorRequested(acrValues: unknown): boolean {
  return typeof acrValues === 'string' && acrValues.split(' ').includes(ACR_MFA);
}

/**
 * The acr values a request accepts, in its order of preference: `claims.id_token.acr` (value or
 * values) when present, else `acr_values`. Unknown values are kept; nobody can meet them.
 */
export function requestedAcrs(acrValues: unknown, claims: unknown): string[] {
  const acr = (claims as { id_token?: { acr?: { value?: unknown; values?: unknown } } } | undefined)?.id_token?.acr;
  if (acr && typeof acr.value === 'string') return [acr.value];
  if (acr && Array.isArray(acr.values)) return acr.values.filter((v): v is string => typeof v === 'string');
  return typeof acrValues === 'string' ? acrValues.split(' ').filter(Boolean) : [];
}

/** Does the request ask for a card or face step (among the values it accepts)? */
export function stepUpRequested(acrs: readonly string[]): boolean {
  return acrs.some((acr) => STEP_UP_ACRS.has(acr));
}

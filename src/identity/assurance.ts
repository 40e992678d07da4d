/**
 * Authentication Method Reference values (RFC 8176) and PASS's Authentication Context Class
 * References, recorded for every authentication and put in ID tokens by oidc-provider.
 *
 * Every sign-in has two factors (AAL2) by default:
 *   urn:pass:acr:mfa         password + a one-time code (SMS to the verified mobile number, e-mail,
 *                            or an authenticator app), password on a browser remembered after such
 *                            a code, or a passkey
 *   urn:pass:acr:mfa-strong  a passkey, or password + an authenticator app (TOTP): factors that do
 *                            not travel over the phone network; required for PASS Manager
 *   urn:pass:acr:pwd         the password alone: no sign-in ends here any more; a relying party
 *                            asking for it gets the (stronger) sign-in the resident makes
 * The stronger value meets a request for a weaker one (ACR_RANK); card and face are not ranked.
 *
 * A relying party lists the acr values it accepts in `acr_values` (or `claims.id_token.acr`), in
 * order of preference; PASS uses the first one the account can meet (step-up.ts). The two step-up
 * classes are done afresh in each authorization request that asks for them:
 *   urn:pass:acr:jpki-sign  a signature over a fresh challenge by the resident's own My Number Card
 *                           (signature certificate, its PIN checked by the card): amr hwk, sc, pin
 *   urn:pass:acr:face       a 1:1 match of a new camera photo against the resident's face template
 *                           on top of the PASS sign-in: amr face (with the sign-in's own methods)
 */
export type AuthMethod = 'pwd' | 'otp' | 'sms' | 'hwk' | 'sc' | 'pin' | 'face' | 'user' | 'mfa';
export type Factor = Exclude<AuthMethod, 'mfa'>;

export const ACR_PASSWORD = 'urn:pass:acr:pwd';
export const ACR_MFA = 'urn:pass:acr:mfa';
export const ACR_STRONG = 'urn:pass:acr:mfa-strong';
export const ACR_CARD = 'urn:pass:acr:jpki-sign';
export const ACR_FACE = 'urn:pass:acr:face';
export const ACR_VALUES = [ACR_PASSWORD, ACR_MFA, ACR_STRONG, ACR_CARD, ACR_FACE];

/**
 * The ranked classes: a session at a higher rank meets a request for a lower one. A card signature
 * (the card, its PIN) on top of the password is at least as strong as a passkey; a face match on
 * top of the password is two factors. Asked for themselves, card and face are done afresh
 * (STEP_UP_ACRS), whatever the session's class.
 */
const ACR_RANK: Readonly<Record<string, number>> = { [ACR_PASSWORD]: 1, [ACR_MFA]: 2, [ACR_FACE]: 2, [ACR_STRONG]: 3, [ACR_CARD]: 3 };

export function acrMeets(done: string | undefined, requested: string): boolean {
  if (done === undefined) return false;
  // A card or face step asked for itself is done afresh: no session stands for it, not even its own.
  if (STEP_UP_ACRS.has(requested)) return false;
  if (done === requested) return true;
  const have = ACR_RANK[done];
  const want = ACR_RANK[requested];
  return have !== undefined && want !== undefined && have >= want;
}

/**
 * A passkey with user verification (the device, unlocked by the PIN or biometric only the resident
 * knows or is) is a multi-factor authenticator on its own (NIST SP 800-63B §5.1.9).
 */
export const PASSKEY_AMR: AuthMethod[] = ['hwk', 'user', 'mfa'];

/** The acr values that need a step after the password: a card signature or a face match. */
export const STEP_UP_ACRS: ReadonlySet<string> = new Set([ACR_CARD, ACR_FACE]);

/** What each step adds to the methods of the authentication. */
export const STEP_METHODS: Readonly<Record<string, Factor[]>> = {
  [ACR_CARD]: ['hwk', 'sc', 'pin'],
  [ACR_FACE]: ['face'],
};

/** Independent factor kinds: knowledge, possession, inherence. `mfa` needs two of them. */
const FACTOR_KIND: Readonly<Record<Factor, 'know' | 'have' | 'are'>> = {
  pwd: 'know',
  user: 'are',
  pin: 'know',
  otp: 'have',
  sms: 'have',
  hwk: 'have',
  sc: 'have',
  face: 'are',
};

/** The factors used, plus `mfa` when two or more independent ones were. */
export function amrFor(factors: Factor[]): AuthMethod[] {
  const unique = [...new Set(factors)];
  const kinds = new Set(unique.map((f) => FACTOR_KIND[f]));
  return kinds.size >= 2 ? [...unique, 'mfa'] : unique;
}

/**
 * The class an authentication reached: strong for a passkey or an authenticator app, mfa for two
 * factors of other kinds. A remembered browser is never strong: it stands for a code given earlier.
 */
export function acrFor(amr: AuthMethod[], options: { remembered?: boolean; totp?: boolean } = {}): string {
  if (!amr.includes('mfa')) return ACR_PASSWORD;
  if (options.remembered) return ACR_MFA;
  if (amr.includes('hwk') && amr.includes('user')) return ACR_STRONG;
  return options.totp ? ACR_STRONG : ACR_MFA;
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

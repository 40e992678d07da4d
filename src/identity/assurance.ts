/**
 * Authentication Method Reference values (RFC 8176) and PASS's Authentication Context Class
 * References, recorded for every authentication and put in ID tokens by oidc-provider.
 */
export type AuthMethod = 'pwd' | 'otp' | 'sms' | 'mfa';

export const ACR_PASSWORD = 'urn:pass:acr:pwd';
export const ACR_MFA = 'urn:pass:acr:mfa';
export const ACR_VALUES = [ACR_PASSWORD, ACR_MFA];

/** The factors used, plus `mfa` when two or more independent ones were. */
export function amrFor(factors: Array<Exclude<AuthMethod, 'mfa'>>): AuthMethod[] {
  const unique = [...new Set(factors)];
  return unique.length >= 2 ? [...unique, 'mfa'] : unique;
}

export function acrFor(amr: AuthMethod[]): string {
  return amr.includes('mfa') ? ACR_MFA : ACR_PASSWORD;
}

/** A relying party asks for a second factor with acr_values=urn:pass:acr:mfa. */
export function secondFactorRequested(acrValues: unknown): boolean {
  return typeof acrValues === 'string' && acrValues.split(' ').includes(ACR_MFA);
}

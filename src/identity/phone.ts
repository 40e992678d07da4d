import { InvalidInputError } from '../core/errors.ts';

/**
 * What people type between the groups of a number: hyphens and dashes of every kind (a Japanese
 * keyboard gives ー or －), spaces (full-width ones too) and brackets around the area code.
 */
const SEPARATORS = /[-‐‑‒–—―−ー－\s()（）]/gu;

/**
 * A number as typed, without its separators: `090-2468-1357`, `090 2468 1357`, full-width digits
 * (NFKC) and `+81 90-…` all give `09024681357`. Anything that is not digits after this is left as
 * it is, for the caller to refuse.
 */
export function phoneDigits(input: string): string {
  const value = input.normalize('NFKC').trim().replace(SEPARATORS, '');
  return /^\+81\d+$/.test(value) ? `0${value.slice(3)}` : value;
}

/** Whether a sign-in name looks like a phone number (digits and the usual separators, starting with 0 or +81). */
export function looksLikePhone(input: string): boolean {
  return /^(0|\+81)\d+$/.test(phoneDigits(input));
}

/**
 * Japanese mobile numbers as residents type them: 070, 080 or 090 and eight digits, with or
 * without hyphens or spaces (`090-2468-1357`), full-width digits accepted (NFKC). Stored as E.164
 * (+8190…).
 */
export function mobileToE164(input: string): string {
  const value = phoneDigits(input);
  if (!/^\d+$/.test(value)) throw new InvalidInputError('phone_invalid', 'a mobile number has digits only');
  if (/^0[789]0\d{8}$/.test(value)) return `+81${value.slice(1)}`;
  if (/^0\d{9,10}$/.test(value) && !/^0[789]0/.test(value)) {
    throw new InvalidInputError('phone_not_mobile', 'this is not a mobile number: it must start with 070, 080 or 090');
  }
  throw new InvalidInputError('phone_invalid', 'a mobile number starts with 070, 080 or 090 and has 11 digits');
}

/** What a resident reads: 090-1234-5678 from +819012345678. */
export function e164ToDisplay(e164: string): string {
  const national = `0${e164.replace(/^\+81/, '')}`;
  return `${national.slice(0, 3)}-${national.slice(3, 7)}-${national.slice(7)}`;
}

/** 090-****-5678: enough for a resident to recognise, little for an onlooker. */
export function maskPhone(e164: string): string {
  const display = e164ToDisplay(e164);
  return `${display.slice(0, 4)}****${display.slice(8)}`;
}

export function maskEmail(email: string): string {
  const [local = '', domain = ''] = email.split('@');
  return `${local.slice(0, 2)}${'*'.repeat(Math.max(1, Math.min(local.length - 2, 6)))}@${domain}`;
}

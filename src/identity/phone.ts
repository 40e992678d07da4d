import { InvalidInputError } from '../core/errors.ts';

/**
 * Japanese mobile numbers as residents type them: 070, 080 or 090 and eight digits, without
 * hyphens. Full-width digits are accepted (NFKC); hyphens and spaces are refused with their own
 * reason, so the page can say exactly what to fix. Stored as E.164 (+8190…).
 */
export function mobileToE164(input: string): string {
  const value = input.normalize('NFKC').trim();
  if (/[-‐‑–—−ー―\s()]/u.test(value)) {
    throw new InvalidInputError('phone_hyphenated', 'enter the mobile number without hyphens or spaces');
  }
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

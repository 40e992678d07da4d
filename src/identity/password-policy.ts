import { InvalidInputError } from '../core/errors.ts';
import { COMMON_PASSWORDS } from './common-passwords.ts';

/** NIST SP 800-63B §3.1.1.2: at least 8 characters, allow at least 64, no composition rules. */
export const MIN_PASSWORD_LENGTH = 8;
export const MAX_PASSWORD_LENGTH = 128;

/** Characters as a person counts them (a kanji or an emoji is one). */
function length(value: string): number {
  return [...value].length;
}

/**
 * Throws InvalidInputError with a reason the pages translate: `password_too_short`,
 * `password_too_long`, `password_common` (breach lists, one repeated character, sequences) or
 * `password_contains_email`. No rules about digits or symbols, as NIST advises.
 */
export function assertAcceptablePassword(password: string, email?: string): void {
  const value = password.normalize('NFKC');
  if (length(value) < MIN_PASSWORD_LENGTH) throw new InvalidInputError('password_too_short', `a password needs at least ${MIN_PASSWORD_LENGTH} characters`);
  if (length(value) > MAX_PASSWORD_LENGTH) throw new InvalidInputError('password_too_long', `a password may have at most ${MAX_PASSWORD_LENGTH} characters`);
  const lower = value.toLowerCase();
  if (COMMON_PASSWORDS.has(lower) || /^(.)\1+$/u.test(lower) || isSequence(lower)) {
    throw new InvalidInputError('password_common', 'this password is too common or easy to guess');
  }
  const local = email?.split('@')[0]?.toLowerCase();
  if (local && local.length >= 4 && lower.includes(local)) {
    throw new InvalidInputError('password_contains_email', 'a password must not contain the e-mail address');
  }
}

/** "abcdefgh", "23456789", "98765432": each character one step from the last. */
function isSequence(value: string): boolean {
  const codes = [...value].map((c) => c.codePointAt(0)!);
  const step = codes[1]! - codes[0]!;
  return Math.abs(step) === 1 && codes.every((c, i) => i === 0 || c - codes[i - 1]! === step);
}

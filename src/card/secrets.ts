/**
 * The secrets a person types, checked before they reach the card, so a typo in the form costs no
 * try on the card: the signature password (6–16 capital letters and digits; clients upper-case it,
 * JPKI.md §1.1), the 4-digit PINs of the user-authentication key and the 券面事項入力補助AP, and the
 * 券面AP's verification numbers (JPKI.md §1.3). Each comes back as fresh ASCII bytes that the
 * VERIFY wipes once sent.
 */
import { asciiBytes } from './bytes.ts';
import { CardError } from './errors.ts';

export function signaturePasswordBytes(password: string): Uint8Array {
  const upper = password.toUpperCase();
  if (!/^[A-Z0-9]{6,16}$/.test(upper)) throw new CardError('invalid_sign_password');
  return asciiBytes(upper);
}

export function fourDigitPinBytes(pin: string): Uint8Array {
  if (!/^[0-9]{4}$/.test(pin)) throw new CardError('invalid_pin');
  return asciiBytes(pin);
}

/** 照合番号A: the 12-digit My Number. */
export function verificationCodeABytes(myNumber: string): Uint8Array {
  if (!/^[0-9]{12}$/.test(myNumber)) throw new CardError('invalid_verification_code', 'verification number A is 12 digits');
  return asciiBytes(myNumber);
}

/**
 * 照合番号B: date of birth, the card's expiry year and the 4-digit security code, as one digit
 * string. Whether the date is era YYMMDD (14 digits in all) or Gregorian YYYYMMDD (16) differs
 * between sources (JPKI.md §1.3, UNCONFIRMED), so both lengths are let through to the card.
 */
export function verificationCodeBBytes(code: string): Uint8Array {
  if (!/^(?:[0-9]{14}|[0-9]{16})$/.test(code)) throw new CardError('invalid_verification_code', 'verification number B is 14 or 16 digits');
  return asciiBytes(code);
}

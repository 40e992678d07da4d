/**
 * ISO/IEC 7816-4 response APDUs: data then SW1 SW2, and what a status word means as a typed
 * result (JPKI.md §1.4). Parsing is bounded: a response longer than the caller allows is refused
 * before any of it is used.
 */
import { CardError } from './errors.ts';

export interface ResponseApdu {
  data: Uint8Array;
  sw: number;
}

export const SW = {
  OK: 0x9000,
  END_OF_FILE_WARNING: 0x6282,
  WRONG_LENGTH: 0x6700,
  SECURITY_NOT_SATISFIED: 0x6982,
  AUTHENTICATION_BLOCKED: 0x6983,
  REFERENCE_DATA_UNUSABLE: 0x6984,
  CONDITIONS_NOT_SATISFIED: 0x6985,
  COMMAND_NOT_ALLOWED: 0x6986,
  FILE_NOT_FOUND: 0x6a82,
  WRONG_P1P2: 0x6a86,
  WRONG_P1P2_OFFSET: 0x6b00,
} as const;

/** A status word as the library acts on it. */
export type Status =
  | { kind: 'ok' }
  /** 62 82: fewer bytes than asked for, the file ended (data is valid). */
  | { kind: 'end_of_file' }
  /** 61 xx: xx more bytes (00: 256 or more) wait for GET RESPONSE. */
  | { kind: 'more_data'; available: number }
  /** 6C xx: resend with Le = xx (00: 256). */
  | { kind: 'wrong_le'; exact: number }
  /** 63 Cx: verification failed, x tries left; 63 C0 means the reference is now blocked. */
  | { kind: 'tries_left'; triesLeft: number }
  /** 69 83 / 69 84: the PIN is blocked (locked). */
  | { kind: 'locked' }
  /** 69 82: the PIN protecting this file or key was not verified. */
  | { kind: 'security_not_satisfied' }
  /** 6A 82: no such file or application. */
  | { kind: 'not_found' }
  /** 67 00: wrong length (an extended APDU the card or reader does not take, a bad Lc). */
  | { kind: 'wrong_length' }
  /** 6B 00: offset outside the file. */
  | { kind: 'offset_out_of_range' }
  | { kind: 'error'; sw: number };

export function statusOf(sw: number): Status {
  const sw1 = sw >> 8;
  const sw2 = sw & 0xff;
  if (sw === SW.OK) return { kind: 'ok' };
  if (sw === SW.END_OF_FILE_WARNING) return { kind: 'end_of_file' };
  if (sw1 === 0x61) return { kind: 'more_data', available: sw2 === 0 ? 256 : sw2 };
  if (sw1 === 0x6c) return { kind: 'wrong_le', exact: sw2 === 0 ? 256 : sw2 };
  if (sw1 === 0x63 && (sw2 & 0xf0) === 0xc0) return { kind: 'tries_left', triesLeft: sw2 & 0x0f };
  if (sw === SW.REFERENCE_DATA_UNUSABLE || sw === SW.AUTHENTICATION_BLOCKED) return { kind: 'locked' };
  if (sw === SW.SECURITY_NOT_SATISFIED) return { kind: 'security_not_satisfied' };
  if (sw === SW.FILE_NOT_FOUND) return { kind: 'not_found' };
  if (sw === SW.WRONG_LENGTH) return { kind: 'wrong_length' };
  if (sw === SW.WRONG_P1P2_OFFSET) return { kind: 'offset_out_of_range' };
  return { kind: 'error', sw };
}

/** Splits a raw response into data and status word; refuses one too short to hold a status word or longer than `maxData`. */
export function parseResponse(raw: Uint8Array, maxData: number): ResponseApdu {
  if (!(raw instanceof Uint8Array)) throw new CardError('malformed_response', 'the transport returned something other than bytes');
  if (raw.length < 2) throw new CardError('malformed_response', `a response of ${raw.length} bytes has no status word`);
  if (raw.length - 2 > maxData) throw new CardError('response_too_large', `a response of ${raw.length - 2} bytes exceeds ${maxData}`);
  const n = raw.length;
  return { data: raw.slice(0, n - 2), sw: (raw[n - 2]! << 8) | raw[n - 1]! };
}

export function swHex(sw: number): string {
  return sw.toString(16).toUpperCase().padStart(4, '0');
}

/**
 * Strict base64url (RFC 4648 §5, no padding) over Uint8Array. Strict means one text per byte
 * string: a final character with unused bits set is refused, since otherwise a signature could be
 * re-spelled and a changed presentation would still verify.
 */
import { refuse } from './errors.ts';
import type { PresentationReason } from './reasons.ts';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const VALUE = new Int16Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) VALUE[ALPHABET.charCodeAt(i)] = i;

export function encodeBase64url(bytes: Uint8Array): string {
  let out = '';
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    out += ALPHABET[n >> 18]! + ALPHABET[(n >> 12) & 63]! + ALPHABET[(n >> 6) & 63]! + ALPHABET[n & 63]!;
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const n = bytes[i]! << 16;
    out += ALPHABET[n >> 18]! + ALPHABET[(n >> 12) & 63]!;
  } else if (rest === 2) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8);
    out += ALPHABET[n >> 18]! + ALPHABET[(n >> 12) & 63]! + ALPHABET[(n >> 6) & 63]!;
  }
  return out;
}

export function encodeBase64urlText(text: string): string {
  return encodeBase64url(new TextEncoder().encode(text));
}

/** The bytes of a base64url text, or a refusal with the given reason. */
export function decodeBase64url(text: string, reason: PresentationReason, what: string): Uint8Array<ArrayBuffer> {
  if (text.length % 4 === 1) throw refuse(reason, `${what} is not base64url (length)`);
  const out = new Uint8Array(Math.floor((text.length * 3) / 4));
  let bits = 0;
  let buffered = 0;
  let at = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    const value = code < 128 ? VALUE[code]! : -1;
    if (value < 0) throw refuse(reason, `${what} is not base64url`);
    buffered = ((buffered << 6) | value) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[at++] = (buffered >> bits) & 0xff;
    }
  }
  if ((buffered & ((1 << bits) - 1)) !== 0) throw refuse(reason, `${what} is not canonical base64url`);
  return out;
}

/** UTF-8 text from base64url, refusing bytes that are not UTF-8. */
export function decodeBase64urlText(text: string, reason: PresentationReason, what: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(decodeBase64url(text, reason, what));
  } catch (error) {
    if (error instanceof Error && 'reason' in error) throw error;
    throw refuse(reason, `${what} is not UTF-8`);
  }
}

/**
 * DigestInfo for the card's signing command (JPKI.md §1.1, docs/jpki.md "What is signed"): with
 * P1 00 the card pads and signs what it is given, so the caller hands it
 * DigestInfo(SHA-256(challenge)) and the result is an ordinary RSASSA-PKCS1-v1_5/SHA-256 signature
 * over the challenge. SHA-256 comes from WebCrypto, present in browsers and in Node alike.
 */
import { bytesEqual, concatBytes } from './bytes.ts';

/** DER prefix of DigestInfo { sha256, NULL } (RFC 8017 §9.2 note 1). */
export const SHA256_DIGEST_INFO_PREFIX = Uint8Array.from([
  0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20,
]);
export const SHA256_DIGEST_INFO_BYTES = SHA256_DIGEST_INFO_PREFIX.length + 32;

export async function sha256(data: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await globalThis.crypto.subtle.digest('SHA-256', data.slice()));
}

/** The 51 bytes the card signs for a challenge. */
export async function sha256DigestInfo(challenge: Uint8Array): Promise<Uint8Array> {
  return concatBytes(SHA256_DIGEST_INFO_PREFIX, await sha256(challenge));
}

/** Only a SHA-256 DigestInfo is handed to the card: it never signs raw, caller-chosen bytes. */
export function isSha256DigestInfo(bytes: Uint8Array): boolean {
  return bytes.length === SHA256_DIGEST_INFO_BYTES && bytesEqual(bytes.subarray(0, SHA256_DIGEST_INFO_PREFIX.length), SHA256_DIGEST_INFO_PREFIX);
}

/**
 * The card's proof of possession. What is signed is exactly the challenge bytes the server issued:
 * the app either builds DigestInfo(SHA-256(challenge)) and sends it with P1=00, or sends the raw
 * challenge with P1=03 and lets the card hash it (JPKI.md §1.1). Both yield a standard
 * RSASSA-PKCS1-v1_5 / SHA-256 signature over the challenge, which Node's OpenSSL verifies here —
 * no hand-written padding check.
 */
import { createHash, verify as verifySignature } from 'node:crypto';
import { publicKeyOf } from './certificate.ts';
import type { JpkiCertificate } from './certificate.ts';
import { JpkiForbiddenError, JpkiInputError } from './errors.ts';

/** DER prefix of DigestInfo { sha256, NULL } (RFC 8017 §9.2 note 1). */
export const SHA256_DIGEST_INFO_PREFIX = Uint8Array.from([
  0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20,
]);

/** The 51 bytes an app sends to the card with P1=00: DigestInfo(SHA-256(challenge)). */
export function digestInfoForChallenge(challenge: Uint8Array): Uint8Array {
  const digest = createHash('sha256').update(challenge).digest();
  const out = new Uint8Array(SHA256_DIGEST_INFO_PREFIX.length + digest.length);
  out.set(SHA256_DIGEST_INFO_PREFIX, 0);
  out.set(digest, SHA256_DIGEST_INFO_PREFIX.length);
  return out;
}

export const MAX_CHALLENGE_BYTES = 1024;

export function verifyChallengeSignature(cert: JpkiCertificate, challenge: Uint8Array, signature: Uint8Array): void {
  if (challenge.length === 0 || challenge.length > MAX_CHALLENGE_BYTES) {
    throw new JpkiInputError('invalid_challenge', `challenge must be 1–${MAX_CHALLENGE_BYTES} bytes`);
  }
  // PKCS#1 v1.5 signatures are exactly the modulus length; the card returns 256 bytes for RSA-2048.
  const expected = Math.ceil(cert.publicKeyInfo.modulusBits / 8);
  if (signature.length !== expected) {
    throw new JpkiInputError('malformed_signature', `signature must be ${expected} bytes, got ${signature.length}`);
  }
  let ok = false;
  try {
    ok = verifySignature('sha256', challenge, publicKeyOf(cert), signature);
  } catch {
    ok = false;
  }
  if (!ok) {
    throw new JpkiForbiddenError('signature_invalid', 'signature does not verify over the challenge with the certificate key');
  }
}

/**
 * When PASS takes a signature certificate and a user-authentication certificate to be one card's.
 *
 * J-LIS puts nothing in the two certificates that names the other: the user-authentication
 * certificate carries no personal facts and its own serial, from another CA. So the rule is made of
 * what PASS can check:
 *   1. one card session: both keys sign the same single-use PASS challenge, sent in one request
 *      (the caller's part: it verifies both signatures over that challenge);
 *   2. both certificates verify in full (chain, validity, key usage, revocation) and chain to
 *      anchors of the same environment;
 *   3. issued together: a card's two certificates are written at one counter visit, so their
 *      validity starts within ISSUANCE_WINDOW_MS of each other;
 *   4. development CA only: the two certificates carry the same serial number. The development CA
 *      issues a virtual card's pair so (dev-cards.ts), standing in for the issuance record that ties
 *      a real card's certificates together, so that tests can show a pair of two cards refused.
 * A signature certificate renewed on its own (after a move or a change of name) fails 3: the
 * resident is still proofed by it, and links the card with its text-input-support AP instead.
 * What the J-LIS certificates cannot rule out is one person holding two cards issued the same day
 * and both PINs; every link is audited, and each check-in keeps the card key it used.
 */
import type { AuthenticationVerification, SignatureVerification } from '../../jpki/index.ts';

export const ISSUANCE_WINDOW_MS = 24 * 3600 * 1000;

export type CardPairVerdict = { oneCard: true } | { oneCard: false; why: 'environment' | 'issuance' };

export function cardPair(signature: SignatureVerification, authentication: AuthenticationVerification): CardPairVerdict {
  if (signature.anchor.environment !== authentication.anchor.environment) return { oneCard: false, why: 'environment' };
  const apart = Math.abs(signature.certificate.notBefore.getTime() - authentication.certificate.notBefore.getTime());
  if (apart > ISSUANCE_WINDOW_MS) return { oneCard: false, why: 'issuance' };
  if (signature.anchor.environment === 'development' && signature.certificate.serialNumber.toLowerCase() !== authentication.certificate.serialNumber.toLowerCase()) {
    return { oneCard: false, why: 'issuance' };
  }
  return { oneCard: true };
}

/**
 * Card signatures for tests, the only way PASS gets them: the card library's real APDU sequence
 * (src/card/jpki-proofs.ts) against an APDU-level simulated card (src/card/simulator/jpki-card.ts)
 * that holds the test's key and certificate. No test signs "as the card" by hand, so what the
 * verifier checks is exactly what a card answers to COMPUTE DIGITAL SIGNATURE.
 */
import type { KeyObject } from 'node:crypto';
import { ApduChannel } from '../../src/card/apdu-channel.ts';
import { readAuthenticationProof, readSignatureProof, type CardProof } from '../../src/card/jpki-proofs.ts';
import { simulatedJpkiCard } from '../../src/card/simulator/jpki-card.ts';
import type { SimulatedCard } from '../../src/card/simulator/simulated-card.ts';

export const TEST_SIGNATURE_PASSWORD = 'ABC123';
export const TEST_AUTHENTICATION_PIN = '1234';

export interface TestCardKey {
  privateKey: KeyObject;
  certificate: Uint8Array;
  pin?: string;
}

/** A card with the given keys; PINs default to TEST_SIGNATURE_PASSWORD and TEST_AUTHENTICATION_PIN. */
export function testCard(keys: { signature?: TestCardKey; authentication?: TestCardKey }): SimulatedCard {
  const held = (key: TestCardKey, pin: string) => ({ certificate: key.certificate, pin: key.pin ?? pin, sign: key.privateKey });
  return simulatedJpkiCard({
    ...(keys.signature ? { signature: held(keys.signature, TEST_SIGNATURE_PASSWORD) } : {}),
    ...(keys.authentication ? { authentication: held(keys.authentication, TEST_AUTHENTICATION_PIN) } : {}),
  });
}

/** One card session of identity proofing: signature password, EF 0001, the signature over the challenge. */
export async function signatureProofOf(card: SimulatedCard, challenge: Uint8Array, password = TEST_SIGNATURE_PASSWORD): Promise<CardProof> {
  return (await readSignatureProof(new ApduChannel(card), { password, challenge })).signature;
}

/** One card session of a card check-in: the 4-digit PIN, EF 000A, the signature over the challenge. */
export async function authenticationProofOf(card: SimulatedCard, challenge: Uint8Array, pin = TEST_AUTHENTICATION_PIN): Promise<CardProof> {
  return readAuthenticationProof(new ApduChannel(card), { pin, challenge });
}

/** The signature a card holding this key and certificate makes over the challenge (a fresh card each time). */
export async function cardSignature(key: TestCardKey, challenge: Uint8Array, app: 'signature' | 'authentication' = 'signature'): Promise<Uint8Array> {
  const card = testCard({ [app]: key });
  return (app === 'signature' ? await signatureProofOf(card, challenge, key.pin) : await authenticationProofOf(card, challenge, key.pin)).signature;
}

/**
 * A simulated card around keys that already exist (development only): the JPKI-AP of a card whose
 * certificates and private keys a development store holds — the demo residents' cards of
 * src/identity/proofing/dev-cards.ts — so the card the kiosk reads in development is the very card
 * the demo resident was proofed with, and revoking it there puts it on the development CRL. A key
 * is handed over as a KeyObject or, where its holder keeps it, as a signer only
 * (card-file-system.ts `PaddedSigner`). PIN rules and retry counts are JPKI.md §1.1's, as
 * issue-simulated-card.ts has them, unless the holder keeps its own counters: a store that persists
 * them passes `maxTries`/`triesLeft` in and reads `triesLeft` back after the session.
 */
import type { KeyObject } from 'node:crypto';
import { JPKI_AID, JPKI_EF } from '../jpki-ap.ts';
import { application, secret, type PaddedSigner, type SimulatedSecret } from './card-file-system.ts';
import { AUTHENTICATION_PIN_TRIES, SIGNATURE_PASSWORD_TRIES } from './issue-simulated-card.ts';
import { SimulatedCard, type SimulatedCardBehaviour } from './simulated-card.ts';

export interface HeldJpkiKey {
  /** The certificate's DER, as the card's EF holds it. */
  certificate: Uint8Array;
  /** The PIN (4 digits) or signature password that opens the key. */
  pin: string;
  sign: KeyObject | PaddedSigner;
  /** The PIN's retry limit; JPKI.md §1.1's count when absent. */
  maxTries?: number;
  /** Tries left when the card is made (a stored counter); `maxTries` when absent. */
  triesLeft?: number;
}

export interface HeldJpkiCard {
  /** Every issued card has one; absent only for a store's older records that never had it. */
  authentication?: HeldJpkiKey | undefined;
  /** A card of a child under 15 has none. */
  signature?: HeldJpkiKey | undefined;
  /** The CA copies the card carries (read, never trusted). */
  authenticationCa?: Uint8Array | undefined;
  signatureCa?: Uint8Array | undefined;
  behaviour?: SimulatedCardBehaviour;
}

function pinOf(key: HeldJpkiKey, defaultTries: number): SimulatedSecret {
  const pin = secret(key.pin, key.maxTries ?? defaultTries);
  if (key.triesLeft !== undefined) pin.triesLeft = Math.max(0, Math.min(key.triesLeft, pin.maxTries));
  return pin;
}

export function simulatedJpkiCard(held: HeldJpkiCard): SimulatedCard {
  const jpki = application('jpki', JPKI_AID);
  if (held.authentication) {
    if (!/^[0-9]{4}$/.test(held.authentication.pin)) throw new Error('the user-authentication PIN is 4 digits');
    jpki.files.set(JPKI_EF.authenticationCertificate, { data: held.authentication.certificate, read: 'always' });
    if (held.authenticationCa) jpki.files.set(JPKI_EF.authenticationCaCertificate, { data: held.authenticationCa, read: 'always' });
    jpki.secrets.set(JPKI_EF.authenticationPin, pinOf(held.authentication, AUTHENTICATION_PIN_TRIES));
    jpki.keys.set(JPKI_EF.authenticationKey, { privateKey: held.authentication.sign, use: { verified: [JPKI_EF.authenticationPin] } });
  }
  if (held.signature) {
    if (!/^[A-Z0-9]{6,16}$/.test(held.signature.pin)) throw new Error('the signature password is 6–16 capital letters and digits');
    const afterPassword = { verified: [JPKI_EF.signaturePin] };
    jpki.files.set(JPKI_EF.signatureCertificate, { data: held.signature.certificate, read: afterPassword });
    if (held.signatureCa) jpki.files.set(JPKI_EF.signatureCaCertificate, { data: held.signatureCa, read: afterPassword });
    jpki.secrets.set(JPKI_EF.signaturePin, pinOf(held.signature, SIGNATURE_PASSWORD_TRIES));
    jpki.keys.set(JPKI_EF.signatureKey, { privateKey: held.signature.sign, use: afterPassword });
  }
  return new SimulatedCard([jpki], held.behaviour);
}

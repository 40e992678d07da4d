/**
 * A simulated card around keys that already exist (development only): the JPKI-AP of a card whose
 * certificates and private keys a development store holds — the demo residents' cards of
 * src/identity/proofing/dev-cards.ts — so the card the kiosk reads in development is the very card
 * the demo resident was proofed with, and revoking it there puts it on the development CRL. The
 * keys stay with their store: the card is handed only a signer (card-file-system.ts `PaddedSigner`).
 * PIN rules and retry counts are JPKI.md §1.1's, as issue-simulated-card.ts has them.
 */
import { JPKI_AID, JPKI_EF } from '../jpki-ap.ts';
import { application, secret, type PaddedSigner } from './card-file-system.ts';
import { AUTHENTICATION_PIN_TRIES, SIGNATURE_PASSWORD_TRIES } from './issue-simulated-card.ts';
import { SimulatedCard, type SimulatedCardBehaviour } from './simulated-card.ts';

export interface HeldJpkiKey {
  /** The certificate's DER, as the card's EF holds it. */
  certificate: Uint8Array;
  /** The PIN (4 digits) or signature password that opens the key. */
  pin: string;
  sign: PaddedSigner;
}

export interface HeldJpkiCard {
  authentication: HeldJpkiKey;
  /** A card of a child under 15 has none. */
  signature?: HeldJpkiKey | undefined;
  /** The CA copies the card carries (read, never trusted). */
  authenticationCa?: Uint8Array | undefined;
  signatureCa?: Uint8Array | undefined;
  behaviour?: SimulatedCardBehaviour;
}

export function simulatedJpkiCard(held: HeldJpkiCard): SimulatedCard {
  if (!/^[0-9]{4}$/.test(held.authentication.pin)) throw new Error('the user-authentication PIN is 4 digits');
  const jpki = application('jpki', JPKI_AID);
  jpki.files.set(JPKI_EF.authenticationCertificate, { data: held.authentication.certificate, read: 'always' });
  if (held.authenticationCa) jpki.files.set(JPKI_EF.authenticationCaCertificate, { data: held.authenticationCa, read: 'always' });
  jpki.secrets.set(JPKI_EF.authenticationPin, secret(held.authentication.pin, AUTHENTICATION_PIN_TRIES));
  jpki.keys.set(JPKI_EF.authenticationKey, { privateKey: held.authentication.sign, use: { verified: [JPKI_EF.authenticationPin] } });
  if (held.signature) {
    if (!/^[A-Z0-9]{6,16}$/.test(held.signature.pin)) throw new Error('the signature password is 6–16 capital letters and digits');
    const afterPassword = { verified: [JPKI_EF.signaturePin] };
    jpki.files.set(JPKI_EF.signatureCertificate, { data: held.signature.certificate, read: afterPassword });
    if (held.signatureCa) jpki.files.set(JPKI_EF.signatureCaCertificate, { data: held.signatureCa, read: afterPassword });
    jpki.secrets.set(JPKI_EF.signaturePin, secret(held.signature.pin, SIGNATURE_PASSWORD_TRIES));
    jpki.keys.set(JPKI_EF.signatureKey, { privateKey: held.signature.sign, use: afterPassword });
  }
  return new SimulatedCard([jpki], held.behaviour);
}

/**
 * A simulated card with only the 券面事項入力補助AP, around files and a card AP key that already
 * exist (development only): the text-AP cards of src/households/text-ap/dev-card.ts, which keeps
 * them sealed with the PIN's retry counter in its table. The holder passes the counter in and
 * reads `triesLeft` back after the session, so the card's count survives between sessions.
 * EF 0001 (the My Number) is left out: those cards never had one, and a reader of the basic four
 * does not select it (text-ap.ts `readTextApProof`).
 */
import type { KeyObject } from 'node:crypto';
import { TEXT_AP_AID, TEXT_AP_EF } from '../text-ap.ts';
import { application, secret } from './card-file-system.ts';
import { TEXT_AP_PIN_TRIES } from './issue-simulated-card.ts';
import { SimulatedCard } from './simulated-card.ts';

export interface HeldTextAp {
  ef0002: Uint8Array;
  ef0003: Uint8Array;
  ef0004: Uint8Array;
  ef0007: Uint8Array;
  /** The card AP key that EF 0007 certifies: it signs the challenge (`80 2A 00 00`). */
  cardKey: KeyObject;
  /** The 4-digit PIN. */
  pin: string;
  maxTries?: number;
  triesLeft?: number;
}

export function simulatedTextApCard(held: HeldTextAp): SimulatedCard {
  if (!/^[0-9]{4}$/.test(held.pin)) throw new Error('the text AP PIN is 4 digits');
  const text = application('text', TEXT_AP_AID);
  const afterPin = { verified: [TEXT_AP_EF.pin] };
  text.files.set(TEXT_AP_EF.basicFour, { data: held.ef0002, read: afterPin });
  text.files.set(TEXT_AP_EF.integrity, { data: held.ef0003, read: afterPin });
  text.files.set(TEXT_AP_EF.dataKeyCertificate, { data: held.ef0004, read: 'always' });
  text.files.set(TEXT_AP_EF.cardKey, { data: held.ef0007, read: 'always' });
  const pin = secret(held.pin, held.maxTries ?? TEXT_AP_PIN_TRIES);
  if (held.triesLeft !== undefined) pin.triesLeft = Math.max(0, Math.min(held.triesLeft, pin.maxTries));
  text.secrets.set(TEXT_AP_EF.pin, pin);
  text.applicationKey = { privateKey: held.cardKey, use: 'always' };
  return new SimulatedCard([text]);
}

/**
 * How long a real card takes, added by the simulator's carriers (the vpcd slot on the PC/SC path,
 * `TimedCard` when the simulator is called directly), so both paths of `npm run bench -- card`
 * spend the same time on the card and differ only by the reader stack (docs/card.md, "Timing").
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { CardTransport } from '../transport.ts';

export interface CardTiming {
  /** Every exchange: the reader's framing, the radio round trip and the card's command handling. */
  perApduMs: number;
  /** Each byte of response data (the contactless link's bit rate, with framing). */
  perResponseByteMs: number;
  /** COMPUTE DIGITAL SIGNATURE on top: the card's RSA-2048 private-key operation. */
  signatureMs: number;
}

/**
 * A My Number Card on a USB NFC reader (Sony RC-S300 class, ISO 14443 Type B at 212–424 kbit/s),
 * as PASS models it until a measured trace replaces it: 20 ms an exchange, 0.04 ms a response
 * byte (about 200 kbit/s of payload), 350 ms for an RSA-2048 signature. A card check-in (13
 * exchanges, a 1.2 KB certificate, one signature) then spends about 0.65 s on the card.
 */
export const REAL_CARD_TIMING: CardTiming = { perApduMs: 20, perResponseByteMs: 0.04, signatureMs: 350 };

export const INSTANT_CARD_TIMING: CardTiming = { perApduMs: 0, perResponseByteMs: 0, signatureMs: 0 };

const COMPUTE_DIGITAL_SIGNATURE = 0x2a;

/** The card's time for one exchange. */
export function cardDelayMs(timing: CardTiming, command: Uint8Array, response: Uint8Array): number {
  const signing = command[1] === COMPUTE_DIGITAL_SIGNATURE;
  return timing.perApduMs + Math.max(0, response.length - 2) * timing.perResponseByteMs + (signing ? timing.signatureMs : 0);
}

/** A card answering after its modelled time, with no reader in between. */
export class TimedCard implements CardTransport {
  readonly #card: CardTransport;
  readonly #timing: CardTiming;

  constructor(card: CardTransport, timing: CardTiming) {
    this.#card = card;
    this.#timing = timing;
  }

  async transmit(apdu: Uint8Array): Promise<Uint8Array> {
    const response = await this.#card.transmit(apdu);
    await sleep(cardDelayMs(this.#timing, apdu, response));
    return response;
  }
}

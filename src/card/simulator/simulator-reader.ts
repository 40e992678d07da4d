/**
 * The development card reader (development and tests only): the card bridge's session over one
 * simulated card instead of PC/SC, for PASS's development start without a reader. A developer
 * puts one of the demo residents' cards on it and takes it off (the bridge's `/simulator` routes);
 * the kiosk page then runs the same APDU sequence it runs against a real reader. A card taken off
 * mid-sequence ends the exchange in `card_removed`, as pcsc-transport.ts reports it; release resets
 * the card, so a verified PIN never reaches the next resident. Each card keeps its retry counters
 * while PASS runs, like the chip.
 */
import { CardError } from '../errors.ts';
import type { BridgeSession, BridgeStatus } from '../bridge/card-session.ts';
import type { CardTransport } from '../transport.ts';

export const SIMULATOR_READER_NAME = 'PASS 開発用カードシミュレーター / development card simulator';

/** A card the simulator reader can hold: its session ends when it leaves (SimulatedCard). */
export interface ReaderCard extends CardTransport {
  remove(): void;
  insert(): void;
}

export class SimulatorReader implements BridgeSession {
  #card: ReaderCard | undefined;
  #label: string | undefined;
  #queue: Promise<unknown> = Promise.resolve();

  /** The label of the card on the reader, if any. */
  get holding(): string | undefined {
    return this.#card ? this.#label : undefined;
  }

  /** Puts a card on the reader (taking off whichever was there): it starts unpowered, nothing verified. */
  put(card: ReaderCard, label: string): void {
    this.take();
    card.insert();
    this.#card = card;
    this.#label = label;
  }

  /** Takes the card off; an exchange under way ends in card_removed. */
  take(): void {
    this.#card?.remove();
    this.#card = undefined;
    this.#label = undefined;
  }

  status(): BridgeStatus {
    return { reader: SIMULATOR_READER_NAME, cardPresent: this.#card !== undefined };
  }

  transmit(apdus: readonly Uint8Array[], observe?: (command: Uint8Array, response: Uint8Array) => void): Promise<Uint8Array[]> {
    return this.#serialised(async () => {
      if (!this.#card) throw new CardError('no_card', 'no card on the simulator reader');
      const responses: Uint8Array[] = [];
      for (const apdu of apdus) {
        const card = this.#card;
        if (!card) throw new CardError('card_removed', 'the card left the simulator reader');
        const response = await card.transmit(apdu);
        observe?.(apdu, response);
        responses.push(response);
      }
      return responses;
    });
  }

  release(): Promise<void> {
    return this.#serialised(async () => {
      const card = this.#card;
      if (!card) return;
      card.remove();
      card.insert();
    });
  }

  #serialised<T>(work: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(work);
    this.#queue = run.catch(() => undefined);
    return run;
  }
}

/**
 * The bridge's one card session. The kiosk page runs a card sequence (select, PIN, read, sign)
 * over several requests, and the card's security state (a verified PIN) lives in the connection,
 * so the connection is made at the first APDU and kept until the card leaves the reader (the
 * transport then ends it, and the next card gets a fresh one) or the page releases it (a reset then ends the PIN state, so it cannot serve the next resident). It
 * is exclusive, so no other program interleaves commands, and requests run one at a time.
 */
import { CardError } from '../errors.ts';
import type { PcscCard, PcscConnectOptions, PcscReaders, ReaderState } from '../pcsc/pcsc-transport.ts';

export interface CardSessionOptions {
  /** The reader's exact name; by default the first reader (by name) with a card, else the first. */
  reader?: string | undefined;
  connect?: PcscConnectOptions;
}

export interface BridgeStatus {
  reader: string | null;
  cardPresent: boolean;
}

/** What the bridge's HTTP API drives: a PC/SC reader here, the development simulator's reader in PASS's development start. */
export interface BridgeSession {
  status(): BridgeStatus;
  /** The APDUs in order over the session's connection; `no_card`, `no_reader`, `card_removed` when it cannot. */
  transmit(apdus: readonly Uint8Array[], observe?: (command: Uint8Array, response: Uint8Array) => void): Promise<Uint8Array[]>;
  /** Ends the session with a card reset, so a PIN verified in it is gone. */
  release(): Promise<void>;
}

export class BridgeCardSession implements BridgeSession {
  readonly #readers: PcscReaders;
  readonly #options: CardSessionOptions;
  #card: PcscCard | undefined;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(readers: PcscReaders, options: CardSessionOptions = {}) {
    this.#readers = readers;
    this.#options = options;
  }

  status(): BridgeStatus {
    const reader = this.#reader();
    return { reader: reader?.name ?? null, cardPresent: reader?.cardPresent ?? false };
  }

  /** Sends the APDUs in order over the session's connection; `no_card`, `no_reader`, `card_removed` when it cannot. */
  transmit(apdus: readonly Uint8Array[], observe?: (command: Uint8Array, response: Uint8Array) => void): Promise<Uint8Array[]> {
    return this.#serialised(async () => {
      const card = await this.#connected();
      const responses: Uint8Array[] = [];
      for (const apdu of apdus) {
        const response = await card.transmit(apdu);
        observe?.(apdu, response);
        responses.push(response);
      }
      return responses;
    });
  }

  /** Ends the session with a card reset: the PIN verified in it is forgotten by the card. */
  release(): Promise<void> {
    return this.#serialised(async () => {
      const card = this.#card;
      this.#card = undefined;
      await card?.disconnect('reset');
    });
  }

  #serialised<T>(work: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(work);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #connected(): Promise<PcscCard> {
    if (this.#card?.open) return this.#card;
    this.#card = undefined;
    const reader = this.#reader();
    if (!reader) throw new CardError('no_reader', this.#options.reader ? 'the configured reader is not connected' : 'no reader is connected');
    if (!reader.cardPresent) throw new CardError('no_card', 'no card in the reader');
    this.#card = await this.#readers.connect(reader.name, this.#options.connect);
    return this.#card;
  }

  #reader(): ReaderState | undefined {
    const readers = this.#readers.list().sort((a, b) => a.name.localeCompare(b.name));
    if (this.#options.reader) return readers.find((r) => r.name === this.#options.reader);
    return readers.find((r) => r.cardPresent) ?? readers[0];
  }
}

/**
 * The card library's transport over PC/SC (Node only): the readers pcscd knows and whether each
 * holds a card, kept current from pcscd's status events; a connection to the card in one of
 * them (T=1, T=0 or whichever the card offers); and `transmit`, which turns a card taken off the
 * reader into `CardError('card_removed')` — whether pcscd says so outright (`Card was removed`)
 * or the exchange merely broke (`Transaction failed`, or vpcd's empty answer) and the reader
 * then reports no card.
 */
import { CardError } from '../errors.ts';
import type { CardTransport } from '../transport.ts';
import { loadPcscBinding, type BindingContext, type BindingReader, type PcscBinding } from './pcsc-binding.ts';
import { classifyScardFailure, SCARD, scardCodeOf } from './scard-codes.ts';

export type PcscProtocol = 'T=0' | 'T=1';

export interface ReaderState {
  name: string;
  cardPresent: boolean;
  /** The card's answer to reset, while one is present. */
  atr: Uint8Array | undefined;
}

export interface PcscConnectOptions {
  /** Default: whichever the card offers, T=1 first. */
  protocol?: PcscProtocol | 'any';
  /** Default true: no other program may interleave commands (and spend a PIN try) mid-session. */
  exclusive?: boolean;
}

export interface PcscReadersOptions {
  /** The binding; by default the optional dependency pcsclite. */
  binding?: PcscBinding;
  /** After a broken exchange, how long to wait for the reader to report the card gone (pcscd polls vpcd every 400 ms). */
  removalGraceMs?: number;
}

/** The largest response APDU: an extended Le of 65536 and SW1 SW2. */
const MAX_RESPONSE_BYTES = 65_536 + 2;

type ReaderListener = (state: ReaderState, change: 'added' | 'changed' | 'removed') => void;

interface Tracked {
  reader: BindingReader;
  state: ReaderState;
}

/** pcscd's readers, as one PC/SC context sees them. */
export class PcscReaders {
  readonly #context: BindingContext;
  readonly #readers = new Map<string, Tracked>();
  readonly #listeners = new Set<ReaderListener>();
  /** One connection per reader: a new one ends the last, and a card leaving ends its own. */
  readonly #connections = new Map<string, PcscCard>();
  readonly removalGraceMs: number;
  #closed = false;
  #failure: Error | undefined;

  private constructor(context: BindingContext, removalGraceMs: number) {
    this.#context = context;
    this.removalGraceMs = removalGraceMs;
    // Listeners go on at once: pcsclite announces the readers on the next tick.
    context.on('reader', (reader) => this.#track(reader));
    context.on('error', (error) => {
      if (this.#closed) return; // closing cancels pcsclite's own wait, which it reports as an error
      this.#failure = error;
      for (const name of [...this.#readers.keys()]) this.#forget(name);
    });
  }

  /** A PC/SC context; `no_reader` when pcscd is not running. */
  static open(options: PcscReadersOptions = {}): PcscReaders {
    const binding = options.binding ?? loadPcscBinding();
    let context: BindingContext;
    try {
      context = binding();
    } catch (error) {
      throw new CardError('no_reader', 'the PC/SC service (pcscd) is not available', {}, { cause: error });
    }
    return new PcscReaders(context, options.removalGraceMs ?? 1500);
  }

  list(): ReaderState[] {
    return [...this.#readers.values()].map((t) => ({ ...t.state }));
  }

  state(name: string): ReaderState | undefined {
    const tracked = this.#readers.get(name);
    return tracked ? { ...tracked.state } : undefined;
  }

  /** Readers arriving, leaving, and cards put on or taken off; returns the unsubscribe. */
  onChange(listener: ReaderListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Resolves with the first reader state that `accept` takes (now or on a later change), or rejects after `timeoutMs`. */
  waitFor(accept: (state: ReaderState) => boolean, timeoutMs: number, reason: 'no_reader' | 'no_card' = 'no_reader'): Promise<ReaderState> {
    const now = this.list().find(accept);
    if (now) return Promise.resolve(now);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        unsubscribe();
        reject(new CardError(reason, `no reader reached the awaited state within ${timeoutMs} ms`));
      }, timeoutMs);
      const unsubscribe = this.onChange((state) => {
        if (!accept(state)) return;
        clearTimeout(timer);
        unsubscribe();
        resolve({ ...state });
      });
    });
  }

  /** Connects to the card in `readerName` (ending this context's earlier connection to it): `no_card`, `no_reader`, `reader_busy` when it cannot. */
  async connect(readerName: string, options: PcscConnectOptions = {}): Promise<PcscCard> {
    await this.#connections.get(readerName)?.disconnect('leave');
    const tracked = this.#readers.get(readerName);
    if (!tracked) throw new CardError('no_reader', this.#failure ? 'the PC/SC service failed' : 'no such reader');
    if (!tracked.state.cardPresent) throw new CardError('no_card', 'no card in the reader');
    const reader = tracked.reader;
    const wanted = options.protocol ?? 'any';
    const protocolMask =
      wanted === 'T=1' ? reader.SCARD_PROTOCOL_T1 : wanted === 'T=0' ? reader.SCARD_PROTOCOL_T0 : reader.SCARD_PROTOCOL_T1 | reader.SCARD_PROTOCOL_T0;
    const shareMode = options.exclusive === false ? reader.SCARD_SHARE_SHARED : reader.SCARD_SHARE_EXCLUSIVE;
    const protocol = await new Promise<number>((resolve, reject) => {
      reader.connect({ share_mode: shareMode, protocol: protocolMask }, (error, negotiated) => (error ? reject(connectFailure(error)) : resolve(negotiated)));
    });
    const card = new PcscCard(this, reader, protocol, protocol === reader.SCARD_PROTOCOL_T0 ? 'T=0' : 'T=1', () => {
      if (this.#connections.get(readerName) === card) this.#connections.delete(readerName);
    });
    this.#connections.set(readerName, card);
    return card;
  }

  /** Ends every connection with a card reset (no verified PIN outlives the program), then the context. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.all([...this.#connections.values()].map((card) => card.disconnect('reset')));
    for (const { reader } of this.#readers.values()) reader.close();
    this.#readers.clear();
    this.#context.close();
  }

  #track(reader: BindingReader): void {
    const state: ReaderState = { name: reader.name, cardPresent: false, atr: undefined };
    this.#readers.set(reader.name, { reader, state });
    reader.on('error', () => this.#forget(reader.name));
    reader.on('end', () => this.#forget(reader.name));
    reader.on('status', ({ state: flags, atr }) => {
      const tracked = this.#readers.get(reader.name);
      if (!tracked || tracked.reader !== reader) return;
      const present = (flags & reader.SCARD_STATE_PRESENT) !== 0 && (flags & reader.SCARD_STATE_MUTE) === 0;
      tracked.state = { name: reader.name, cardPresent: present, atr: present && atr?.length ? new Uint8Array(atr) : undefined };
      // pcsclite keeps the handle of a card that left; it must be let go before the next card can be connected.
      if (!present) void this.#connections.get(reader.name)?.disconnect('leave');
      this.#emit(tracked.state, 'changed');
    });
    this.#emit(state, 'added');
  }

  #forget(name: string): void {
    const tracked = this.#readers.get(name);
    if (!tracked) return;
    this.#readers.delete(name);
    void this.#connections.get(name)?.disconnect('leave');
    this.#emit({ ...tracked.state, cardPresent: false, atr: undefined }, 'removed');
  }

  #emit(state: ReaderState, change: 'added' | 'changed' | 'removed'): void {
    for (const listener of [...this.#listeners]) listener({ ...state }, change);
  }
}

function connectFailure(error: Error): CardError {
  const code = scardCodeOf(error);
  if (code === SCARD.E_SHARING_VIOLATION) return new CardError('reader_busy', 'another program holds the card', {}, { cause: error });
  const kind = classifyScardFailure(error);
  if (kind === 'removed') return new CardError('no_card', 'no card in the reader', {}, { cause: error });
  if (kind === 'reader') return new CardError('no_reader', 'the reader went away', {}, { cause: error });
  return new CardError('transport_error', 'connecting to the card failed', {}, { cause: error });
}

/** One connection to the card in a reader: a `CardTransport` until the card leaves or it is disconnected. */
export class PcscCard implements CardTransport {
  readonly readerName: string;
  readonly protocol: PcscProtocol;
  readonly #readers: PcscReaders;
  readonly #reader: BindingReader;
  readonly #protocolValue: number;
  readonly #onEnd: () => void;
  #open = true;
  #ended: Promise<void> | undefined;

  constructor(readers: PcscReaders, reader: BindingReader, protocolValue: number, protocol: PcscProtocol, onEnd: () => void) {
    this.#readers = readers;
    this.#onEnd = onEnd;
    this.#reader = reader;
    this.readerName = reader.name;
    this.#protocolValue = protocolValue;
    this.protocol = protocol;
  }

  get open(): boolean {
    return this.#open;
  }

  async transmit(apdu: Uint8Array): Promise<Uint8Array> {
    if (!this.#open) throw new CardError('card_removed', 'the card session has ended');
    let response: Buffer;
    try {
      response = await new Promise<Buffer>((resolve, reject) => {
        this.#reader.transmit(Buffer.from(apdu), MAX_RESPONSE_BYTES, this.#protocolValue, (error, data) => (error ? reject(error) : resolve(data)));
      });
    } catch (error) {
      throw await this.#failure(error);
    }
    // vpcd answers a command it lost the card during with no bytes at all; no card answers without SW1 SW2.
    if (response.length < 2) throw await this.#failure(new Error('the reader returned fewer than 2 bytes'));
    return new Uint8Array(response);
  }

  /** Ends the session; `reset` (the default) also ends the card's security state, so a verified PIN does not outlive it. */
  disconnect(disposition: 'leave' | 'reset' | 'unpower' = 'reset'): Promise<void> {
    if (this.#ended) return this.#ended;
    this.#open = false;
    const value = disposition === 'leave' ? this.#reader.SCARD_LEAVE_CARD : disposition === 'unpower' ? this.#reader.SCARD_UNPOWER_CARD : this.#reader.SCARD_RESET_CARD;
    // A card that already left makes the disconnect fail; the handle is released either way.
    this.#ended = new Promise<void>((resolve) => this.#reader.disconnect(value, () => resolve())).finally(this.#onEnd);
    return this.#ended;
  }

  /** What a failed exchange means: the card left (`card_removed`), the reader left, or the link failed. */
  async #failure(error: unknown): Promise<CardError> {
    const kind = classifyScardFailure(error);
    let reason: 'card_removed' | 'no_reader' | 'card_state' | 'transport_error';
    if (kind === 'removed') reason = 'card_removed';
    else if (kind === 'reader') reason = 'no_reader';
    else if (kind === 'reset') reason = 'card_state';
    else reason = (await this.#cardLeft()) ? 'card_removed' : 'transport_error';
    if (reason !== 'transport_error') await this.disconnect('leave');
    return new CardError(reason, reason === 'card_removed' ? 'the card left the reader' : 'the exchange with the card failed', {}, { cause: error });
  }

  async #cardLeft(): Promise<boolean> {
    try {
      await this.#readers.waitFor((s) => s.name === this.readerName && !s.cardPresent, this.#readers.removalGraceMs);
      return true;
    } catch {
      return false;
    }
  }
}

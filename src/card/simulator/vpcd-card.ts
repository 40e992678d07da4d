/**
 * The development card on a virtual reader (development and tests only): Debian's
 * `vsmartcard-vpcd` driver gives pcscd a reader, "Virtual PCD 00 00", whose card side is a TCP
 * client. The vpcd driver listens (port 35963 for slot 0, 35964 for slot 1, per
 * /etc/reader.conf.d/vpcd) and this slot connects to it: connecting is putting a card on the
 * reader, disconnecting is pulling it off. So a test drives the whole reader stack —
 * pcscd, libpcsclite, the Node binding, the card bridge — with the APDU simulator as the card.
 *
 * vpcd's protocol (vsmartcard's vpcd.c): every message in either direction is a 2-byte big-endian
 * length and then that many bytes. A 1-byte message from vpcd is a control code (0 power off,
 * 1 power on, 2 reset, 4 "send the ATR"); anything longer is a command APDU, answered with the
 * response APDU. Only the ATR request and APDUs are answered.
 */
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { isCardError } from '../errors.ts';
import type { CardTransport } from '../transport.ts';
import { cardDelayMs, INSTANT_CARD_TIMING, type CardTiming } from './card-timing.ts';

/** vpcd's first slot ("Virtual PCD 00 00"); slot n listens on this port + n. */
export const VPCD_PORT = 35963;

/**
 * A contact ATR announcing T=1 only (TB3 45: BWI 4, CWI 5; TA3 FE: IFSC 254), checksum included.
 * PASS never looks at the ATR; pcscd needs a well-formed one to pick the protocol.
 */
export const SIMULATED_CARD_ATR = Uint8Array.of(0x3b, 0xe0, 0x00, 0xff, 0x81, 0x31, 0xfe, 0x45, 0x14);

export { INSTANT_CARD_TIMING, REAL_CARD_TIMING, type CardTiming } from './card-timing.ts';

const CONTROL = { powerOff: 0, powerOn: 1, reset: 2, atr: 4 } as const;
/** A card that cannot answer at all (its own failure, not a status word it chose). */
const SW_NO_PRECISE_DIAGNOSIS = Uint8Array.of(0x6f, 0x00);

/** A card's session ends at power off and reset (nothing selected, no PIN verified); SimulatedCard does that on remove/insert. */
interface ResettableCard extends CardTransport {
  remove?(): void;
  insert?(): void;
}

export interface VpcdSlotOptions {
  host?: string;
  /** vpcd's port for this slot; default 35963 (slot 0). */
  port?: number;
  atr?: Uint8Array;
  timing?: Partial<CardTiming>;
}

/** One vpcd slot, into which a test puts a card, and from which it pulls it. */
export class VpcdSlot {
  readonly #host: string;
  readonly #port: number;
  readonly #atr: Uint8Array;
  #timing: CardTiming;
  #socket: net.Socket | undefined;
  #card: ResettableCard | undefined;
  #pullAfter: number | undefined;
  #received = Buffer.alloc(0);
  /** Messages are answered one at a time, in order. */
  #queue: Promise<void> = Promise.resolve();

  constructor(options: VpcdSlotOptions = {}) {
    this.#host = options.host ?? '127.0.0.1';
    this.#port = options.port ?? VPCD_PORT;
    this.#atr = options.atr ?? SIMULATED_CARD_ATR;
    this.#timing = { ...INSTANT_CARD_TIMING, ...options.timing };
  }

  get inserted(): boolean {
    return this.#socket !== undefined;
  }

  set timing(timing: Partial<CardTiming>) {
    this.#timing = { ...INSTANT_CARD_TIMING, ...timing };
  }

  /** Puts the card on the reader: connects to vpcd, which then powers it and asks for its ATR. */
  async insert(card: ResettableCard): Promise<void> {
    if (this.#socket) await this.remove();
    this.#card = card;
    this.#pullAfter = undefined;
    // A card put on a reader starts unpowered: nothing selected, no PIN verified.
    this.#resetSession();
    this.#received = Buffer.alloc(0);
    const socket = net.connect({ host: this.#host, port: this.#port });
    socket.setNoDelay(true);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    socket.on('error', () => this.#drop(socket));
    socket.on('close', () => this.#drop(socket));
    socket.on('data', (chunk: Buffer) => this.#onData(socket, chunk));
    this.#socket = socket;
  }

  /** Pulls the card off the reader. */
  async remove(): Promise<void> {
    const socket = this.#socket;
    if (!socket) return;
    this.#drop(socket);
    if (!socket.closed) await new Promise<void>((resolve) => socket.once('close', () => resolve()));
  }

  /** The card leaves the reader when the command after the next `apdus` ones arrives, before answering it. */
  pullAfter(apdus: number): void {
    this.#pullAfter = apdus;
  }

  #drop(socket: net.Socket): void {
    if (this.#socket === socket) this.#socket = undefined;
    socket.destroy();
  }

  #onData(socket: net.Socket, chunk: Buffer): void {
    this.#received = Buffer.concat([this.#received, chunk]);
    while (this.#received.length >= 2) {
      const length = this.#received.readUInt16BE(0);
      if (this.#received.length < 2 + length) break;
      const message = new Uint8Array(this.#received.subarray(2, 2 + length));
      this.#received = this.#received.subarray(2 + length);
      this.#queue = this.#queue.then(() => this.#handle(socket, message));
    }
  }

  async #handle(socket: net.Socket, message: Uint8Array): Promise<void> {
    if (this.#socket !== socket || message.length === 0) return;
    if (message.length === 1) return this.#control(socket, message[0]!);
    if (this.#pullAfter !== undefined) {
      if (this.#pullAfter <= 0) return this.#drop(socket);
      this.#pullAfter -= 1;
    }
    let response: Uint8Array;
    try {
      response = await this.#card!.transmit(message);
    } catch (error) {
      // The simulator itself says it left the reader: so it does, here too.
      if (isCardError(error, 'card_removed')) return this.#drop(socket);
      response = SW_NO_PRECISE_DIAGNOSIS;
    }
    await sleep(this.#delayFor(message, response));
    this.#send(socket, response);
  }

  #control(socket: net.Socket, code: number): void {
    if (code === CONTROL.atr) return this.#send(socket, this.#atr);
    if (code === CONTROL.powerOff || code === CONTROL.powerOn || code === CONTROL.reset) this.#resetSession();
  }

  #resetSession(): void {
    this.#card?.remove?.();
    this.#card?.insert?.();
  }

  #delayFor(command: Uint8Array, response: Uint8Array): number {
    return cardDelayMs(this.#timing, command, response);
  }

  #send(socket: net.Socket, data: Uint8Array): void {
    if (socket.destroyed) return;
    const frame = Buffer.alloc(2 + data.length);
    frame.writeUInt16BE(data.length, 0);
    frame.set(data, 2);
    socket.write(frame);
  }
}

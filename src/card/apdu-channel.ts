/**
 * One card session over a transport: sends command APDUs one at a time and hands back complete
 * responses. It follows the two ISO 7816-4 conventions a reader must (JPKI.md §1.4): `6C xx`
 * (resend with Le = xx) and `61 xx` (collect the rest with GET RESPONSE), and it bounds
 * everything a card could stretch — time per exchange, bytes per response, GET RESPONSE rounds —
 * so a hostile or broken card ends in a typed CardError, never a hang or an unbounded buffer.
 */
import { concatBytes } from './bytes.ts';
import { encodeCommand, type CommandApdu } from './command-apdu.ts';
import { CardError } from './errors.ts';
import { parseResponse, statusOf, type ResponseApdu } from './response-apdu.ts';
import type { CardTransport } from './transport.ts';

export interface ApduChannelOptions {
  /** Use extended-length READ BINARY where the card takes it; a `67 00` answer turns it off for the session. */
  extendedLength?: boolean;
  /** The largest Ne asked for in one extended READ BINARY. */
  maxExtendedLe?: number;
  /** How long one exchange may take before the card counts as gone (ms). */
  timeoutMs?: number;
  /** The most data one complete response may carry, GET RESPONSE parts included. */
  maxResponseBytes?: number;
  /** The most GET RESPONSE rounds for one command. */
  maxGetResponseRounds?: number;
}

const DEFAULTS = {
  maxExtendedLe: 4096,
  timeoutMs: 10_000,
  maxResponseBytes: 65_536,
  maxGetResponseRounds: 64,
};

export class ApduChannel {
  readonly #transport: CardTransport;
  readonly #timeoutMs: number;
  readonly #maxResponseBytes: number;
  readonly #maxRounds: number;
  readonly maxExtendedLe: number;
  #extendedLength: boolean;
  /** The application the card has selected, as this session knows it (hex AID). */
  #selected: string | undefined;
  /** Serialises exchanges: a card answers one command at a time. */
  #queue: Promise<unknown> = Promise.resolve();

  constructor(transport: CardTransport, options: ApduChannelOptions = {}) {
    this.#transport = transport;
    this.#extendedLength = options.extendedLength ?? false;
    this.maxExtendedLe = Math.min(Math.max(options.maxExtendedLe ?? DEFAULTS.maxExtendedLe, 1), 65_536);
    this.#timeoutMs = options.timeoutMs ?? DEFAULTS.timeoutMs;
    this.#maxResponseBytes = options.maxResponseBytes ?? DEFAULTS.maxResponseBytes;
    this.#maxRounds = options.maxGetResponseRounds ?? DEFAULTS.maxGetResponseRounds;
  }

  get extendedLength(): boolean {
    return this.#extendedLength;
  }

  /** The card answered an extended APDU with `67 00`: it (or the reader) takes short ones only. */
  disableExtendedLength(): void {
    this.#extendedLength = false;
  }

  get selectedApplication(): string | undefined {
    return this.#selected;
  }

  /** Recorded by SELECT; a selection resets the card's PIN state, so applications check it is still theirs. */
  noteSelected(aidHex: string | undefined): void {
    this.#selected = aidHex;
  }

  /**
   * Sends a command and returns the complete response, whatever its status word. A `6C xx` is
   * answered by resending once with the right Le — only for commands that asked for data, so a
   * VERIFY (which carries a PIN and no Le) is never sent twice — and `61 xx` by GET RESPONSE.
   */
  exchange(command: CommandApdu): Promise<ResponseApdu> {
    const run = this.#queue.then(() => this.#exchange(command));
    this.#queue = run.catch(() => undefined);
    return run;
  }

  /** Whether the transport can carry several commands in one exchange (`exchangeBatch`). */
  get batches(): boolean {
    return typeof this.#transport.transmitBatch === 'function';
  }

  /**
   * Sends commands that do not depend on each other's answers in one exchange and returns their
   * responses as the card gave them: no `6C`/`61` handling, which is the caller's to notice (it
   * falls back to `exchange` one by one). The same timeout and size bounds hold for the whole batch.
   */
  exchangeBatch(commands: readonly CommandApdu[]): Promise<ResponseApdu[]> {
    const run = this.#queue.then(async () => {
      const batch = this.#transport.transmitBatch?.bind(this.#transport);
      if (!batch) throw new CardError('transport_error', 'the transport sends one command at a time');
      const apdus = commands.map((command) => encodeCommand(command));
      const raw = await this.#withTimeout(async () => {
        try {
          return await batch(apdus);
        } catch (error) {
          if (error instanceof CardError) throw error;
          throw new CardError('transport_error', 'the transport failed', {}, { cause: error });
        }
      });
      if (raw.length !== commands.length) throw new CardError('malformed_response', `${raw.length} responses to ${commands.length} commands`);
      return raw.map((response) => parseResponse(response, this.#maxResponseBytes));
    });
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #exchange(command: CommandApdu): Promise<ResponseApdu> {
    let response = await this.#once(command);
    let status = statusOf(response.sw);
    if (status.kind === 'wrong_le' && command.le !== undefined) {
      response = await this.#once({ ...command, le: status.exact });
      status = statusOf(response.sw);
      if (status.kind === 'wrong_le') throw new CardError('malformed_response', 'the card asked for another Le twice', { sw: response.sw });
    }
    if (status.kind !== 'more_data') return response;
    const parts = [response.data];
    let total = response.data.length;
    for (let round = 0; status.kind === 'more_data'; round++) {
      if (round >= this.#maxRounds) throw new CardError('response_too_large', `more than ${this.#maxRounds} GET RESPONSE rounds`);
      const next = await this.#once({ cla: 0x00, ins: 0xc0, p1: 0x00, p2: 0x00, le: status.available });
      total += next.data.length;
      if (total > this.#maxResponseBytes) throw new CardError('response_too_large', `a response of more than ${this.#maxResponseBytes} bytes`);
      // A card that announces data and then sends none would loop forever.
      if (next.data.length === 0 && statusOf(next.sw).kind === 'more_data') throw new CardError('malformed_response', 'GET RESPONSE returned no data');
      parts.push(next.data);
      response = next;
      status = statusOf(next.sw);
    }
    return { data: concatBytes(...parts), sw: response.sw };
  }

  async #once(command: CommandApdu): Promise<ResponseApdu> {
    const apdu = encodeCommand(command);
    const raw = await this.#withTimeout(() => this.#transmit(apdu));
    return parseResponse(raw, this.#maxResponseBytes);
  }

  async #withTimeout<T>(send: () => Promise<T>): Promise<T> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new CardError('card_timeout', `no answer within ${this.#timeoutMs} ms`)), this.#timeoutMs);
    });
    try {
      return await Promise.race([send(), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  async #transmit(apdu: Uint8Array): Promise<Uint8Array> {
    try {
      return await this.#transport.transmit(apdu);
    } catch (error) {
      if (error instanceof CardError) throw error;
      // The transport's own error may name a reader or a path; the message stays generic.
      throw new CardError('transport_error', 'the transport failed', {}, { cause: error });
    }
  }
}

/**
 * A My Number Card at the APDU level, for development and tests only: it answers the commands of
 * JPKI.md §1 from an in-memory file system (card-file-system.ts) with the card's status words —
 * `63 Cx` with real retry counters, `69 84` once locked, `69 82` before a PIN, `6A 82` for what is
 * not there. Behaviour switches let tests exercise what a reader must cope with: GET RESPONSE
 * (`61 xx`), strict Le (`6C xx`), cards without extended length (`67 00`), latency, and the card
 * leaving the reader (transmit rejects with `CardError('card_removed')`).
 */
import { constants, createHash, privateEncrypt, sign, type KeyObject } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { bytesEqual, concatBytes } from '../bytes.ts';
import { parseCommand, type ParsedCommand } from '../command-apdu.ts';
import { SHA256_DIGEST_INFO_PREFIX } from '../digest-info.ts';
import { CardError } from '../errors.ts';
import type { CardTransport } from '../transport.ts';
import type { AccessRule, PaddedSigner, SimulatedApplication, SimulatedKey } from './card-file-system.ts';

export interface SimulatedCardBehaviour {
  /** Accept extended-length APDUs (default true); without, they answer `67 00`. */
  extendedLength?: boolean;
  /** Hand out responses longer than this in parts, with `61 xx` and GET RESPONSE. */
  responseChunk?: number;
  /** Answer `6C xx` to a READ BINARY or signature whose Le is not exactly what is there. */
  strictLe?: boolean;
  /** Delay per exchange (ms), to model a real card's timing. */
  latencyMs?: number;
}

/** One exchange as the card saw it; the command data (a PIN) is never recorded. */
export interface ExchangeRecord {
  cla: number;
  ins: number;
  p1: number;
  p2: number;
  lc: number;
  le: number | undefined;
  sw: number;
}

interface Answer {
  data?: Uint8Array;
  sw: number;
}

const ok = (data?: Uint8Array): Answer => (data ? { data, sw: 0x9000 } : { sw: 0x9000 });
const fail = (sw: number): Answer => ({ sw });

export class SimulatedCard implements CardTransport {
  readonly applications: readonly SimulatedApplication[];
  readonly behaviour: SimulatedCardBehaviour;
  /** Every exchange since the card was made, without command data. */
  readonly exchanges: ExchangeRecord[] = [];
  #current: SimulatedApplication | undefined;
  #currentEf: number | undefined;
  #verified = new Set<number>();
  #pending: Uint8Array | undefined;
  #present = true;
  #removeAfter: number | undefined;

  constructor(applications: readonly SimulatedApplication[], behaviour: SimulatedCardBehaviour = {}) {
    this.applications = applications;
    this.behaviour = { ...behaviour };
  }

  /** Takes the card off the reader: every transmit rejects until `insert()`. */
  remove(): void {
    this.#present = false;
    this.#reset();
  }

  /** Puts it back: a fresh session (nothing selected, no PIN verified); retry counters persist, as on the chip. */
  insert(): void {
    this.#present = true;
    this.#removeAfter = undefined;
    this.#reset();
  }

  /** The card leaves the reader after `exchanges` more exchanges (mid-read, for tests). */
  removeAfter(exchanges: number): void {
    this.#removeAfter = exchanges;
  }

  get present(): boolean {
    return this.#present;
  }

  /** Test introspection: the retry counter of a PIN EF. */
  triesLeft(applicationName: string, fid: number): number | undefined {
    return this.applications.find((a) => a.name === applicationName)?.secrets.get(fid)?.triesLeft;
  }

  async transmit(apdu: Uint8Array): Promise<Uint8Array> {
    if (this.#removeAfter !== undefined) {
      if (this.#removeAfter <= 0) this.remove();
      else this.#removeAfter -= 1;
    }
    if (!this.#present) throw new CardError('card_removed', 'the simulated card is not on the reader');
    if (this.behaviour.latencyMs) await sleep(this.behaviour.latencyMs);
    const command = parseCommand(apdu);
    const answer = !command ? fail(0x6700) : command.extended && this.behaviour.extendedLength === false ? fail(0x6700) : this.#answer(command);
    const chunked = this.#chunk(command, answer);
    if (command) {
      this.exchanges.push({ cla: command.cla, ins: command.ins, p1: command.p1, p2: command.p2, lc: command.data.length, le: command.le, sw: chunked.sw });
    }
    return concatBytes(chunked.data ?? new Uint8Array(0), Uint8Array.of(chunked.sw >> 8, chunked.sw & 0xff));
  }

  #reset(): void {
    this.#current = undefined;
    this.#currentEf = undefined;
    this.#verified.clear();
    this.#pending = undefined;
  }

  /** With `responseChunk`, a long answer goes out in parts: the first here, the rest by GET RESPONSE. */
  #chunk(command: ParsedCommand | undefined, answer: Answer): Answer {
    const size = this.behaviour.responseChunk;
    if (!size || !command || command.ins === 0xc0 || answer.sw !== 0x9000 || !answer.data || answer.data.length <= size) return answer;
    this.#pending = answer.data.slice(size);
    return { data: answer.data.slice(0, size), sw: 0x6100 | Math.min(this.#pending.length, 256) % 256 };
  }

  #answer(c: ParsedCommand): Answer {
    if (c.ins !== 0xc0) this.#pending = undefined;
    if (c.cla === 0x80) return c.ins === 0x2a ? this.#computeSignature(c) : fail(0x6d00);
    if (c.cla !== 0x00) return fail(0x6e00);
    switch (c.ins) {
      case 0xa4:
        return this.#select(c);
      case 0xb0:
        return this.#readBinary(c);
      case 0x20:
        return this.#verify(c);
      case 0xc0:
        return this.#getResponse(c);
      default:
        return fail(0x6d00);
    }
  }

  #allowed(rule: AccessRule): boolean {
    return rule === 'always' || rule.verified.some((fid) => this.#verified.has(fid));
  }

  #select(c: ParsedCommand): Answer {
    if (c.p2 !== 0x0c) return fail(0x6a86);
    if (c.p1 === 0x04) {
      const app = this.applications.find((a) => bytesEqual(a.aid, c.data));
      // Selecting any DF ends the previous one's security state.
      this.#reset();
      if (!app) return fail(0x6a82);
      this.#current = app;
      return ok();
    }
    if (c.p1 === 0x02) {
      if (!this.#current) return fail(0x6986);
      if (c.data.length !== 2) return fail(0x6700);
      const fid = (c.data[0]! << 8) | c.data[1]!;
      const app = this.#current;
      if (!app.files.has(fid) && !app.secrets.has(fid) && !app.keys.has(fid)) return fail(0x6a82);
      this.#currentEf = fid;
      return ok();
    }
    return fail(0x6a86);
  }

  #readBinary(c: ParsedCommand): Answer {
    if (c.p1 & 0x80) return fail(0x6a86); // short EF ids are not simulated
    const file = this.#currentEf === undefined ? undefined : this.#current?.files.get(this.#currentEf);
    if (!file) return fail(0x6986);
    if (c.le === undefined) return fail(0x6700);
    if (!this.#allowed(file.read)) return fail(0x6982);
    const offset = (c.p1 << 8) | c.p2;
    if (offset > file.data.length) return fail(0x6b00);
    const available = file.data.length - offset;
    if (this.behaviour.strictLe && !c.extended && c.le !== available && available < 256) return fail(0x6c00 | available);
    return ok(file.data.slice(offset, offset + Math.min(c.le, available)));
  }

  #verify(c: ParsedCommand): Answer {
    if (c.p1 !== 0x00 || c.p2 !== 0x80) return fail(0x6a86);
    const fid = this.#currentEf;
    const pin = fid === undefined ? undefined : this.#current?.secrets.get(fid);
    if (fid === undefined || !pin) return fail(0x6a88);
    if (pin.triesLeft <= 0) return fail(0x6984);
    // An empty VERIFY reports the counter and spends nothing (JPKI.md §1.1).
    if (c.data.length === 0) return fail(0x63c0 | pin.triesLeft);
    if (bytesEqual(c.data, pin.value)) {
      pin.triesLeft = pin.maxTries;
      this.#verified.add(fid);
      return ok();
    }
    pin.triesLeft -= 1;
    this.#verified.delete(fid);
    return fail(0x63c0 | pin.triesLeft);
  }

  #getResponse(c: ParsedCommand): Answer {
    const pending = this.#pending;
    if (!pending || c.le === undefined) return fail(0x6985);
    const part = pending.slice(0, c.le);
    const rest = pending.slice(part.length);
    this.#pending = rest.length > 0 ? rest : undefined;
    return { data: part, sw: rest.length > 0 ? 0x6100 | Math.min(rest.length, 256) % 256 : 0x9000 };
  }

  #signingKey(p2: number): SimulatedKey | undefined {
    const app = this.#current;
    if (!app) return undefined;
    if (p2 === 0x00) return app.applicationKey;
    if (p2 === 0x80) return this.#currentEf === undefined ? undefined : app.keys.get(this.#currentEf);
    // 0x80 | short EF id names the key EF directly (JPKI.md §1.1, myna-card's form).
    if ((p2 & 0xe0) === 0x80) return app.keys.get(p2 & 0x1f);
    return undefined;
  }

  #computeSignature(c: ParsedCommand): Answer {
    const key = this.#signingKey(c.p2);
    if (!key) return fail(0x6a88);
    if (!this.#allowed(key.use)) return fail(0x6982);
    if (c.data.length === 0) return fail(0x6700);
    if (this.behaviour.strictLe && c.le !== 256) return fail(0x6c00);
    const signature = signAs(c.p1, key.privateKey, c.data);
    return signature ? ok(signature) : fail(0x6a86);
  }
}

/** The card's signing schemes that PASS uses (JPKI.md §1.1): 00 pads the given data, 02 wraps a hash, 03 hashes and wraps. */
function signAs(p1: number, key: KeyObject | PaddedSigner, data: Uint8Array): Uint8Array | undefined {
  const pkcs1 = (payload: Uint8Array) => (typeof key === 'function' ? key(payload) : new Uint8Array(privateEncrypt({ key, padding: constants.RSA_PKCS1_PADDING }, payload)));
  if (p1 === 0x00) return data.length <= 245 ? pkcs1(data) : undefined;
  if (p1 === 0x02) return data.length === 32 ? pkcs1(concatBytes(SHA256_DIGEST_INFO_PREFIX, data)) : undefined;
  if (p1 === 0x03) {
    if (typeof key !== 'function') return new Uint8Array(sign('sha256', data, key));
    return pkcs1(concatBytes(SHA256_DIGEST_INFO_PREFIX, new Uint8Array(createHash('sha256').update(data).digest())));
  }
  return undefined;
}

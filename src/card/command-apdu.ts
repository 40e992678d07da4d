/**
 * ISO/IEC 7816-4 command APDUs (§5.1): CLA INS P1 P2 [Lc data] [Le], in the short form (Lc ≤ 255,
 * Le ≤ 256) or the extended form (Lc ≤ 65535, Le ≤ 65536). Building is strict — a command the card
 * could misread is never sent — and parsing (for the simulator and for redacting logs) refuses
 * every length that does not add up.
 */
import { CardError } from './errors.ts';

export interface CommandApdu {
  cla: number;
  ins: number;
  p1: number;
  p2: number;
  /** The command data (Lc is its length); absent or empty for none. */
  data?: Uint8Array;
  /** Ne, the number of response bytes expected: 1–256 short, 1–65536 extended; absent for none. */
  le?: number;
  /** Force the extended form even when the short one would do. */
  extended?: boolean;
}

export const SHORT_MAX_LC = 255;
export const SHORT_MAX_LE = 256;
export const EXTENDED_MAX_LC = 65535;
export const EXTENDED_MAX_LE = 65536;

const isByte = (n: number) => Number.isInteger(n) && n >= 0 && n <= 0xff;

/** Whether the command needs the extended form for its lengths alone. */
export function needsExtendedLength(command: CommandApdu): boolean {
  return (command.data?.length ?? 0) > SHORT_MAX_LC || (command.le ?? 0) > SHORT_MAX_LE;
}

export function encodeCommand(command: CommandApdu): Uint8Array {
  const { cla, ins, p1, p2 } = command;
  if (![cla, ins, p1, p2].every(isByte)) throw new CardError('invalid_command', 'CLA, INS, P1 and P2 must be bytes');
  const data = command.data ?? new Uint8Array(0);
  const le = command.le;
  const extended = command.extended === true || needsExtendedLength(command);
  if (data.length > (extended ? EXTENDED_MAX_LC : SHORT_MAX_LC)) throw new CardError('invalid_command', `command data of ${data.length} bytes is too long`);
  if (le !== undefined && (!Number.isInteger(le) || le < 1 || le > (extended ? EXTENDED_MAX_LE : SHORT_MAX_LE))) {
    throw new CardError('invalid_command', `Le ${le} is out of range`);
  }
  const out: number[] = [cla, ins, p1, p2];
  if (!extended) {
    if (data.length > 0) out.push(data.length, ...data);
    if (le !== undefined) out.push(le === 256 ? 0 : le);
    return Uint8Array.from(out);
  }
  // Extended: one 00 byte, then Lc in two bytes (if data), then Le in two bytes (00 00 = 65536).
  // Without data the 00 marker comes before Le.
  if (data.length > 0) out.push(0, data.length >> 8, data.length & 0xff, ...data);
  if (le !== undefined) {
    if (data.length === 0) out.push(0);
    const n = le === 65536 ? 0 : le;
    out.push(n >> 8, n & 0xff);
  }
  return Uint8Array.from(out);
}

export interface ParsedCommand {
  cla: number;
  ins: number;
  p1: number;
  p2: number;
  data: Uint8Array;
  /** Ne; undefined when the command expects no data. */
  le: number | undefined;
  extended: boolean;
}

/** Parses a command APDU (the four ISO cases, short and extended); undefined when its lengths do not add up. */
export function parseCommand(bytes: Uint8Array): ParsedCommand | undefined {
  if (bytes.length < 4) return undefined;
  const [cla, ins, p1, p2] = [bytes[0]!, bytes[1]!, bytes[2]!, bytes[3]!];
  const head = { cla, ins, p1, p2 };
  const n = bytes.length;
  const none = new Uint8Array(0);
  if (n === 4) return { ...head, data: none, le: undefined, extended: false };
  const b4 = bytes[4]!;
  if (n === 5) return { ...head, data: none, le: b4 === 0 ? 256 : b4, extended: false };
  if (b4 !== 0) {
    if (n === 5 + b4) return { ...head, data: bytes.slice(5), le: undefined, extended: false };
    if (n === 6 + b4) {
      const le = bytes[n - 1]!;
      return { ...head, data: bytes.slice(5, 5 + b4), le: le === 0 ? 256 : le, extended: false };
    }
    return undefined;
  }
  if (n === 7) {
    const le = (bytes[5]! << 8) | bytes[6]!;
    return { ...head, data: none, le: le === 0 ? 65536 : le, extended: true };
  }
  if (n < 8) return undefined;
  const lc = (bytes[5]! << 8) | bytes[6]!;
  if (lc === 0) return undefined;
  if (n === 7 + lc) return { ...head, data: bytes.slice(7), le: undefined, extended: true };
  if (n === 9 + lc) {
    const le = (bytes[n - 2]! << 8) | bytes[n - 1]!;
    return { ...head, data: bytes.slice(7, 7 + lc), le: le === 0 ? 65536 : le, extended: true };
  }
  return undefined;
}

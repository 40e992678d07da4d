/**
 * What the bridge's log may say about an APDU. A command is parsed with the card library's own
 * parser (command-apdu.ts) and logged as its header and lengths; its data only for SELECT (an
 * application or file id, useful when a card refuses something). Everything else stays out: a
 * VERIFY's data is the PIN or password, a signature's is the resident's challenge digest, and a
 * response's data is a certificate with the resident's name and address — only its length and
 * status word are logged.
 */
import { toHex } from '../bytes.ts';
import { parseCommand } from '../command-apdu.ts';

const SELECT = 0xa4;

const byteHex = (n: number) => n.toString(16).toUpperCase().padStart(2, '0');

export interface LoggedCommand {
  header: string;
  lc: number;
  le: number | undefined;
  /** SELECT's data only. */
  data?: string;
}

/** The log view of a command APDU; undefined for bytes that are not one (which are then not logged at all). */
export function commandForLog(apdu: Uint8Array): LoggedCommand | undefined {
  const command = parseCommand(apdu);
  if (!command) return undefined;
  const header = [command.cla, command.ins, command.p1, command.p2].map(byteHex).join(' ');
  return { header, lc: command.data.length, le: command.le, ...(command.ins === SELECT ? { data: toHex(command.data) } : {}) };
}

/** The log view of a response APDU: its status word and how many data bytes came with it. */
export function responseForLog(response: Uint8Array): { sw: string; bytes: number } {
  const n = response.length;
  const sw = n >= 2 ? byteHex(response[n - 2]!) + byteHex(response[n - 1]!) : '';
  return { sw, bytes: Math.max(0, n - 2) };
}

/**
 * Reading a whole EF with READ BINARY `00 B0 <offset hi> <offset lo> <Le>` (JPKI.md §1.1). The file's
 * own BER-TLV header says how long it is, so the header is read first, its tag and length are
 * checked against what the caller expects and allows, and only then is the rest read, in chunks:
 * 256 bytes with short APDUs, larger with extended ones where the card takes them. A card that
 * answers more than asked, or ends early, is refused; nothing beyond the declared length is kept
 * (cards pad their files with filler bytes).
 */
import type { ApduChannel } from './apdu-channel.ts';
import { readTlvHeader } from './ber-tlv.ts';
import { CardError } from './errors.ts';
import { expectOk } from './iso-commands.ts';
import { statusOf } from './response-apdu.ts';

/** P1 bit 8 must stay 0 (it would select a short EF id), so offsets are 15 bits. */
export const MAX_OFFSET = 0x7fff;
/** Enough for the longest tag (3 bytes) and length (4 bytes) accepted. */
const HEADER_PROBE = 8;
/** Short READ BINARYs per batch: the card bridge takes at most 32 APDUs in one request. */
const BATCH = 32;
const SHORT_LE = 256;

export interface ReadFileOptions {
  /** The tag the file must start with (0x30 for a DER certificate, 0xFF20 for a 券面 record). */
  tag: number;
  /** The largest file accepted, header included. */
  maxBytes: number;
}

/** One READ BINARY of at most `le` bytes at `offset`; falls back to short APDUs if the card refuses an extended one. */
export async function readBinary(channel: ApduChannel, offset: number, le: number): Promise<Uint8Array> {
  if (offset > MAX_OFFSET) throw new CardError('response_too_large', `offset ${offset} is beyond what READ BINARY can address`);
  const command = { cla: 0x00, ins: 0xb0, p1: offset >> 8, p2: offset & 0xff, le };
  let response = await channel.exchange(command);
  let kind = statusOf(response.sw).kind;
  if (kind === 'wrong_length' && le > 256) {
    channel.disableExtendedLength();
    le = 256;
    response = await channel.exchange({ ...command, le });
    kind = statusOf(response.sw).kind;
  }
  if (kind === 'offset_out_of_range') return new Uint8Array(0);
  const data = expectOk(response);
  if (data.length > le) throw new CardError('malformed_response', `READ BINARY returned ${data.length} bytes for Le ${le}`);
  return data;
}

/** Reads the selected EF whole, as long as its TLV header says. */
export async function readFile(channel: ApduChannel, options: ReadFileOptions): Promise<Uint8Array> {
  const head = await readBinary(channel, 0, HEADER_PROBE);
  const header = readTlvHeader(head);
  if (!header) throw new CardError('malformed_response', head.length === 0 ? 'the file is empty' : 'the file ends inside its header');
  if (header.tag !== options.tag) {
    throw new CardError('malformed_response', `the file starts with tag ${header.tag.toString(16).toUpperCase()}, not ${options.tag.toString(16).toUpperCase()}`);
  }
  const total = header.headerLength + header.valueLength;
  if (total > options.maxBytes || total > MAX_OFFSET + 1) throw new CardError('response_too_large', `a file of ${total} bytes exceeds ${options.maxBytes}`);
  const file = new Uint8Array(total);
  let got = Math.min(head.length, total);
  file.set(head.subarray(0, got));
  got = await readChunksBatched(channel, file, got);
  while (got < total) {
    const remaining = total - got;
    const le = Math.min(remaining, channel.extendedLength ? channel.maxExtendedLe : 256);
    const chunk = await readBinary(channel, got, le);
    if (chunk.length === 0) throw new CardError('malformed_response', `the file ended after ${got} of ${total} bytes`);
    file.set(chunk.subarray(0, Math.min(chunk.length, remaining)), got);
    got += chunk.length;
  }
  return file;
}

/**
 * Once the length is known every offset is, so where the transport carries several commands at
 * once (the card bridge) the short READ BINARYs go in batches: a 30 KB card photo is 4 requests to
 * the bridge instead of 120. The first answer that is not a full chunk with 90 00 ends the
 * batching, and the caller reads on one command at a time from there, with every check. Returns how
 * many bytes are in `file`.
 */
async function readChunksBatched(channel: ApduChannel, file: Uint8Array, from: number): Promise<number> {
  if (!channel.batches || channel.extendedLength) return from;
  let got = from;
  while (file.length - got > SHORT_LE) {
    const commands = [];
    for (let offset = got; offset < file.length && commands.length < BATCH && offset <= MAX_OFFSET; offset += SHORT_LE) {
      commands.push({ cla: 0x00, ins: 0xb0, p1: offset >> 8, p2: offset & 0xff, le: Math.min(SHORT_LE, file.length - offset) });
    }
    const responses = await channel.exchangeBatch(commands);
    for (const [i, response] of responses.entries()) {
      const le = commands[i]!.le;
      if (statusOf(response.sw).kind !== 'ok' || response.data.length !== le) return got;
      file.set(response.data, got);
      got += le;
    }
  }
  return got;
}

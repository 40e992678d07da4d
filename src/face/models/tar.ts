/**
 * A small, strict reader for the tar archives inside npm package tarballs (ustar, with the pax and
 * GNU long-name headers node-tar writes). It hands out the bytes of one named member and refuses
 * anything a model download has no business meeting: bad header checksums, non-octal or base-256
 * numbers, links, devices, absolute or `..` paths, the member twice, truncated data, or garbage
 * after the end-of-archive blocks. The archive is already pinned by its sha512 when this runs: the
 * strictness is a second wall, and keeps a wrong manifest entry from being read in some odd way.
 */

const BLOCK = 512;

export class TarFormatError extends Error {}

export interface TarLimits {
  /** Entries (headers included) before the archive counts as hostile. */
  maxEntries: number;
  /** Bytes of member data in all, against decompression bombs. */
  maxTotalBytes: number;
}

const DEFAULT_LIMITS: TarLimits = { maxEntries: 10_000, maxTotalBytes: 1024 * 1024 * 1024 };
const MAX_META_BYTES = 64 * 1024;

/** Reads exactly the bytes asked for from a stream of chunks, and knows whether the stream ended. */
class ByteReader {
  readonly #chunks: AsyncIterator<Uint8Array>;
  #buffer: Buffer = Buffer.alloc(0);
  #ended = false;

  constructor(source: AsyncIterable<Uint8Array>) {
    this.#chunks = source[Symbol.asyncIterator]();
  }

  async #fill(): Promise<boolean> {
    if (this.#ended) return false;
    const next = await this.#chunks.next();
    if (next.done) {
      this.#ended = true;
      return false;
    }
    this.#buffer = this.#buffer.length === 0 ? Buffer.from(next.value) : Buffer.concat([this.#buffer, next.value]);
    return true;
  }

  /** Exactly n bytes, or undefined when the stream ends cleanly before the first of them. */
  async read(n: number): Promise<Buffer | undefined> {
    while (this.#buffer.length < n) {
      if (!(await this.#fill())) {
        if (this.#buffer.length === 0) return undefined;
        throw new TarFormatError(`archive truncated: ${this.#buffer.length} of ${n} bytes`);
      }
    }
    const out = this.#buffer.subarray(0, n);
    this.#buffer = this.#buffer.subarray(n);
    return out;
  }

  /** n bytes in pieces as they arrive, so a large member never sits in memory whole. */
  async *pieces(n: number): AsyncGenerator<Buffer> {
    let left = n;
    while (left > 0) {
      if (this.#buffer.length === 0 && !(await this.#fill())) throw new TarFormatError(`archive truncated: ${left} bytes of an entry missing`);
      const take = Math.min(left, this.#buffer.length);
      yield this.#buffer.subarray(0, take);
      this.#buffer = this.#buffer.subarray(take);
      left -= take;
    }
  }

  /** Everything left must be zero bytes (tar pads the last record). */
  async expectZerosToEnd(): Promise<void> {
    for (;;) {
      if (this.#buffer.some((b) => b !== 0)) throw new TarFormatError('data after the end-of-archive blocks');
      this.#buffer = Buffer.alloc(0);
      if (!(await this.#fill())) return;
    }
  }
}

function text(header: Buffer, start: number, length: number): string {
  const field = header.subarray(start, start + length);
  const nul = field.indexOf(0);
  return field.subarray(0, nul === -1 ? length : nul).toString('utf8');
}

function octal(header: Buffer, start: number, length: number, what: string): number {
  const field = header.subarray(start, start + length);
  if ((field[0]! & 0x80) !== 0) throw new TarFormatError(`${what}: base-256 numbers are not accepted`);
  const digits = field.toString('latin1').replace(/[\0 ]+$/, '').replace(/^ +/, '');
  if (!/^[0-7]{1,12}$/.test(digits)) throw new TarFormatError(`${what}: not an octal number`);
  const value = Number.parseInt(digits, 8);
  if (!Number.isSafeInteger(value)) throw new TarFormatError(`${what}: out of range`);
  return value;
}

function checkChecksum(header: Buffer): void {
  const stored = octal(header, 148, 8, 'header checksum');
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : header[i]!;
  if (sum !== stored) throw new TarFormatError('header checksum mismatch');
}

function checkPath(path: string): string {
  if (path.length === 0 || path.includes('\0') || path.includes('\\')) throw new TarFormatError(`unacceptable entry name ${JSON.stringify(path)}`);
  if (path.startsWith('/')) throw new TarFormatError(`absolute entry name ${JSON.stringify(path)}`);
  const segments = path.replace(/\/$/, '').split('/');
  if (segments.some((s) => s === '..' || s === '')) throw new TarFormatError(`entry name ${JSON.stringify(path)} leaves the archive or has empty segments`);
  return segments.filter((s) => s !== '.').join('/');
}

/** pax extended header records: "<length> <key>=<value>\n", the length counting the whole record. */
function parsePax(data: Buffer): Map<string, string> {
  const records = new Map<string, string>();
  let at = 0;
  while (at < data.length) {
    const space = data.indexOf(0x20, at);
    if (space === -1) throw new TarFormatError('pax header: record without a length');
    const lengthText = data.subarray(at, space).toString('latin1');
    if (!/^[1-9][0-9]{0,5}$/.test(lengthText)) throw new TarFormatError('pax header: bad record length');
    const end = at + Number(lengthText);
    if (end > data.length || data[end - 1] !== 0x0a) throw new TarFormatError('pax header: record overruns the header');
    const record = data.subarray(space + 1, end - 1).toString('utf8');
    const eq = record.indexOf('=');
    if (eq <= 0) throw new TarFormatError('pax header: record without a key');
    records.set(record.slice(0, eq), record.slice(eq + 1));
    at = end;
  }
  return records;
}

const padding = (size: number) => (BLOCK - (size % BLOCK)) % BLOCK;

/**
 * Streams the member named `member` (e.g. "package/model/fr_feature.onnx") of an uncompressed tar
 * stream to `sink`, reading the whole archive so that every header is checked. Returns the
 * member's size; throws TarFormatError when the archive is odd or the member is not in it.
 */
export async function extractTarMember(
  source: AsyncIterable<Uint8Array>,
  member: string,
  sink: (chunk: Buffer) => Promise<void> | void,
  limits: TarLimits = DEFAULT_LIMITS,
): Promise<number> {
  const reader = new ByteReader(source);
  let found: number | undefined;
  let entries = 0;
  let total = 0;
  // Set by a pax ('x') or GNU long-name ('L') header for the entry that follows it.
  let pending: { path?: string; size?: number } = {};

  const readMeta = async (size: number, what: string): Promise<Buffer> => {
    if (size > MAX_META_BYTES) throw new TarFormatError(`${what} of ${size} bytes is too large`);
    const data = size === 0 ? Buffer.alloc(0) : await reader.read(size);
    if (!data) throw new TarFormatError(`archive truncated in a ${what}`);
    if (padding(size) > 0 && !(await reader.read(padding(size)))) throw new TarFormatError(`archive truncated in a ${what}`);
    return data;
  };

  for (;;) {
    const header = await reader.read(BLOCK);
    if (!header) throw new TarFormatError('archive ends without its end-of-archive blocks');
    if (header.every((b) => b === 0)) {
      const second = await reader.read(BLOCK);
      if (!second || !second.every((b) => b === 0)) throw new TarFormatError('archive ends without its second end-of-archive block');
      await reader.expectZerosToEnd();
      break;
    }
    if (++entries > limits.maxEntries) throw new TarFormatError(`more than ${limits.maxEntries} entries`);
    checkChecksum(header);
    const magic = header.subarray(257, 265).toString('latin1');
    const posix = magic === 'ustar\u000000';
    if (!posix && magic !== 'ustar  \u0000') throw new TarFormatError('not a ustar archive');
    const type = String.fromCharCode(header[156]!);
    let size = octal(header, 124, 12, 'entry size');

    if (type === 'x' || type === 'g') {
      const records = parsePax(await readMeta(size, 'pax header'));
      if (type === 'x') {
        const path = records.get('path');
        const paxSize = records.get('size');
        if (paxSize !== undefined && !/^[0-9]{1,15}$/.test(paxSize)) throw new TarFormatError('pax header: bad size');
        pending = { ...(path !== undefined ? { path } : {}), ...(paxSize !== undefined ? { size: Number(paxSize) } : {}) };
      }
      continue;
    }
    if (type === 'L') {
      const data = await readMeta(size, 'long name');
      pending = { ...pending, path: text(data, 0, data.length) };
      continue;
    }

    const prefix = posix ? text(header, 345, 155) : '';
    const name = pending.path ?? (prefix ? `${prefix}/${text(header, 0, 100)}` : text(header, 0, 100));
    if (pending.size !== undefined) size = pending.size;
    pending = {};
    const path = checkPath(name);

    if (type === '5') {
      if (size !== 0) throw new TarFormatError(`directory ${path} has data`);
      continue;
    }
    if (type !== '0' && type !== '\0') throw new TarFormatError(`entry ${path} is of type ${JSON.stringify(type)} (links, devices and the like are refused)`);
    total += size;
    if (total > limits.maxTotalBytes) throw new TarFormatError(`more than ${limits.maxTotalBytes} bytes of data`);
    const wanted = path === member;
    if (wanted && found !== undefined) throw new TarFormatError(`${member} is in the archive twice`);
    for await (const piece of reader.pieces(size)) if (wanted) await sink(piece);
    if (wanted) found = size;
    if (padding(size) > 0 && !(await reader.read(padding(size)))) throw new TarFormatError(`archive truncated after ${path}`);
  }
  if (found === undefined) throw new TarFormatError(`${member} is not in the archive`);
  return found;
}

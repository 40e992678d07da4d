import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { FaceModelsUnavailableError } from '../errors.ts';
import type { ModelEntry } from './manifest.ts';

export interface SessionOptions {
  /**
   * Threads for one inference. Default 1: on the 2-core nodes PASS runs on, a second intra-op
   * thread made each photo slower (detect + align + embed p50 39-60 ms against 29-31 ms with one,
   * docs/face.md "Benchmarks"): its spinning competes with sharp and with other work on the node.
   * Parallelism comes from the worker pool (one engine per worker) instead.
   */
  intraOpThreads?: number;
}

/**
 * Loads a model after checking its bytes against the manifest, so a truncated or swapped file
 * makes face features unavailable instead of producing wrong embeddings.
 */
export async function loadSession(entry: ModelEntry, modelDir: string, options: SessionOptions = {}): Promise<ort.InferenceSession> {
  const path = join(modelDir, entry.file);
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch {
    throw new FaceModelsUnavailableError(`face model ${entry.name} is missing (${path}); run npm run models:fetch`);
  }
  const digest = createHash('sha256').update(bytes).digest('hex');
  if (bytes.length !== entry.size || digest !== entry.sha256) {
    throw new FaceModelsUnavailableError(`face model ${entry.name} at ${path} does not match the manifest checksum`);
  }
  try {
    return await ort.InferenceSession.create(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length), {
      executionProviders: ['cpu'],
      graphOptimizationLevel: 'all',
      // With one intra-op thread per engine there is no spare core for running branches in parallel.
      executionMode: 'sequential',
      intraOpNumThreads: options.intraOpThreads ?? 1,
      interOpNumThreads: 1,
    });
  } catch (err) {
    throw new FaceModelsUnavailableError(`face model ${entry.name} could not be loaded: ${(err as Error).message}`);
  }
}

/** Static input dims when the model declares them; undefined for symbolic dims. */
export function staticInputDims(session: ort.InferenceSession): (number | undefined)[] {
  const meta = session.inputMetadata[0];
  if (!meta || !meta.isTensor) return [];
  return meta.shape.map((d) => (typeof d === 'number' && d > 0 ? d : undefined));
}

/** Reuses large input buffers across calls; concurrent calls each get their own. */
export class BufferPool {
  private readonly free: Float32Array[] = [];
  private readonly length: number;
  constructor(length: number) {
    this.length = length;
  }
  take(): Float32Array {
    return this.free.pop() ?? new Float32Array(this.length);
  }
  give(buffer: Float32Array): void {
    if (this.free.length < 4) this.free.push(buffer);
  }
}

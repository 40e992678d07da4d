import { Worker } from 'node:worker_threads';
import { PassError } from '../../core/errors.ts';
import type { QualityThresholds } from '../engine.ts';
import { deserializeError } from './protocol.ts';
import type { FromWorker, PhotoSource, SerializedError, ToWorker, WorkerAnalysis, WorkerEngineOptions } from './protocol.ts';

export interface FaceWorkerPoolOptions {
  /** Worker threads; each holds its own onnxruntime sessions (about 40 MB). */
  size: number;
  engine: WorkerEngineOptions;
  /** Photos waiting beyond this are refused with `face_busy` rather than queued for ever. */
  maxQueue: number;
  onWorkerError?: (error: unknown) => void;
}

export interface EngineInfo {
  modelId: string;
  embeddingLength: number;
  threshold: number;
}

interface Job {
  id: number;
  bytes: Uint8Array;
  quality: Partial<QualityThresholds> | undefined;
  source: PhotoSource;
  resolve(analysis: WorkerAnalysis): void;
  reject(error: unknown): void;
}

interface Slot {
  worker: Worker;
  job: Job | undefined;
}

const WORKER_URL = new URL(import.meta.url.endsWith('.ts') ? './face-worker.ts' : './face-worker.js', import.meta.url);

/**
 * Runs FaceEngine.analyse in worker threads. onnxruntime-node runs inference synchronously on the
 * calling thread, so the main thread only posts bytes and receives embeddings; HTTP stays
 * responsive while photos are analysed. One job per worker at a time, FIFO queue in front.
 */
export class FaceWorkerPool {
  readonly info: EngineInfo;
  readonly #options: FaceWorkerPoolOptions;
  readonly #slots: Slot[] = [];
  readonly #queue: Job[] = [];
  #nextId = 1;
  #closed = false;

  private constructor(options: FaceWorkerPoolOptions, info: EngineInfo) {
    this.#options = options;
    this.info = info;
  }

  /** Starts every worker and waits until each has loaded the models; throws FaceModelsUnavailableError if they cannot. */
  static async start(options: FaceWorkerPoolOptions): Promise<FaceWorkerPool> {
    const started = await Promise.allSettled(Array.from({ length: Math.max(1, options.size) }, () => spawn(options.engine)));
    const failed = started.find((s) => s.status === 'rejected');
    if (failed) {
      await Promise.all(started.map((s) => (s.status === 'fulfilled' ? s.value.worker.terminate() : undefined)));
      throw failed.reason;
    }
    const workers = started.map((s) => (s as PromiseFulfilledResult<{ worker: Worker; info: EngineInfo }>).value);
    const pool = new FaceWorkerPool(options, workers[0]!.info);
    for (const { worker } of workers) pool.#attach(worker);
    return pool;
  }

  get stats(): { workers: number; busy: number; queued: number } {
    return { workers: this.#slots.length, busy: this.#slots.filter((s) => s.job).length, queued: this.#queue.length };
  }

  analyse(bytes: Uint8Array, quality?: Partial<QualityThresholds>, source: PhotoSource = 'upload'): Promise<WorkerAnalysis> {
    if (this.#closed) return Promise.reject(new PassError('unavailable', 'face_unavailable', 'face analysis is shutting down'));
    if (this.#queue.length >= this.#options.maxQueue) {
      return Promise.reject(new PassError('rate_limited', 'face_busy', 'too many photos are being analysed; try again shortly'));
    }
    return new Promise<WorkerAnalysis>((resolve, reject) => {
      this.#queue.push({ id: this.#nextId++, bytes, quality, source, resolve, reject });
      this.#dispatch();
    });
  }

  async close(): Promise<void> {
    this.#closed = true;
    const gone = new PassError('unavailable', 'face_unavailable', 'face analysis stopped');
    for (const job of this.#queue.splice(0)) job.reject(gone);
    await Promise.all(this.#slots.map((s) => s.worker.terminate()));
    this.#slots.length = 0;
  }

  #attach(worker: Worker): void {
    const slot: Slot = { worker, job: undefined };
    this.#slots.push(slot);
    worker.on('message', (message: FromWorker) => {
      const job = slot.job;
      if (!job || (message.kind !== 'result' && message.kind !== 'error') || message.id !== job.id) return;
      slot.job = undefined;
      if (message.kind === 'result') job.resolve(message.analysis);
      else job.reject(deserializeError(message.error));
      this.#dispatch();
    });
    worker.on('error', (error) => this.#options.onWorkerError?.(error));
    worker.once('exit', () => {
      const index = this.#slots.indexOf(slot);
      if (index >= 0) this.#slots.splice(index, 1);
      slot.job?.reject(new PassError('internal', 'face_worker_error', 'face analysis failed'));
      if (this.#closed) return;
      // A crashed worker is replaced; the models were already loaded once, so this should succeed.
      spawn(this.#options.engine).then(
        ({ worker: replacement }) => {
          if (this.#closed) void replacement.terminate();
          else {
            this.#attach(replacement);
            this.#dispatch();
          }
        },
        (error: unknown) => this.#options.onWorkerError?.(error),
      );
    });
  }

  #dispatch(): void {
    for (const slot of this.#slots) {
      if (slot.job) continue;
      const job = this.#queue.shift();
      if (!job) return;
      slot.job = job;
      // The upload is copied once into a transferable buffer; the request's Buffer stays untouched.
      const bytes = Uint8Array.from(job.bytes);
      const message: ToWorker = { id: job.id, op: 'analyse', bytes, ...(job.quality ? { quality: job.quality } : {}), ...(job.source === 'upload' ? {} : { source: job.source }) };
      slot.worker.postMessage(message, [bytes.buffer]);
    }
  }
}

function spawn(engine: WorkerEngineOptions): Promise<{ worker: Worker; info: EngineInfo }> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER_URL, { workerData: engine });
    const fail = (error: unknown) => {
      void worker.terminate();
      reject(error);
    };
    const onExit = (code: number) => reject(new PassError('internal', 'face_worker_error', `face worker exited during start (${code})`));
    worker.once('exit', onExit);
    worker.once('error', fail);
    worker.once('message', (message: FromWorker) => {
      worker.off('exit', onExit);
      worker.off('error', fail);
      if (message.kind === 'ready') resolve({ worker, info: { modelId: message.modelId, embeddingLength: message.embeddingLength, threshold: message.threshold } });
      else fail(deserializeError((message as { error: SerializedError }).error));
    });
  });
}

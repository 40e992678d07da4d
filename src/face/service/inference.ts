import { FaceModelsUnavailableError } from '../errors.ts';
import type { PassError } from '../../core/errors.ts';
import { FaceWorkerPool } from '../worker/pool.ts';
import type { EngineInfo, FaceWorkerPoolOptions } from '../worker/pool.ts';
import type { QualityThresholds } from '../engine.ts';
import type { PhotoSource, WorkerAnalysis } from '../worker/protocol.ts';

/** What the face service needs from inference; the worker pool in production, a stub in unit tests. */
export interface FaceInference {
  /** `source` 'card-photo': a My Number Card photo (JPEG 2000), decoded in the worker too. */
  analyse(bytes: Uint8Array, quality?: Partial<QualityThresholds>, source?: PhotoSource): Promise<WorkerAnalysis>;
  readonly state: 'idle' | 'starting' | 'ready' | 'failed';
  readonly failure: string | undefined;
  readonly stats: { workers: number; busy: number; queued: number };
  start(): Promise<EngineInfo>;
  close(): Promise<void>;
}

/**
 * Starts the worker pool once, on start() or on the first photo. A failed start (models missing
 * or corrupt) is remembered, so every later request answers `models_unavailable` at once.
 */
export class LazyWorkerPool implements FaceInference {
  readonly #options: FaceWorkerPoolOptions;
  #pool: Promise<FaceWorkerPool> | undefined;
  #ready: FaceWorkerPool | undefined;
  #failure: string | undefined;

  constructor(options: FaceWorkerPoolOptions) {
    this.#options = options;
  }

  get state(): FaceInference['state'] {
    return this.#failure ? 'failed' : this.#ready ? 'ready' : this.#pool ? 'starting' : 'idle';
  }

  get failure(): string | undefined {
    return this.#failure;
  }

  get stats(): { workers: number; busy: number; queued: number } {
    return this.#ready?.stats ?? { workers: 0, busy: 0, queued: 0 };
  }

  async start(): Promise<EngineInfo> {
    this.#pool ??= FaceWorkerPool.start(this.#options).then(
      (pool) => {
        this.#ready = pool;
        return pool;
      },
      (error: unknown) => {
        this.#failure = (error as PassError).message ?? 'face workers failed to start';
        throw error instanceof FaceModelsUnavailableError ? error : new FaceModelsUnavailableError(this.#failure);
      },
    );
    return (await this.#pool).info;
  }

  async analyse(bytes: Uint8Array, quality?: Partial<QualityThresholds>, source?: PhotoSource): Promise<WorkerAnalysis> {
    await this.start();
    return this.#ready!.analyse(bytes, quality, source);
  }

  async close(): Promise<void> {
    const pool = this.#pool;
    this.#pool = Promise.reject(new FaceModelsUnavailableError('face analysis stopped'));
    this.#pool.catch(() => {});
    await (await pool?.catch(() => undefined))?.close();
  }
}

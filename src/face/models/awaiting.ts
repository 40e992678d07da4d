/**
 * Face inference for a PASS that started without its models: unavailable (with the reason) until
 * the model files are in place and verified, then the worker pool, started at once so the engine
 * loads them. The files are looked for again now and then, so models that arrive while PASS runs
 * (fetched in the background, or by `npm run models:fetch`) switch face features on without a restart.
 */
import { FaceModelsUnavailableError } from '../errors.ts';
import type { FaceInference } from '../service/inference.ts';
import type { QualityThresholds } from '../engine.ts';
import type { EngineInfo } from '../worker/pool.ts';
import type { WorkerAnalysis } from '../worker/protocol.ts';
import type { FaceModelsStatus } from './status.ts';

export interface AwaitingModelsOptions {
  pool: FaceInference;
  /** The check of the configured models' files (status.ts). */
  check: () => Promise<FaceModelsStatus>;
  /** Why face is off, from whoever is bringing the models (the background fetch), before the files' own reason. */
  progress?: () => string | undefined;
  onArrived?: () => void;
  /** At most one look at the files per this many ms when face is asked for (default 5 s). */
  recheckMs?: number;
  now?: () => number;
}

export class AwaitingModels implements FaceInference {
  readonly #o: AwaitingModelsOptions;
  #arrived = false;
  #reason: string;
  #lastCheck: number;
  #checking: Promise<boolean> | undefined;

  constructor(options: AwaitingModelsOptions, reason: string) {
    this.#o = options;
    this.#reason = reason;
    this.#lastCheck = this.#now();
  }

  get arrived(): boolean {
    return this.#arrived;
  }

  get state(): FaceInference['state'] {
    if (this.#arrived) return this.#o.pool.state;
    if (this.#now() - this.#lastCheck >= (this.#o.recheckMs ?? 5000)) void this.recheck();
    return 'failed';
  }

  get failure(): string | undefined {
    if (this.#arrived) return this.#o.pool.failure;
    return this.#o.progress?.() ?? this.#reason;
  }

  get stats(): { workers: number; busy: number; queued: number } {
    return this.#o.pool.stats;
  }

  /** Looks at the files; true once they are all there and verified (and the pool is starting). */
  recheck(): Promise<boolean> {
    if (this.#arrived) return Promise.resolve(true);
    this.#checking ??= this.#o
      .check()
      .then((status) => {
        this.#lastCheck = this.#now();
        if (!status.available) {
          this.#reason = status.reason ?? this.#reason;
          return false;
        }
        this.#arrive();
        return true;
      })
      // An unreadable directory is one more reason face stays off, not an error of the caller.
      .catch((error: unknown) => {
        this.#reason = `face models could not be checked: ${(error as Error).message}`;
        return false;
      })
      .finally(() => {
        this.#checking = undefined;
      });
    return this.#checking;
  }

  start(): Promise<EngineInfo> {
    return this.#arrived ? this.#o.pool.start() : Promise.reject(this.#unavailable());
  }

  analyse(bytes: Uint8Array, quality?: Partial<QualityThresholds>): Promise<WorkerAnalysis> {
    return this.#arrived ? this.#o.pool.analyse(bytes, quality) : Promise.reject(this.#unavailable());
  }

  close(): Promise<void> {
    return this.#o.pool.close();
  }

  #arrive(): void {
    this.#arrived = true;
    // The pool remembers a failed start (a model that will not load): /readyz then says so.
    this.#o.pool.start().catch(() => {});
    this.#o.onArrived?.();
  }

  #unavailable(): FaceModelsUnavailableError {
    return new FaceModelsUnavailableError(this.failure ?? 'face models are not installed');
  }

  #now(): number {
    return (this.#o.now ?? Date.now)();
  }
}

/**
 * Fetches the configured face models that are missing, in the background of a starting PASS: the
 * HTTP listener never waits for it. Progress goes to the log at coarse steps; a failure (offline,
 * a source down) is one warn line, and the fetch is tried again later, so a laptop that comes
 * online gets its face features without a restart.
 */
import type { Logger } from '../../core/logger.ts';
import type { Fetch } from './download.ts';
import { fetchModels, ModelFetchBusyError, ModelFetchError } from './fetch.ts';
import type { FetchEvent, FetchModelsOptions } from './fetch.ts';
import type { ModelManifest } from './manifest.ts';

export type ModelMirror = { directory: string } | { url: string };

/** Schedules `run` after `ms`; returns what cancels it. Tests pass one they fire by hand. */
export type Schedule = (ms: number, run: () => void) => () => void;

const realSchedule: Schedule = (ms, run) => {
  const timer = setTimeout(run, ms);
  // A pending retry must not keep a stopping process alive.
  timer.unref();
  return () => clearTimeout(timer);
};

export interface ProvisionOptions {
  manifest: ModelManifest;
  /** Manifest names of the models face features need (may be empty when only optional ones are missing). */
  names: string[];
  /**
   * Models face works without (the presentation-attack and head-pose models): fetched after the needed ones, a
   * failure is one warn line and no retry, and never keeps face off.
   */
  optional?: string[];
  dir: string;
  mirror: ModelMirror | undefined;
  log: Logger;
  /** Called after a fetch that left every model in place, verified. */
  onFetched: () => void;
  /** Pauses before the next try of the whole fetch; the last one repeats. Default 1 min, 5 min, then 15 min. */
  retryDelaysMs?: number[];
  schedule?: Schedule;
  /** Passed on to fetchModels: the pause between tries of one file, and the HTTP client. */
  wait?: FetchModelsOptions['wait'];
  fetch?: Fetch;
}

const DEFAULT_RETRY_DELAYS_MS = [60_000, 5 * 60_000, 15 * 60_000];
/** Another process holds the fetch lock: look again soon, the files will likely be there. */
const BUSY_DELAY_MS = 10_000;
const STEP_PERCENT = 25;

export const FETCH_ADVICE = 'set PASS_MODELS_MIRROR or run npm run models:fetch';

export function describeMirror(mirror: ModelMirror | undefined): string {
  if (!mirror) return 'their public sources';
  return 'url' in mirror ? mirror.url : mirror.directory;
}

export class ModelProvisioner {
  readonly #o: ProvisionOptions;
  readonly #schedule: Schedule;
  readonly #abort = new AbortController();
  readonly #percent = new Map<string, number>();
  /** Models whose download began in the current try: only their interruptions are worth an info line. */
  readonly #begun = new Set<string>();
  #status: string | undefined;
  #failures = 0;
  #cancelRetry: (() => void) | undefined;
  #running: Promise<boolean> | undefined;
  #stopped = false;

  constructor(options: ProvisionOptions) {
    this.#o = options;
    this.#schedule = options.schedule ?? realSchedule;
  }

  /** What /readyz says while face is off: the fetch under way, or why the last one failed. */
  get status(): string | undefined {
    return this.#status;
  }

  /** Starts the first fetch and returns at once; `settled()` waits for it. */
  start(): void {
    this.#o.log.info({ models: this.#o.names, from: describeMirror(this.#o.mirror), dir: this.#o.dir }, 'face models missing: fetching them in the background');
    this.#launch();
  }

  /** The fetch under way, if any: true when it brought every model. */
  settled(): Promise<boolean> {
    return this.#running ?? Promise.resolve(false);
  }

  /** No further tries (the models arrived some other way). */
  cancelRetries(): void {
    this.#cancelRetry?.();
    this.#cancelRetry = undefined;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.cancelRetries();
    this.#abort.abort(new Error('PASS is stopping'));
    await this.#running?.catch(() => false);
  }

  #launch(): void {
    this.#cancelRetry = undefined;
    if (this.#stopped) return;
    const run = this.#run();
    this.#running = run;
    void run.finally(() => {
      if (this.#running === run) this.#running = undefined;
    });
  }

  async #run(): Promise<boolean> {
    this.#percent.clear();
    this.#begun.clear();
    this.#status = `fetching face models from ${describeMirror(this.#o.mirror)}`;
    const { mirror } = this.#o;
    const fetchNamed = (names: string[]) =>
      fetchModels({
        manifest: this.#o.manifest,
        to: this.#o.dir,
        names,
        ...(!mirror ? { public: true } : 'url' in mirror ? { url: mirror.url } : { from: mirror.directory }),
        onEvent: (event) => this.#report(event),
        signal: this.#abort.signal,
        ...(this.#o.wait ? { wait: this.#o.wait } : {}),
        ...(this.#o.fetch ? { fetch: this.#o.fetch } : {}),
      });
    try {
      // fetchModels reads an empty list as "all models".
      if (this.#o.names.length > 0) await fetchNamed(this.#o.names);
    } catch (err) {
      if (this.#stopped) return false;
      if (err instanceof ModelFetchBusyError) {
        this.#status = 'another process is fetching the face models';
        this.#o.log.info({ reason: err.failures.join('; ') }, 'face models: another process is fetching them; looking again shortly');
        this.#retryIn(BUSY_DELAY_MS);
        return false;
      }
      const failures = err instanceof ModelFetchError ? err.failures : [(err as Error).message];
      this.#status = `could not fetch models (${failures.join('; ')}); ${FETCH_ADVICE}`;
      // One warn line for the operator; later tries of a machine that stays offline only at debug.
      if (this.#failures++ === 0) this.#o.log.warn({ failures }, `face features off: could not fetch models (${failures.join('; ')}); ${FETCH_ADVICE}`);
      else this.#o.log.debug({ failures, tries: this.#failures }, 'face models: fetch failed again');
      const delays = this.#o.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS;
      this.#retryIn(delays[Math.min(this.#failures - 1, delays.length - 1)]!);
      return false;
    }
    const optional = this.#o.optional ?? [];
    if (optional.length > 0 && !this.#stopped) {
      try {
        await fetchNamed(optional);
      } catch (err) {
        if (this.#stopped) return false;
        const failures = err instanceof ModelFetchError ? err.failures : [(err as Error).message];
        this.#o.log.warn({ failures }, `optional face models not fetched (${failures.join('; ')}); without them presentation attacks are recorded as not checked and the head-turn check is off; ${FETCH_ADVICE}`);
      }
    }
    this.#status = 'face models fetched; loading them';
    this.#o.log.info({ models: this.#o.names }, 'face models fetched and verified; face features on');
    this.#o.onFetched();
    return true;
  }

  #retryIn(ms: number): void {
    if (this.#stopped) return;
    this.#cancelRetry = this.#schedule(ms, () => this.#launch());
  }

  #report(event: FetchEvent): void {
    const log = this.#o.log;
    switch (event.type) {
      case 'start': {
        this.#begun.add(event.name);
        const resumed = event.resumeAt > 0 ? `, resuming at ${Math.floor((100 * event.resumeAt) / event.size)}%` : '';
        log.info({ model: event.name, from: event.from, bytes: event.size }, `face model ${event.name}: downloading ${(event.size / 1e6).toFixed(1)} MB from ${event.from}${resumed}`);
        this.#percent.set(event.name, Math.floor((100 * event.resumeAt) / event.size));
        break;
      }
      case 'progress': {
        const percent = Math.floor((100 * event.bytes) / event.size);
        const step = Math.floor(percent / STEP_PERCENT) * STEP_PERCENT;
        const last = this.#percent.get(event.name) ?? 0;
        this.#status = `fetching face model ${event.name}: ${percent}%`;
        if (step > Math.floor(last / STEP_PERCENT) * STEP_PERCENT && step < 100) log.info({ model: event.name, percent: step }, `face model ${event.name}: ${step}%`);
        this.#percent.set(event.name, percent);
        break;
      }
      case 'retry':
        if (this.#begun.delete(event.name)) log.info({ model: event.name, attempt: event.attempt, reason: event.message }, `face model ${event.name}: interrupted (${event.message}); resuming`);
        else log.debug({ model: event.name, attempt: event.attempt, reason: event.message }, `face model ${event.name}: ${event.message}; trying again`);
        break;
      case 'done':
        log.info({ model: event.name }, `face model ${event.name}: 100%, sha256 ok`);
        break;
      case 'skip':
      case 'error':
        // Skips are silent; errors are summed up in the one warn line.
        break;
    }
  }
}

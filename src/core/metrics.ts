/**
 * Prometheus metrics of one PASS process (prom-client), and of the whole node when PASS runs
 * several workers (node:cluster).
 *
 * The platform holds one MetricsRegistry per server (src/platform.ts) and hands it to the
 * capabilities as `platform.metrics`; each capability declares its own series from it, in its own
 * small metrics module (src/checkins/metrics.ts, src/face/service/metrics.ts, …), and hands its
 * services only the narrow recorder they use. Two PASS servers in one process (the tests) keep
 * separate series; only prom-client's process series (CPU, memory, event loop), which describe
 * the process itself, are kept once per process.
 *
 * Label values must come from a small fixed set (a method, a route pattern, a reason class): never
 * an id, a path, a token or anything a caller chose.
 */
import cluster, { type Worker } from 'node:cluster';
import { AggregatorRegistry, collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

export type Labels<L extends string> = Record<L, string>;

export interface SeriesSpec<L extends string> {
  /** `pass_…`, in Prometheus' naming: a unit suffix (`_seconds`), `_total` for counters. */
  name: string;
  help: string;
  labelNames: readonly L[];
}

export interface CounterSeries<L extends string> {
  inc(labels: Labels<L>, by?: number): void;
}

export interface HistogramSeries<L extends string> {
  observe(labels: Labels<L>, value: number): void;
}

/** A gauge's value, read at each scrape: one number, or one per label set. */
export type GaugeReading<L extends string> = number | ReadonlyArray<{ labels: Labels<L>; value: number }>;

/** What a capability may do with metrics: declare its series. Declaring a name twice returns the first series. */
export interface Metrics {
  counter<L extends string = never>(spec: SeriesSpec<L>): CounterSeries<L>;
  histogram<L extends string = never>(spec: SeriesSpec<L> & { buckets: readonly number[] }): HistogramSeries<L>;
  /** A gauge whose value is read when scraped (a queue length, a pool's size): nothing to keep up to date. */
  gauge<L extends string = never>(spec: SeriesSpec<L> & { read(): GaugeReading<L> }): void;
}

/** Records nothing: for services built without metrics (unit tests, the CLI's own uses). */
export const NO_METRICS: Metrics = {
  counter: () => ({ inc() {} }),
  histogram: () => ({ observe() {} }),
  gauge() {},
};

/** An outcomes counter: what was done (`kind`), and the class of a refusal. */
export interface OutcomeSpec<K extends string> {
  name: string;
  help: string;
  /** The label naming what was done (`method`, `step`), and its values. */
  kindLabel: string;
  kinds: readonly K[];
  /** The `result` label's two values: done (`accepted`, `verified`) and refused (`rejected`, `refused`). */
  results: { done: string; refused: string };
}

/**
 * A counter of outcomes by kind, `result` and `reason_class` (the class of a refusal from a fixed
 * set, `none` when done), recorded with the refusal's class or undefined when done. Each kind's
 * done series starts at 0, so a rate over it is defined before the first outcome.
 */
export function outcomeCounter<K extends string>(metrics: Metrics, spec: OutcomeSpec<K>): (kind: K, refusalClass: string | undefined) => void {
  const { kindLabel, results } = spec;
  const outcomes = metrics.counter({ name: spec.name, help: spec.help, labelNames: [kindLabel, 'result', 'reason_class'] });
  for (const kind of spec.kinds) outcomes.inc({ [kindLabel]: kind, result: results.done, reason_class: 'none' }, 0);
  return (kind, refusalClass) => outcomes.inc({ [kindLabel]: kind, result: refusalClass === undefined ? results.done : results.refused, reason_class: refusalClass ?? 'none' });
}

/** One scrape's answer in the Prometheus text format. */
export interface Scrape {
  contentType: string;
  body: string;
}

/** Latency buckets, in seconds, for requests and inference: 5 ms to 10 s. */
export const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] as const;

let processRegistry: Registry | undefined;

/**
 * prom-client's default series (CPU, memory, heap, handles, GC, event-loop lag) describe the
 * process, so a process keeps one set, shared by every MetricsRegistry in it (tests run several
 * PASS servers in one process; each would otherwise start its own event-loop monitor for good).
 */
function processSeries(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry, eventLoopMonitoringPrecision: 10 });
  }
  return processRegistry;
}

/** The series of one PASS server, in its own prom-client registry, with the process's series once it serves. */
export class MetricsRegistry implements Metrics {
  readonly registry = new Registry();
  #registries: Registry[] = [this.registry];

  counter<L extends string = never>(spec: SeriesSpec<L>): CounterSeries<L> {
    const counter =
      (this.registry.getSingleMetric(spec.name) as Counter<L> | undefined) ??
      new Counter<L>({ name: spec.name, help: spec.help, labelNames: [...spec.labelNames], registers: [this.registry] });
    return { inc: (labels, by = 1) => counter.inc(labels, by) };
  }

  histogram<L extends string = never>(spec: SeriesSpec<L> & { buckets: readonly number[] }): HistogramSeries<L> {
    const histogram =
      (this.registry.getSingleMetric(spec.name) as Histogram<L> | undefined) ??
      new Histogram<L>({ name: spec.name, help: spec.help, labelNames: [...spec.labelNames], buckets: [...spec.buckets], registers: [this.registry] });
    return { observe: (labels, value) => histogram.observe(labels, value) };
  }

  gauge<L extends string = never>(spec: SeriesSpec<L> & { read(): GaugeReading<L> }): void {
    if (this.registry.getSingleMetric(spec.name)) return;
    new Gauge<L>({
      name: spec.name,
      help: spec.help,
      labelNames: [...spec.labelNames],
      registers: [this.registry],
      collect() {
        const reading = spec.read();
        if (typeof reading === 'number') {
          this.set(reading);
          return;
        }
        this.reset();
        for (const { labels, value } of reading) this.set(labels, value);
      },
    });
  }

  /**
   * prom-client's default series (CPU, memory, heap, handles, GC, event-loop lag) and
   * `pass_processes`; a server calls this once, the CLI never.
   */
  collectProcessMetrics(): void {
    if (this.#registries.length > 1) return;
    this.#registries = [processSeries(), this.registry];
    this.gauge({ name: 'pass_processes', help: 'PASS processes that answered this scrape (the workers of the node, 1 without PASS_WORKERS)', labelNames: [], read: () => 1 });
  }

  /** Every registry a scrape of this server reads: its own, and the process's once it serves. */
  get registries(): readonly Registry[] {
    return this.#registries;
  }

  /** This server's series and its process's. */
  async scrape(): Promise<Scrape> {
    const merged = Registry.merge([...this.#registries]);
    return { contentType: merged.contentType, body: await merged.metrics() };
  }
}

// The whole node when PASS_WORKERS > 1. The workers of one machine share its port, so a scrape
// reaches one of them; only the primary can ask every worker. A scraped worker asks the primary,
// which collects the series of every worker that said it is ready (the asking worker's included)
// and adds them up with prom-client's AggregatorRegistry.aggregate (counters and histograms summed,
// gauges summed, event-loop lag averaged, each metric's own aggregator). A worker still starting,
// or one that does not answer within COLLECT_TIMEOUT_MS, is left out rather than failing the scrape:
// `pass_processes` says how many answered.

const READY = 'pass:metrics-ready';
const SCRAPE = 'pass:metrics-scrape';
const SCRAPED = 'pass:metrics-scraped';
const COLLECT = 'pass:metrics-collect';
const COLLECTED = 'pass:metrics-collected';
const COLLECT_TIMEOUT_MS = 3_000;
const NODE_SCRAPE_TIMEOUT_MS = COLLECT_TIMEOUT_MS + 2_000;

type SeriesJson = Awaited<ReturnType<Registry['getMetricsAsJSON']>>;

type Message =
  | { type: typeof READY }
  | { type: typeof SCRAPE; id: number }
  | { type: typeof SCRAPED; id: number; body?: string; error?: string }
  | { type: typeof COLLECT; id: number }
  | { type: typeof COLLECTED; id: number; series: SeriesJson[] };

function messageOf(message: unknown): Message | undefined {
  const type = (message as { type?: unknown } | null)?.type;
  return typeof type === 'string' && type.startsWith('pass:metrics-') ? (message as Message) : undefined;
}

/**
 * In the cluster's primary: answers each worker's scrape with the series of every ready worker,
 * added up. Returns a function that stops answering.
 */
export function answerWorkerScrapes(): () => void {
  const ready = new Set<number>();
  const collecting = new Map<number, (series: SeriesJson[]) => void>();
  let next = 0;

  const gather = (): Promise<string> => {
    const id = (next += 1);
    const workers = [...ready].map((w) => cluster.workers?.[w]).filter((w): w is Worker => w !== undefined && w.isConnected());
    return new Promise<string>((resolve, reject) => {
      const answers: SeriesJson[] = [];
      let pending = workers.length;
      const finish = () => {
        clearTimeout(timer);
        collecting.delete(id);
        AggregatorRegistry.aggregate(answers).metrics().then(resolve, reject);
      };
      const timer = setTimeout(finish, COLLECT_TIMEOUT_MS);
      collecting.set(id, (series) => {
        answers.push(...series);
        pending -= 1;
        if (pending === 0) finish();
      });
      for (const worker of workers) worker.send({ type: COLLECT, id } satisfies Message);
      if (pending === 0) finish();
    });
  };

  const onMessage = (worker: Worker, raw: unknown) => {
    const message = messageOf(raw);
    if (message?.type === READY) ready.add(worker.id);
    else if (message?.type === COLLECTED) collecting.get(message.id)?.(message.series);
    else if (message?.type === SCRAPE) {
      const reply = (answer: { body?: string; error?: string }) => {
        if (worker.isConnected()) worker.send({ type: SCRAPED, id: message.id, ...answer } satisfies Message);
      };
      gather().then(
        (body) => reply({ body }),
        (error: unknown) => reply({ error: (error as Error).message ?? 'aggregation failed' }),
      );
    }
  };
  const onExit = (worker: Worker) => ready.delete(worker.id);
  cluster.on('message', onMessage);
  cluster.on('exit', onExit);
  return () => {
    cluster.off('message', onMessage);
    cluster.off('exit', onExit);
  };
}

/**
 * In a cluster worker: tells the primary this worker's series are ready, answers its requests for
 * them, and returns the scrape that the worker's /metrics serves: the whole node's series,
 * gathered by the primary.
 */
export function nodeScrapeFromWorker(metrics: MetricsRegistry): () => Promise<Scrape> {
  let next = 0;
  const waiting = new Map<number, { resolve(scrape: Scrape): void; reject(error: Error): void }>();
  const send = (message: Message) => process.send!(message);
  process.on('message', (raw: unknown) => {
    const message = messageOf(raw);
    if (message?.type === COLLECT) {
      Promise.all(metrics.registries.map((r) => r.getMetricsAsJSON())).then(
        (series) => send({ type: COLLECTED, id: message.id, series }),
        () => send({ type: COLLECTED, id: message.id, series: [] }),
      );
    } else if (message?.type === SCRAPED) {
      const pending = waiting.get(message.id);
      waiting.delete(message.id);
      if (message.body !== undefined) pending?.resolve({ body: message.body, contentType: Registry.PROMETHEUS_CONTENT_TYPE });
      else pending?.reject(new Error(message.error ?? 'the primary did not gather the node’s metrics'));
    }
  });
  send({ type: READY });
  return () =>
    new Promise<Scrape>((resolve, reject) => {
      const id = (next += 1);
      const timer = setTimeout(() => {
        waiting.delete(id);
        reject(new Error('the primary did not answer the metrics scrape in time'));
      }, NODE_SCRAPE_TIMEOUT_MS);
      waiting.set(id, {
        resolve: (scrape) => (clearTimeout(timer), resolve(scrape)),
        reject: (error) => (clearTimeout(timer), reject(error)),
      });
      send({ type: SCRAPE, id });
    });
}

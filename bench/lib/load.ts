import autocannon from 'autocannon';
import type { Options, Result } from 'autocannon';
import type { Measurement } from '../types.ts';
import { processCpuSeconds } from './proc-cpu.ts';

/** One HTTP load: what autocannon sends, with the same connections for every target compared. */
export interface LoadRequest {
  url: string;
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  connections: number;
}

export interface LoadFigures {
  requests: number;
  seconds: number;
  throughput: number;
  p50Ms: number;
  p99Ms: number;
  /** Server CPU per request, when the target names its process. */
  cpuMsPerOp?: number;
}

function fire(options: Options): Promise<Result> {
  return new Promise((resolve, reject) => {
    autocannon(options, (error, result) => (error ? reject(error) : resolve(result)));
  });
}

/**
 * Runs autocannon in this process (no worker threads: on a two-core machine the other core
 * belongs to the server under test). Any failed or non-2xx response is a harness error, not a
 * figure: a fast error path would make a broken server look quick.
 */
export async function measureLoad(request: LoadRequest, seconds: number): Promise<LoadFigures> {
  const result = await fire({
    url: request.url,
    method: request.method ?? 'GET',
    headers: request.headers ?? {},
    ...(request.body !== undefined ? { body: request.body } : {}),
    connections: request.connections,
    pipelining: 1,
    duration: seconds,
    timeout: 30,
  });
  const failed = result.errors + result.timeouts + result.non2xx;
  if (failed > 0) {
    const codes = Object.entries(result.statusCodeStats).map(([code, s]) => `${code}×${s.count}`).join(' ');
    throw new Error(
      `${request.url}: ${failed} failed requests (errors ${result.errors}, timeouts ${result.timeouts}, non-2xx ${result.non2xx}; status ${codes})`,
    );
  }
  const requests = result.requests.total;
  return {
    requests,
    seconds: result.duration,
    throughput: requests / result.duration,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
  };
}

export function median(values: number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export interface Target {
  label: string;
  request: LoadRequest;
  /** The server's process id, to charge it the CPU it used per request. */
  pid?: number;
}

async function measureTarget(target: Target, seconds: number): Promise<LoadFigures> {
  const before = target.pid === undefined ? undefined : processCpuSeconds(target.pid);
  const figures = await measureLoad(target.request, seconds);
  const after = target.pid === undefined ? undefined : processCpuSeconds(target.pid);
  if (before === undefined || after === undefined || figures.requests === 0) return figures;
  return { ...figures, cpuMsPerOp: ((after - before) * 1000) / figures.requests };
}

export interface Comparison {
  /** Median figures per target, in the order given. */
  measurements: Measurement[];
  /** Every round, for the notes: noise shows as spread between rounds. */
  rounds: Array<{ label: string; figures: LoadFigures }>;
}

/**
 * Warms every target up, then measures them in turn, round after round (A, B, A, B, ...), and
 * reports the median of the rounds, so a slow patch of the machine hits both sides alike.
 */
export async function compareTargets(
  targets: Target[],
  options: { seconds: number; warmupSeconds: number; rounds: number; log(line: string): void },
): Promise<Comparison> {
  for (const target of targets) {
    options.log(`warm-up ${target.label} (${options.warmupSeconds} s)`);
    await measureLoad(target.request, options.warmupSeconds);
  }
  const rounds: Comparison['rounds'] = [];
  for (let round = 1; round <= options.rounds; round += 1) {
    for (const target of targets) {
      const figures = await measureTarget(target, options.seconds);
      const cpu = figures.cpuMsPerOp === undefined ? '' : `, server CPU ${figures.cpuMsPerOp.toFixed(3)} ms/req`;
      options.log(`round ${round}/${options.rounds} ${target.label}: ${figures.throughput.toFixed(0)} req/s, p99 ${figures.p99Ms} ms${cpu}`);
      rounds.push({ label: target.label, figures });
    }
  }
  const measurements = targets.map(({ label }) => {
    const mine = rounds.filter((r) => r.label === label).map((r) => r.figures);
    const cpu = mine.flatMap((f) => (f.cpuMsPerOp === undefined ? [] : [f.cpuMsPerOp]));
    const measurement: Measurement = {
      label,
      throughput: median(mine.map((f) => f.throughput)),
      p50Ms: median(mine.map((f) => f.p50Ms)),
      p99Ms: median(mine.map((f) => f.p99Ms)),
    };
    if (cpu.length === mine.length) measurement.cpuMsPerOp = median(cpu);
    return measurement;
  });
  return { measurements, rounds };
}

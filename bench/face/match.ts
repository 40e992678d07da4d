// Face benchmarks: 1:N search per method over synthetic galleries (latency, recall@1 against the
// exact scan; search-bench.ts), end-to-end enrollment per photo by stage, and event-loop delay with inference
// in-process versus in the worker pool. bench/scenarios/face.ts reports these through
// `npm run bench`; `node bench/face/match.ts [--quick] [--sizes=1000,100000]` prints the JSON.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { loadavg } from 'node:os';
import { FaceEngine } from '../../src/face/engine.ts';
import { FaceWorkerPool } from '../../src/face/worker/pool.ts';
import { benchSearch } from './search-bench.ts';
import type { SearchFigures } from './search-bench.ts';
import { round, stats } from './stats.ts';
import type { LatencyStats } from './stats.ts';
import type { Distribution } from './synthetic.ts';

export type { SearchFigures } from './search-bench.ts';
export type { LatencyStats } from './stats.ts';

export interface FaceBenchResult {
  search: SearchFigures[];
  enroll: {
    detector: string;
    recognizer: string;
    photos: number;
    total: LatencyStats;
    /** detect + align + embed (the model work, without image decoding). */
    model: LatencyStats;
    threads: number;
    stages: { decode: LatencyStats; detect: LatencyStats; align: LatencyStats; embed: LatencyStats };
  };
  /** os.loadavg() (1, 5, 15 min) when the run started and ended: the machine is shared. */
  load: { start: number[]; end: number[] };
  eventLoop: { inProcessMaxMs: number; workersMaxMs: number; workersP99Ms: number; photos: number };
}

export interface FaceBenchOptions {
  modelDir?: string;
  facesDir?: string;
  gallerySizes?: number[];
  dimension?: number;
  /** Gallery models per size; `extra` adds single runs (e.g. the isotropic model at 100k). */
  distribution?: Distribution;
  extra?: Array<{ size: number; distribution: Distribution }>;
  queries?: number;
  recallProbes?: number;
  /** onnxruntime intra-op threads for the enrollment figures (default: the engine's, 1). */
  threads?: number;
  enrollRounds?: number;
  log?: (line: string) => void;
}

export async function benchFace(options: FaceBenchOptions = {}): Promise<FaceBenchResult> {
  const modelDir = options.modelDir ?? path.resolve(import.meta.dirname, '../../../shared/models');
  const facesDir = options.facesDir ?? path.resolve(import.meta.dirname, '../../../shared/faces');
  const log = options.log ?? (() => {});
  const start = loadavg().map(round);
  const photos = await loadPhotos(facesDir);
  log('face: enrollment per photo');
  const enroll = await benchEnroll(modelDir, photos, options.enrollRounds ?? 2, options.threads);
  log('face: event-loop delay, in-process vs workers');
  const eventLoop = await benchEventLoop(modelDir, photos);
  const search: SearchFigures[] = [];
  const runs = (options.gallerySizes ?? [1_000, 10_000, 100_000, 1_000_000]).map((size) => ({ size, distribution: options.distribution ?? 'face-like' }));
  for (const { size, distribution } of [...runs, ...(options.extra ?? [])]) {
    log(`face: 1:N over ${size.toLocaleString('en')} ${distribution} templates`);
    search.push(
      ...benchSearch({
        size,
        distribution,
        dimension: options.dimension ?? 512,
        queries: options.queries ?? 200,
        recallProbes: size >= 1_000_000 ? Math.min(300, options.recallProbes ?? 1000) : (options.recallProbes ?? 1000),
      }),
    );
  }
  return { search, enroll, eventLoop, load: { start, end: loadavg().map(round) } };
}

async function loadPhotos(facesDir: string): Promise<Buffer[]> {
  const photos: Buffer[] = [];
  for (const person of (await readdir(facesDir, { withFileTypes: true })).filter((d) => d.isDirectory())) {
    for (const f of await readdir(path.join(facesDir, person.name))) photos.push(await readFile(path.join(facesDir, person.name, f)));
  }
  return photos;
}

async function benchEnroll(modelDir: string, photos: Buffer[], rounds: number, threads?: number): Promise<FaceBenchResult['enroll']> {
  const engine = await FaceEngine.create({ modelDir, ...(threads ? { threads } : {}) });
  try {
    for (const p of photos.slice(0, 3)) await engine.analyse(p); // warm-up
    const total: number[] = [];
    const model: number[] = [];
    const stage = { decode: [] as number[], detect: [] as number[], align: [] as number[], embed: [] as number[] };
    for (let r = 0; r < rounds; r++) {
      for (const p of photos) {
        const t = performance.now();
        const { timings } = await engine.analyse(p);
        total.push(performance.now() - t);
        model.push(timings.detectMs + timings.alignMs + timings.embedMs);
        stage.decode.push(timings.decodeMs);
        stage.detect.push(timings.detectMs);
        stage.align.push(timings.alignMs);
        stage.embed.push(timings.embedMs);
      }
    }
    return {
      detector: engine.detector.entry.name,
      recognizer: engine.recognizer.entry.name,
      photos: photos.length,
      total: stats(total),
      model: stats(model),
      threads: threads ?? 1,
      stages: { decode: stats(stage.decode), detect: stats(stage.detect), align: stats(stage.align), embed: stats(stage.embed) },
    };
  } finally {
    await engine.close();
  }
}

/** The longest the event loop waited while all photos were analysed, in-process and in 2 workers. */
async function benchEventLoop(modelDir: string, photos: Buffer[]): Promise<FaceBenchResult['eventLoop']> {
  const measure = async (run: () => Promise<unknown>) => {
    const h = monitorEventLoopDelay({ resolution: 2 });
    h.enable();
    await run();
    h.disable();
    return { max: round(h.max / 1e6), p99: round(h.percentile(99) / 1e6) };
  };
  const engine = await FaceEngine.create({ modelDir });
  const inProcess = await measure(() => Promise.all(photos.map((p) => engine.analyse(p))));
  await engine.close();
  const pool = await FaceWorkerPool.start({ size: 2, maxQueue: photos.length, engine: { modelDir, threads: 1 } });
  const workers = await measure(() => Promise.all(photos.map((p) => pool.analyse(p))));
  await pool.close();
  return { inProcessMaxMs: inProcess.max, workersMaxMs: workers.max, workersP99Ms: workers.p99, photos: photos.length };
}

if (import.meta.main) {
  const quick = process.argv.includes('--quick');
  const only = process.argv.find((a) => a.startsWith('--sizes='))?.slice(8).split(',').map(Number);
  const result = await benchFace({
    ...(quick ? { gallerySizes: [1_000, 10_000], queries: 50, recallProbes: 200, enrollRounds: 1 } : {}),
    ...(only ? { gallerySizes: only } : {}),
    log: (l) => console.error(l),
  });
  console.log(JSON.stringify(result, null, 2));
}

// Face benchmarks: 1:N search per method over synthetic galleries (latency, recall@1 against the
// exact scan), end-to-end enrollment per photo by stage, and event-loop delay with inference
// in-process versus in the worker pool. bench/scenarios/face.ts reports these through
// `npm run bench`; `node bench/face/match.ts [--quick]` prints the JSON.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { FaceEngine } from '../../src/face/engine.ts';
import { FaceGallery } from '../../src/face/match/gallery.ts';
import type { SearchMethod } from '../../src/face/match/gallery.ts';
import { l2normalize } from '../../src/face/match/vector.ts';
import { FaceWorkerPool } from '../../src/face/worker/pool.ts';

export interface LatencyStats {
  medianMs: number;
  p99Ms: number;
  meanMs: number;
  runs: number;
}

export interface SearchFigures {
  gallerySize: number;
  method: Exclude<SearchMethod, 'auto'>;
  latency: LatencyStats;
  /** Probes of enrolled persons (cosine 0.40-0.85 to their template): share whose rank-1 equals the exact scan's. */
  recallGenuine: number;
  /** Probes of nobody: share whose rank-1 equals the exact scan's (decision is "no match" either way). */
  agreementImpostor: number;
}

export interface FaceBenchResult {
  search: SearchFigures[];
  enroll: {
    detector: string;
    recognizer: string;
    photos: number;
    total: LatencyStats;
    /** detect + align + embed (the model work, without image decoding). */
    model: LatencyStats;
    stagesMedianMs: { decode: number; detect: number; align: number; embed: number };
  };
  eventLoop: { inProcessMaxMs: number; workersMaxMs: number; workersP99Ms: number; photos: number };
}

export interface FaceBenchOptions {
  modelDir?: string;
  facesDir?: string;
  gallerySizes?: number[];
  dimension?: number;
  queries?: number;
  enrollRounds?: number;
  log?: (line: string) => void;
}

const METHODS = ['exact', 'int8', 'binary'] as const;

export async function benchFace(options: FaceBenchOptions = {}): Promise<FaceBenchResult> {
  const modelDir = options.modelDir ?? path.resolve(import.meta.dirname, '../../../shared/models');
  const facesDir = options.facesDir ?? path.resolve(import.meta.dirname, '../../../shared/faces');
  const log = options.log ?? (() => {});
  const search: SearchFigures[] = [];
  for (const size of options.gallerySizes ?? [1_000, 10_000, 100_000, 1_000_000]) {
    log(`face: 1:N over ${size.toLocaleString('en')} templates`);
    search.push(...benchSearch(size, options.dimension ?? 512, options.queries ?? 200));
  }
  const photos = await loadPhotos(facesDir);
  log('face: enrollment per photo');
  const enroll = await benchEnroll(modelDir, photos, options.enrollRounds ?? 2);
  log('face: event-loop delay, in-process vs workers');
  const eventLoop = await benchEventLoop(modelDir, photos);
  return { search, enroll, eventLoop };
}

function benchSearch(size: number, dimension: number, queries: number): SearchFigures[] {
  const gallery = new FaceGallery({ dimension, initialCapacity: size });
  const v = new Float32Array(dimension);
  const every = Math.max(1, Math.floor(size / queries));
  const genuine: Float32Array[] = [];
  for (let i = 0; i < size; i++) {
    randomUnit(v);
    if (i % every === 0 && genuine.length < queries) genuine.push(near(v, 0.4 + 0.45 * Math.random()));
    gallery.upsert(`p${i}`, v);
  }
  const impostors = Array.from({ length: queries }, () => randomUnit(new Float32Array(dimension)));
  // The exact scan at 1M costs ~0.6 s a probe: fewer probes there.
  const probes = size >= 1_000_000 ? { genuine: genuine.slice(0, 40), impostors: impostors.slice(0, 40) } : { genuine, impostors };
  const truth = (list: Float32Array[]) => list.map((p) => gallery.identify(p, 0.4, 1, 'exact').best?.personId);
  const exactGenuine = truth(probes.genuine);
  const exactImpostor = truth(probes.impostors);
  return METHODS.map((method) => {
    for (let i = 0; i < 5; i++) gallery.identify(probes.genuine[i % probes.genuine.length]!, 0.4, 1, method);
    const times: number[] = [];
    let hitsG = 0;
    let hitsI = 0;
    probes.genuine.forEach((p, i) => {
      const t = performance.now();
      const r = gallery.identify(p, 0.4, 1, method);
      times.push(performance.now() - t);
      if (r.best?.personId === exactGenuine[i]) hitsG++;
    });
    probes.impostors.forEach((p, i) => {
      const t = performance.now();
      const r = gallery.identify(p, 0.4, 1, method);
      times.push(performance.now() - t);
      if (r.best?.personId === exactImpostor[i]) hitsI++;
    });
    return {
      gallerySize: size,
      method,
      latency: stats(times),
      recallGenuine: hitsG / probes.genuine.length,
      agreementImpostor: hitsI / probes.impostors.length,
    };
  });
}

async function loadPhotos(facesDir: string): Promise<Buffer[]> {
  const photos: Buffer[] = [];
  for (const person of (await readdir(facesDir, { withFileTypes: true })).filter((d) => d.isDirectory())) {
    for (const f of await readdir(path.join(facesDir, person.name))) photos.push(await readFile(path.join(facesDir, person.name, f)));
  }
  return photos;
}

async function benchEnroll(modelDir: string, photos: Buffer[], rounds: number): Promise<FaceBenchResult['enroll']> {
  const engine = await FaceEngine.create({ modelDir });
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
      stagesMedianMs: {
        decode: stats(stage.decode).medianMs,
        detect: stats(stage.detect).medianMs,
        align: stats(stage.align).medianMs,
        embed: stats(stage.embed).medianMs,
      },
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

function randomUnit(v: Float32Array): Float32Array {
  // Normal components give directions uniform on the sphere, like well-spread face embeddings.
  for (let j = 0; j < v.length; j += 2) {
    const r = Math.sqrt(-2 * Math.log(1 - Math.random()));
    const a = 2 * Math.PI * Math.random();
    v[j] = r * Math.cos(a);
    if (j + 1 < v.length) v[j + 1] = r * Math.sin(a);
  }
  return l2normalize(v);
}

/** A probe at cosine c to `base` (another photo of the same person). */
function near(base: Float32Array, c: number): Float32Array {
  const noise = randomUnit(new Float32Array(base.length));
  const probe = new Float32Array(base.length);
  for (let j = 0; j < base.length; j++) probe[j] = c * base[j]! + Math.sqrt(1 - c * c) * noise[j]!;
  return l2normalize(probe);
}

const round = (x: number) => Math.round(x * 100) / 100;

function stats(times: number[]): LatencyStats {
  const sorted = [...times].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
  return { medianMs: round(at(0.5)), p99Ms: round(at(0.99)), meanMs: round(times.reduce((a, b) => a + b, 0) / times.length), runs: times.length };
}

if (import.meta.main) {
  const quick = process.argv.includes('--quick');
  const result = await benchFace({ ...(quick ? { gallerySizes: [1_000, 10_000], queries: 50, enrollRounds: 1 } : {}), log: (l) => console.error(l) });
  console.log(JSON.stringify(result, null, 2));
}

// Face micro benchmarks: 1:N search over synthetic galleries and end-to-end enrollment per photo.
// The bench harness calls benchFace() and prints the returned figures; `node bench/face/match.ts` prints JSON.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { FaceEngine } from '../../src/face/engine.ts';
import { FaceGallery } from '../../src/face/match/gallery.ts';
import { l2normalize } from '../../src/face/match/vector.ts';

export interface LatencyStats {
  medianMs: number;
  p99Ms: number;
  meanMs: number;
  runs: number;
}

export interface FaceBenchResult {
  identify: { gallerySize: number; dimension: number; latency: LatencyStats }[];
  enroll: {
    detector: string;
    recognizer: string;
    photos: number;
    /** decode + detect + align + embed, per photo. */
    total: LatencyStats;
    /** detect + align + embed (the model work, without JPEG decoding). */
    model: LatencyStats;
    stagesMedianMs: { decode: number; detect: number; align: number; embed: number };
  };
}

export interface FaceBenchOptions {
  modelDir?: string;
  facesDir?: string;
  gallerySizes?: number[];
  dimension?: number;
  queries?: number;
  /** Passes over the photo set for the enrollment timing. */
  enrollRounds?: number;
}

export async function benchFace(options: FaceBenchOptions = {}): Promise<FaceBenchResult> {
  const modelDir = options.modelDir ?? path.resolve('../shared/models');
  const facesDir = options.facesDir ?? path.resolve('../shared/faces');
  const identify = [];
  for (const size of options.gallerySizes ?? [10_000, 100_000]) {
    identify.push({ gallerySize: size, dimension: options.dimension ?? 512, latency: benchIdentify(size, options.dimension ?? 512, options.queries ?? 100) });
  }
  return { identify, enroll: await benchEnroll(modelDir, facesDir, options.enrollRounds ?? 2) };
}

function benchIdentify(size: number, dimension: number, queries: number): LatencyStats {
  const gallery = new FaceGallery({ dimension, initialCapacity: size });
  const v = new Float32Array(dimension);
  for (let i = 0; i < size; i++) gallery.upsert(`p${i}`, randomUnit(v));
  const probes = Array.from({ length: queries }, () => randomUnit(new Float32Array(dimension)));
  for (let i = 0; i < 5; i++) gallery.identify(probes[i % queries]!, 0.4);
  const times: number[] = [];
  for (const probe of probes) {
    const t = performance.now();
    gallery.identify(probe, 0.4, 5);
    times.push(performance.now() - t);
  }
  return stats(times);
}

async function benchEnroll(modelDir: string, facesDir: string, rounds: number): Promise<FaceBenchResult['enroll']> {
  const engine = await FaceEngine.create({ modelDir });
  const photos: Buffer[] = [];
  for (const person of (await readdir(facesDir, { withFileTypes: true })).filter((d) => d.isDirectory())) {
    for (const f of await readdir(path.join(facesDir, person.name))) photos.push(await readFile(path.join(facesDir, person.name, f)));
  }
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
  const result = {
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
  await engine.close();
  return result;
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

function stats(times: number[]): LatencyStats {
  const sorted = [...times].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
  const round = (x: number) => Math.round(x * 100) / 100;
  return { medianMs: round(at(0.5)), p99Ms: round(at(0.99)), meanMs: round(times.reduce((a, b) => a + b, 0) / times.length), runs: times.length };
}

if (import.meta.main) {
  console.log(JSON.stringify(await benchFace(), null, 2));
}

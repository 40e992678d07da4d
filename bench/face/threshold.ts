// Measures genuine/impostor score distributions on the labelled photos (all pairs) and the
// false-match / false-non-match rates at candidate thresholds, for each recognizer.
//   node bench/face/threshold.ts [--models ../shared/models] [--faces ../shared/faces]
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { FaceEngine } from '../../src/face/engine.ts';

export interface ThresholdRow {
  threshold: number;
  /** Measured share of impostor pairs scoring >= threshold. */
  fmr: number;
  /** Measured share of genuine pairs scoring < threshold. */
  fnmr: number;
  /** FMR extrapolated from a normal fit to the impostor scores (the set is too small to measure below 1/391). */
  fmrNormalFit: number;
}

export interface RecognizerThresholds {
  recognizer: string;
  detector: string;
  genuinePairs: number;
  impostorPairs: number;
  genuine: { mean: number; min: number };
  impostor: { mean: number; sd: number; max: number };
  /** Threshold where measured FMR and FNMR are closest. */
  eer: { threshold: number; rate: number };
  rows: ThresholdRow[];
  /**
   * Among candidates with no measured error, the one farthest from both distributions
   * (max of min(t - impostor max, genuine min - t)); undefined when the sets overlap. See docs/face.md.
   */
  recommended: number | undefined;
}

export interface ThresholdOptions {
  modelDir: string;
  facesDir: string;
  detector?: string;
  recognizers?: string[];
  candidates?: number[];
}

export async function measureThresholds(options: ThresholdOptions): Promise<RecognizerThresholds[]> {
  const photos = await listPhotos(options.facesDir);
  const candidates = options.candidates ?? range(0.2, 0.6, 0.02);
  const out: RecognizerThresholds[] = [];
  for (const recognizer of options.recognizers ?? ['mobilefacenet_512', 'mobileface_arcface_128']) {
    const engine = await FaceEngine.create({ modelDir: options.modelDir, detector: options.detector, recognizer });
    const items: { person: string; e: Float32Array }[] = [];
    for (const p of photos) items.push({ person: p.person, e: (await engine.analyse(await readFile(p.path))).embedding });
    const detector = engine.detector.entry.name;
    await engine.close();
    const genuine: number[] = [];
    const impostor: number[] = [];
    for (let i = 0; i < items.length; i++) {
      for (let j = i + 1; j < items.length; j++) {
        let s = 0;
        for (let k = 0; k < items[i]!.e.length; k++) s += items[i]!.e[k]! * items[j]!.e[k]!;
        (items[i]!.person === items[j]!.person ? genuine : impostor).push(s);
      }
    }
    const impMean = mean(impostor);
    const impSd = Math.sqrt(mean(impostor.map((s) => (s - impMean) ** 2)));
    const rows = candidates.map((t) => ({
      threshold: t,
      fmr: impostor.filter((s) => s >= t).length / impostor.length,
      fnmr: genuine.filter((s) => s < t).length / genuine.length,
      fmrNormalFit: normalTail((t - impMean) / impSd),
    }));
    const eerRow = rows.reduce((a, b) => (Math.abs(b.fmr - b.fnmr) < Math.abs(a.fmr - a.fnmr) ? b : a));
    const impMax = Math.max(...impostor);
    const genMin = Math.min(...genuine);
    const margin = (t: number) => Math.min(t - impMax, genMin - t);
    const recommended = rows
      .filter((r) => r.fmr === 0 && r.fnmr === 0)
      .reduce<number | undefined>((best, r) => (best === undefined || margin(r.threshold) > margin(best) ? r.threshold : best), undefined);
    out.push({
      recognizer,
      detector,
      genuinePairs: genuine.length,
      impostorPairs: impostor.length,
      genuine: { mean: mean(genuine), min: genMin },
      impostor: { mean: impMean, sd: impSd, max: impMax },
      eer: { threshold: eerRow.threshold, rate: (eerRow.fmr + eerRow.fnmr) / 2 },
      rows,
      recommended,
    });
  }
  return out;
}

async function listPhotos(dir: string): Promise<{ person: string; path: string }[]> {
  const photos: { person: string; path: string }[] = [];
  for (const d of (await readdir(dir, { withFileTypes: true })).filter((e) => e.isDirectory()).sort((a, b) => a.name.localeCompare(b.name))) {
    for (const f of (await readdir(path.join(dir, d.name))).sort()) photos.push({ person: d.name, path: path.join(dir, d.name, f) });
  }
  return photos;
}

function range(from: number, to: number, step: number): number[] {
  const out: number[] = [];
  for (let i = 0; from + i * step <= to + 1e-9; i++) out.push(Math.round((from + i * step) * 1000) / 1000);
  return out;
}

function mean(v: number[]): number {
  return v.reduce((a, b) => a + b, 0) / v.length;
}

/** P(Z >= z) for a standard normal, via erfc (Numerical Recipes erfcc, relative error < 1.2e-7). */
function normalTail(z: number): number {
  const x = z / Math.SQRT2;
  const ax = Math.abs(x);
  const t = 1 / (1 + 0.5 * ax);
  const erfc =
    t *
    Math.exp(-ax * ax - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
  return (x >= 0 ? erfc : 2 - erfc) / 2;
}

if (import.meta.main) {
  const { values } = parseArgs({
    options: { models: { type: 'string', default: '../shared/models' }, faces: { type: 'string', default: '../shared/faces' }, detector: { type: 'string' } },
  });
  const results = await measureThresholds({ modelDir: path.resolve(values.models), facesDir: path.resolve(values.faces), detector: values.detector });
  for (const r of results) {
    console.log(`\n${r.recognizer} (detector ${r.detector}): ${r.genuinePairs} genuine, ${r.impostorPairs} impostor pairs`);
    console.log(`  genuine mean ${r.genuine.mean.toFixed(3)} min ${r.genuine.min.toFixed(3)}; impostor mean ${r.impostor.mean.toFixed(3)} sd ${r.impostor.sd.toFixed(3)} max ${r.impostor.max.toFixed(3)}`);
    console.log(`  EER ~${(r.eer.rate * 100).toFixed(2)}% at ${r.eer.threshold}; recommended threshold ${r.recommended} (widest margin with no measured error)`);
    console.log('  threshold   FMR(meas)  FNMR(meas)  FMR(normal fit)');
    for (const row of r.rows) {
      console.log(`  ${row.threshold.toFixed(2).padEnd(10)}  ${(row.fmr * 100).toFixed(2).padStart(6)}%  ${(row.fnmr * 100).toFixed(2).padStart(8)}%  ${row.fmrNormalFit.toExponential(1).padStart(12)}`);
    }
  }
}

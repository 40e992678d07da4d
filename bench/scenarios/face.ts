import { existsSync } from 'node:fs';
import path from 'node:path';
import type { BenchContext, Measurement, Scenario, ScenarioResult } from '../types.ts';
import { benchFace } from '../face/match.ts';
import type { FaceBenchResult, SearchFigures } from '../face/match.ts';
import { AUTO_BINARY_FROM, AUTO_EXACT_BELOW } from '../../src/face/match/gallery.ts';

const REPO_ROOT = path.resolve(import.meta.dirname, '../..');
const MODELS = path.resolve(REPO_ROOT, '../shared/models');
const FACES = path.resolve(REPO_ROOT, '../shared/faces');

/** Goals of issue #5 on the 2-core machine. */
const GOAL_MODEL_MS = 40;
const GOAL_SEARCH_100K_P99_MS = 5;
const GOAL_RECALL = 0.999;

function autoMethod(size: number): SearchFigures['method'] {
  return size < AUTO_EXACT_BELOW ? 'exact' : size < AUTO_BINARY_FROM ? 'int8' : 'binary';
}

function toResult(r: FaceBenchResult): ScenarioResult {
  const measurements: Measurement[] = r.search.map((s) => ({
    label: `1:N ${s.gallerySize.toLocaleString('en')} ${s.method}${autoMethod(s.gallerySize) === s.method ? ' (auto)' : ''}`,
    throughput: 1000 / s.latency.meanMs,
    p50Ms: s.latency.medianMs,
    p99Ms: s.latency.p99Ms,
  }));
  const e = r.enroll;
  measurements.push(
    { label: `enroll per photo, decode..embed (${e.detector} + ${e.recognizer})`, throughput: 1000 / e.total.meanMs, p50Ms: e.total.medianMs, p99Ms: e.total.p99Ms },
    { label: 'detect + align + embed per photo', throughput: 1000 / e.model.meanMs, p50Ms: e.model.medianMs, p99Ms: e.model.p99Ms },
  );
  const ratios: ScenarioResult['ratios'] = [
    { label: `detect+align+embed p50 / ${GOAL_MODEL_MS} ms`, value: e.model.medianMs / GOAL_MODEL_MS, goal: 1, higherIsBetter: false },
  ];
  for (const s of r.search.filter((x) => x.method === autoMethod(x.gallerySize) && x.gallerySize >= 100_000)) {
    const size = s.gallerySize.toLocaleString('en');
    if (s.gallerySize === 100_000) ratios.push({ label: `1:N ${size} p99 (${s.method}) / ${GOAL_SEARCH_100K_P99_MS} ms`, value: s.latency.p99Ms / GOAL_SEARCH_100K_P99_MS, goal: 1, higherIsBetter: false });
    ratios.push({ label: `1:N ${size} recall@1 vs exact (${s.method}, genuine probes)`, value: s.recallGenuine, goal: GOAL_RECALL, higherIsBetter: true });
  }
  for (const s of r.search.filter((x) => x.method === 'exact' && x.gallerySize >= 10_000)) {
    const auto = r.search.find((x) => x.gallerySize === s.gallerySize && x.method === autoMethod(s.gallerySize))!;
    ratios.push({ label: `1:N ${s.gallerySize.toLocaleString('en')} speed-up of ${auto.method} over exact (p50)`, value: s.latency.medianMs / auto.latency.medianMs });
  }
  ratios.push({ label: 'event-loop max delay while enrolling: workers / in-process', value: r.eventLoop.workersMaxMs / r.eventLoop.inProcessMaxMs });
  const notes = [
    `stages p50 (ms): decode ${e.stagesMedianMs.decode}, detect ${e.stagesMedianMs.detect}, align ${e.stagesMedianMs.align}, embed ${e.stagesMedianMs.embed}`,
    `event loop while ${r.eventLoop.photos} photos are analysed at once: in-process max ${r.eventLoop.inProcessMaxMs} ms; 2 workers max ${r.eventLoop.workersMaxMs} ms, p99 ${r.eventLoop.workersP99Ms} ms`,
    ...r.search.map((s) => `1:N ${s.gallerySize.toLocaleString('en')} ${s.method}: recall@1 genuine ${(s.recallGenuine * 100).toFixed(1)} %, rank-1 agreement on non-enrolled probes ${(s.agreementImpostor * 100).toFixed(1)} %`),
    'int8 re-ranks every row its error bound cannot exclude, so it returns the exact top-k; binary re-ranks the 1 % closest by Hamming distance (approximate).',
  ];
  return { name: 'face', measurements, ratios, notes };
}

const scenario: Scenario = {
  name: 'face',
  description: '顔パス: 1:N search per method (1k-1M), enrollment per photo by stage, event-loop delay with workers',
  async run(ctx: BenchContext): Promise<ScenarioResult> {
    if (!existsSync(MODELS) || !existsSync(FACES)) {
      return { name: 'face', measurements: [], ratios: [], notes: [`skipped: ${MODELS} or ${FACES} is missing`] };
    }
    const result = await benchFace({
      modelDir: MODELS,
      facesDir: FACES,
      gallerySizes: ctx.quick ? [1_000, 10_000] : [1_000, 10_000, 100_000, 1_000_000],
      queries: ctx.quick ? 40 : 200,
      enrollRounds: ctx.quick ? 1 : 2,
      log: ctx.log,
    });
    return toResult(result);
  },
};

export default scenario;

// 1:N search per method over a synthetic gallery: latency, and recall@1 against the exact scan
// with realistic probes (other "photos" of enrolled persons, at cosines around the thresholds
// and above; see synthetic.ts for the two gallery models).
import { FaceGallery } from '../../src/face/match/gallery.ts';
import type { SearchMethod } from '../../src/face/match/gallery.ts';
import { stats } from './stats.ts';
import type { LatencyStats } from './stats.ts';
import { TemplateGenerator } from './synthetic.ts';
import type { Distribution } from './synthetic.ts';

export type Method = Exclude<SearchMethod, 'auto'>;
export const METHODS: readonly Method[] = ['exact', 'int8', 'binary'];

/** FACE_IDENTIFY_THRESHOLD's default and the recognizer's 1:1 threshold. */
export const IDENTIFY_THRESHOLD = 0.5;
export const VERIFY_THRESHOLD = 0.4;
/** Genuine probes: half at cosine 0.40-0.55 to their template (around both thresholds), half 0.55-0.85. */
const NEAR = [0.4, 0.55] as const;
const ABOVE = [0.55, 0.85] as const;

export interface Recall {
  probes: number;
  /** Share of genuine probes whose rank-1 person equals the exact scan's. */
  recallAt1: number;
  /** The same, for probes at cosine 0.40-0.55 only. */
  recallNearThreshold: number;
  /** Share whose decision at the identify threshold (matched or not, and who) equals the exact scan's. */
  decisionAgreement: number;
}

export interface SearchFigures {
  gallerySize: number;
  distribution: Distribution;
  method: Method;
  /** Over genuine and non-enrolled probes together. */
  latency: LatencyStats;
  /** Against the exact scan, on the latency probes (genuine ones). */
  recall: Recall;
  /** Binary only, on a larger probe set against int8 (exact top-k by construction, see search.test.ts). */
  recallLarge?: Recall;
  /** Non-enrolled probes: share whose rank-1 equals the exact scan's (the decision is "no match" either way). */
  agreementImpostor: number;
}

export interface SearchBenchOptions {
  size: number;
  distribution: Distribution;
  dimension: number;
  /** Genuine and non-enrolled probes each, for latency (fewer at 1M, where one exact scan costs ~0.6 s). */
  queries: number;
  /** Genuine probes for the binary scan's larger recall check. */
  recallProbes: number;
  seed?: number;
}

interface Probe {
  vector: Float32Array;
  near: boolean;
}

export function benchSearch(o: SearchBenchOptions): SearchFigures[] {
  const gen = new TemplateGenerator(o.dimension, o.distribution, o.seed ?? o.size);
  const gallery = new FaceGallery({ dimension: o.dimension, initialCapacity: o.size });
  const enrolled: Float32Array[] = [];
  const wantEnrolled = Math.min(o.size, 2000);
  const every = Math.max(1, Math.floor(o.size / wantEnrolled));
  const v = new Float32Array(o.dimension);
  for (let i = 0; i < o.size; i++) {
    gen.next(v);
    if (i % every === 0 && enrolled.length < wantEnrolled) enrolled.push(Float32Array.from(v));
    gallery.upsert(`p${i}`, v);
  }
  const genuine = (count: number): Probe[] =>
    Array.from({ length: count }, (_, q) => {
      const [lo, hi] = q % 2 === 0 ? NEAR : ABOVE;
      return { vector: gen.near(enrolled[(q * 7919) % enrolled.length]!, lo + (hi - lo) * gen.uniform()), near: q % 2 === 0 };
    });
  const queries = o.size >= 1_000_000 ? Math.min(o.queries, 20) : o.queries;
  const latencyGenuine = genuine(queries);
  const impostors = Array.from({ length: queries }, () => gen.next());
  const exactG = latencyGenuine.map((p) => gallery.identify(p.vector, IDENTIFY_THRESHOLD, 1, 'exact'));
  const exactI = impostors.map((p) => gallery.identify(p, IDENTIFY_THRESHOLD, 1, 'exact'));

  const recallProbes = genuine(o.recallProbes);
  const truthLarge = recallProbes.map((p) => gallery.identify(p.vector, IDENTIFY_THRESHOLD, 1, 'int8'));

  return METHODS.map((method) => {
    for (let i = 0; i < 5; i++) gallery.identify(latencyGenuine[i % queries]!.vector, IDENTIFY_THRESHOLD, 1, method);
    const times: number[] = [];
    const results = latencyGenuine.map((p) => {
      const t = performance.now();
      const r = gallery.identify(p.vector, IDENTIFY_THRESHOLD, 1, method);
      times.push(performance.now() - t);
      return r;
    });
    let agreeI = 0;
    impostors.forEach((p, i) => {
      const t = performance.now();
      const r = gallery.identify(p, IDENTIFY_THRESHOLD, 1, method);
      times.push(performance.now() - t);
      if (r.best?.personId === exactI[i]!.best?.personId) agreeI++;
    });
    const figures: SearchFigures = {
      gallerySize: o.size,
      distribution: o.distribution,
      method,
      latency: stats(times),
      recall: recallOf(latencyGenuine, results, exactG),
      agreementImpostor: agreeI / queries,
    };
    if (method === 'binary' && recallProbes.length) {
      const found = recallProbes.map((p) => gallery.identify(p.vector, IDENTIFY_THRESHOLD, 1, 'binary'));
      figures.recallLarge = recallOf(recallProbes, found, truthLarge);
    }
    return figures;
  });
}

type Result = ReturnType<FaceGallery['identify']>;

function recallOf(probes: Probe[], found: Result[], truth: Result[]): Recall {
  let hits = 0, nearHits = 0, nearCount = 0, decisions = 0;
  probes.forEach((p, i) => {
    const a = found[i]!, t = truth[i]!;
    const hit = a.best?.personId === t.best?.personId;
    if (hit) hits++;
    if (p.near) {
      nearCount++;
      if (hit) nearHits++;
    }
    if (a.matched === t.matched && (!t.matched || hit)) decisions++;
  });
  return {
    probes: probes.length,
    recallAt1: hits / probes.length,
    recallNearThreshold: nearCount ? nearHits / nearCount : 1,
    decisionAgreement: decisions / probes.length,
  };
}

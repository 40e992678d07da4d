// Accuracy of a face pipeline on ../shared/faces: 1:1 FMR/FNMR curves and 1:N acceptance among
// 100,000 distractors, for today's pipeline and the one before issue 17, in the same run.
//
//   node bench/face/accuracy.ts [--distractors 100000] [--quick]
//
// Probes: the 30 labelled photos and 9 transformed copies of each (transforms.ts). Genuine 1:1
// pairs: every photo with every other photo of the same person, and every copy with the other
// photos of its person (never with its own original). Impostor pairs: the same across persons,
// plus every probe against every real stranger of the package photos. 1:N: each photo of a person
// is enrolled in turn (leave-one-out) among the distractors and the other persons' templates;
// every probe of that person that is not a copy of the enrolled photo is searched.
import path from 'node:path';
import sharp from 'sharp';
import { FaceEngine } from '../../src/face/engine.ts';
import type { FaceEngineOptions } from '../../src/face/engine.ts';
import { alignFace } from '../../src/face/align/warp.ts';
import { decodeImage } from '../../src/face/image/decode.ts';
import { FaceGallery } from '../../src/face/match/gallery.ts';
import { implausibleGeometry, landmarkGeometry } from '../../src/face/quality/geometry.ts';
import { loadLabelledPhotos, withTransforms } from './alignment.ts';
import type { LabelledPhoto } from './alignment.ts';
import { calibrate, DistractorGenerator } from './distractors.ts';
import type { DistractorModel } from './distractors.ts';
import { packagePhotos } from './package-faces.ts';
import { ReferencePipeline } from './reference-pipeline.ts';

const round = (x: number, digits = 2): number => Math.round(x * 10 ** digits) / 10 ** digits;

export interface CheckinTime {
  p50Ms: number;
  p95Ms: number;
  runs: number;
}

function percentiles(times: number[]): CheckinTime {
  if (times.length === 0) return { p50Ms: NaN, p95Ms: NaN, runs: 0 };
  const sorted = [...times].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
  return { p50Ms: round(at(0.5), 1), p95Ms: round(at(0.95), 1), runs: times.length };
}

export interface PipelineSpec {
  name: string;
  engine: Partial<FaceEngineOptions>;
  /** Thresholds this pipeline runs with. */
  verifyThreshold: number;
  identifyThreshold: number;
}

export interface CurveRow {
  threshold: number;
  fmr: number;
  fnmr: number;
  /** 1:N: share of genuine searches accepted as the right person, probes refused by the quality gates counted as misses. */
  identifyAccept: number;
  /** The same among the probes that passed the quality gates (a refused probe is asked to try again). */
  identifyAcceptAcquired: number;
  /**
   * 1:N: searches that accepted someone else: a genuine search whose best other score wins and
   * reaches the threshold, or any probe searched as a stranger (its person not enrolled) that
   * reaches the threshold against a distractor or another enrolled person.
   */
  wrongAccepts: number;
}

export interface AccuracyResult {
  pipeline: PipelineSpec;
  probes: number;
  /** Probes refused by the quality gates (failure to acquire) and why. */
  refused: Record<string, number>;
  genuinePairs: number;
  impostorPairs: number;
  genuine: { mean: number; min: number };
  impostor: { mean: number; sd: number; max: number };
  /** At the pipeline's own thresholds. */
  at: { verify: CurveRow; identify: CurveRow };
  /** FNMR counting refused probes as non-matches too. */
  fnmrWithRefusals: number;
  identifySearches: number;
  strangerSearches: number;
  distractors: { total: number; realFaces: number; model: Omit<DistractorModel, 'real'> };
  /** Highest score of any probe against any distractor. */
  distractorMax: number;
  curve: CurveRow[];
  /** Lowest threshold with no measured false match (1:1) / no wrong-person accept (1:N), +0.01. */
  recommended: { verify: number; identify: number };
  time: { photo: CheckinTime; kioskFrame: CheckinTime };
}

interface Probe {
  photo: LabelledPhoto;
  /** The original photo a transformed copy was made from (itself for originals). */
  base: string;
  embedding: Float32Array | undefined;
}

/** Each face in a photo with several (the package photos), embedded as the pipeline would. */
async function embedEveryFace(engine: FaceEngine, bytes: Buffer, antialias: boolean, geometry: boolean): Promise<Float32Array[]> {
  const image = await decodeImage(bytes);
  const out: Float32Array[] = [];
  for (const found of await engine.detector.detect(image)) {
    if (Math.min(found.x2 - found.x1, found.y2 - found.y1) < 40) continue;
    if (geometry && implausibleGeometry(landmarkGeometry(found))) continue;
    const face = engine.refiner ? await engine.refiner.refine(image, found) : found;
    if (!face) continue;
    out.push(await engine.recognizer.embed(alignFace(image, face.landmarks, engine.recognizer.inputWidth, engine.recognizer.inputHeight, { antialias })));
  }
  return out;
}

function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

/** A 640×480 JPEG as the kiosk page sends it (clients/kiosk/static/camera.js), the face in the middle. */
async function kioskFrame(photo: Buffer): Promise<Buffer> {
  return sharp(photo).rotate().resize(640, 480, { fit: 'cover', position: 'attention' }).jpeg({ quality: 90 }).toBuffer();
}

const range = (from: number, to: number, step: number) => Array.from({ length: Math.round((to - from) / step) + 1 }, (_, i) => Math.round((from + i * step) * 100) / 100);

export interface AccuracyOptions {
  modelDir: string;
  facesDir: string;
  pipelines: PipelineSpec[];
  distractors?: number;
  /** Rounds of check-in timing over the photos (the first is warm-up when there are several); 0: none. */
  timingRounds?: number;
  log?: (line: string) => void;
}

export async function measureAccuracy(options: AccuracyOptions): Promise<AccuracyResult[]> {
  const log = options.log ?? (() => {});
  const reference = await ReferencePipeline.create(options.modelDir);
  const originals = await loadLabelledPhotos(options.facesDir);
  log('face accuracy: transformed copies');
  const photos = await withTransforms(originals, reference);
  await reference.close();
  const strangersPhotos = packagePhotos(undefined, log);
  const frames = await Promise.all(originals.map((p) => kioskFrame(p.bytes)));
  const results: AccuracyResult[] = [];
  for (const pipeline of options.pipelines) {
    log(`face accuracy: ${pipeline.name}`);
    const engine = await FaceEngine.create({ modelDir: options.modelDir, threads: 1, ...pipeline.engine });
    const antialias = pipeline.engine.antialias ?? true;
    const geometry = pipeline.engine.geometry !== false;
    const refused: Record<string, number> = {};
    const probes: Probe[] = [];
    for (const photo of photos) {
      let embedding: Float32Array | undefined;
      try {
        embedding = (await engine.analyse(photo.bytes)).embedding;
      } catch (error) {
        const reason = (error as { reason?: string }).reason ?? 'error';
        refused[reason] = (refused[reason] ?? 0) + 1;
      }
      probes.push({ photo, base: photo.name.split('@')[0]!, embedding });
    }
    const strangers: Float32Array[] = [];
    for (const p of strangersPhotos) {
      strangers.push(...(await embedEveryFace(engine, p.bytes, antialias, geometry)));
      const mirrored = await sharp(p.bytes).rotate().flop().jpeg({ quality: 95 }).toBuffer();
      strangers.push(...(await embedEveryFace(engine, mirrored, antialias, geometry)));
    }
    const realFaces = strangers.length / 2;

    // 1:1 pairs.
    const genuine: number[] = [];
    const impostor: number[] = [];
    let refusedGenuine = 0;
    const isOriginal = (p: Probe) => p.base === p.photo.name;
    for (const a of probes) {
      for (const b of probes) {
        if (!isOriginal(b) || a.base === b.base) continue;
        if (isOriginal(a) && a.photo.name > b.photo.name) continue;
        const same = a.photo.person === b.photo.person;
        if (!a.embedding || !b.embedding) {
          if (same) refusedGenuine++;
          continue;
        }
        (same ? genuine : impostor).push(dot(a.embedding, b.embedding));
      }
      if (a.embedding) for (const s of strangers) impostor.push(dot(a.embedding, s));
    }

    // Distractors: the real strangers, then synthetic ones calibrated on them.
    const acquired = probes.filter((p) => p.embedding).map((p) => p.embedding!);
    const generator = new DistractorGenerator(strangers.length >= 3 ? strangers : acquired);
    const model = calibrate(generator, strangers.length >= 3 ? strangers : acquired, acquired.filter((_, i) => i % 3 === 0));
    const total = options.distractors ?? 100_000;
    const gallery = new FaceGallery({ dimension: engine.embeddingLength, modelId: engine.modelId, initialCapacity: total });
    strangers.slice(0, total).forEach((s, i) => gallery.upsert(`real-${i}`, s));
    for (let i = gallery.size; i < total; i++) gallery.upsert(`synthetic-${i}`, generator.next());
    // The best distractor of each probe does not depend on who is enrolled: one search per probe.
    const bestDistractor = new Map<Probe, number>();
    for (const p of probes) if (p.embedding) bestDistractor.set(p, gallery.identify(p.embedding, 2, 1, 'int8').best?.score ?? -1);
    const distractorMax = Math.max(...bestDistractor.values());

    // 1:N searches: leave-one-out enrollment. For each, the true score and the best other score.
    const searches: { genuine: number; rival: number }[] = [];
    const strangerRivals: number[] = [];
    const persons = [...new Set(originals.map((p) => p.person))];
    const enrolledPersons = persons.filter((person) => originals.filter((p) => p.person === person).length > 1);
    for (const person of enrolledPersons) {
      for (const enrolled of probes.filter((p) => isOriginal(p) && p.photo.person === person && p.embedding)) {
        // The other persons are enrolled with their first usable photo.
        const others = enrolledPersons.filter((x) => x !== person).map((x) => probes.find((p) => isOriginal(p) && p.photo.person === x && p.embedding)!);
        for (const probe of probes.filter((p) => p.photo.person === person && p.base !== enrolled.photo.name)) {
          if (!probe.embedding) {
            searches.push({ genuine: -Infinity, rival: -Infinity });
            continue;
          }
          const rival = Math.max(bestDistractor.get(probe)!, ...others.filter((o) => o.base !== probe.base).map((o) => dot(probe.embedding!, o.embedding!)));
          searches.push({ genuine: dot(probe.embedding, enrolled.embedding!), rival });
        }
      }
    }
    // Every probe once more as a stranger at the kiosk: its own person not enrolled, everyone else and the distractors are.
    const firstOf = enrolledPersons.map((x) => probes.find((p) => isOriginal(p) && p.photo.person === x && p.embedding)!);
    for (const probe of probes.filter((p) => p.embedding)) {
      const others = firstOf.filter((o) => o.photo.person !== probe.photo.person);
      strangerRivals.push(Math.max(bestDistractor.get(probe)!, ...others.map((o) => dot(probe.embedding!, o.embedding!))));
    }
    const acquiredSearches = searches.filter((s) => s.genuine > -Infinity).length;

    const row = (t: number): CurveRow => ({
      threshold: t,
      fmr: impostor.filter((s) => s >= t).length / impostor.length,
      fnmr: genuine.filter((s) => s < t).length / genuine.length,
      identifyAccept: searches.filter((s) => s.genuine >= t && s.genuine > s.rival).length / searches.length,
      identifyAcceptAcquired: searches.filter((s) => s.genuine >= t && s.genuine > s.rival).length / acquiredSearches,
      wrongAccepts: searches.filter((s) => s.genuine > -Infinity && s.rival >= t && s.rival >= s.genuine).length + strangerRivals.filter((r) => r >= t).length,
    });
    const curve = range(0.3, 0.7, 0.01).map(row);
    const impMean = impostor.reduce((a, b) => a + b, 0) / impostor.length;
    const firstClean = (ok: (r: CurveRow) => boolean) => round((curve.find((r, i) => curve.slice(i).every(ok))?.threshold ?? 0.7) + 0.01);

    log(`face accuracy: ${pipeline.name}: time per check-in`);
    const photoTimes: number[] = [];
    const frameTimes: number[] = [];
    const rounds = options.timingRounds ?? 2;
    for (let r = 0; r < rounds; r++) {
      for (let i = 0; i < originals.length; i++) {
        for (const [bytes, into] of [[originals[i]!.bytes, photoTimes], [frames[i]!, frameTimes]] as const) {
          const t0 = performance.now();
          try {
            await engine.analyse(bytes, { faces: 'dominant' });
          } catch {
            // A refused frame costs the server as much; it is timed all the same.
          }
          if (r > 0 || rounds === 1) into.push(performance.now() - t0);
        }
      }
    }
    await engine.close();
    results.push({
      pipeline,
      probes: probes.length,
      refused,
      genuinePairs: genuine.length,
      impostorPairs: impostor.length,
      genuine: { mean: round(genuine.reduce((a, b) => a + b, 0) / genuine.length, 3), min: round(Math.min(...genuine), 3) },
      impostor: { mean: round(impMean, 3), sd: round(Math.sqrt(impostor.reduce((a, b) => a + (b - impMean) ** 2, 0) / impostor.length), 3), max: round(Math.max(...impostor), 3) },
      at: { verify: row(pipeline.verifyThreshold), identify: row(pipeline.identifyThreshold) },
      fnmrWithRefusals: (genuine.filter((s) => s < pipeline.verifyThreshold).length + refusedGenuine) / (genuine.length + refusedGenuine),
      identifySearches: searches.length,
      strangerSearches: strangerRivals.length,
      distractors: { total: gallery.size, realFaces, model: { lambda: model.lambda, realSd: round(model.realSd, 3), syntheticSd: round(model.syntheticSd, 3), realMax: round(model.realMax, 3) } },
      distractorMax: round(distractorMax, 3),
      curve,
      recommended: { verify: firstClean((r) => r.fmr === 0), identify: firstClean((r) => r.wrongAccepts === 0) },
      time: { photo: percentiles(photoTimes), kioskFrame: percentiles(frameTimes) },
    });
  }
  return results;
}

/** Today's pipeline and thresholds, and the one before issue 17 (YuNet landmarks, plain warp, 0.40/0.50). */
export function standardPipelines(current: { verify: number; identify: number }): PipelineSpec[] {
  return [
    // Both without PAD: its accuracy and its cost are pad-bench.ts's, measured beside this pipeline.
    { name: 'before (YuNet landmarks, plain warp)', engine: { landmarker: false, antialias: false, geometry: false, padModel: false }, verifyThreshold: 0.4, identifyThreshold: 0.5 },
    { name: 'now (SCRFD landmarks on YuNet boxes, block-averaged warp)', engine: { padModel: false }, verifyThreshold: current.verify, identifyThreshold: current.identify },
  ];
}

if (import.meta.main) {
  const { parseArgs } = await import('node:util');
  const { values } = parseArgs({ options: { distractors: { type: 'string', default: '100000' }, verify: { type: 'string', default: '0.4' }, identify: { type: 'string', default: '0.5' } } });
  const results = await measureAccuracy({
    modelDir: path.resolve('../shared/models'),
    facesDir: path.resolve('../shared/faces'),
    pipelines: standardPipelines({ verify: Number(values.verify), identify: Number(values.identify) }),
    distractors: Number(values.distractors),
    log: (l) => console.error(l),
  });
  console.log(JSON.stringify(results, null, 1));
}

// Presentation-attack detection on ../shared/faces (ISO/IEC 30107-3 vocabulary): BPCER on the
// photos as bona fide presentations (the originals, and 640×480 kiosk frames of them), APCER per
// kind on the synthetic attack set (attacks/index.ts: print, screen replay, cut-out of every photo,
// `seeds` renders each), the live-score curve, and the server time per check-in with and without
// PAD, interleaved in the same run. Attacks the quality gates already refuse (no face, too bright)
// never reach PAD; they are counted apart and left out of APCER.
//
//   node bench/face/pad-bench.ts [--seeds 2]
import path from 'node:path';
import sharp from 'sharp';
import { FaceEngine } from '../../src/face/engine.ts';
import { findLiveness, loadManifest } from '../../src/face/models/manifest.ts';
import { PassiveLivenessDetector } from '../../src/face/pad/passive-liveness.ts';
import type { PadAssessment } from '../../src/face/pad/passive-liveness.ts';
import { notCheckedPad } from '../../src/face/pad.ts';
import type { PresentationAttackDetector } from '../../src/face/pad.ts';
import { loadLabelledPhotos } from './alignment.ts';
import { attackJpeg, ATTACK_KINDS } from './attacks/index.ts';
import type { AttackKind } from './attacks/index.ts';

const round = (x: number, digits = 3): number => Math.round(x * 10 ** digits) / 10 ** digits;

export interface PadBenchOptions {
  /** Where the detector and recognizer come from (../shared/models). */
  modelDir: string;
  /** Where the PAD model is (the repository's models/, filled by npm run models:fetch). */
  padModelDir: string;
  facesDir: string;
  padModel?: string;
  /** Renders per photo and kind (seeds 1..n). */
  seeds?: number;
  timingRounds?: number;
  log?: (line: string) => void;
}

export interface PadCurveRow {
  threshold: number;
  bpcer: number;
  apcer: Record<AttackKind, number>;
}

/** Figures for one way of scoring: the model with the texture score (what PASS runs), or the model alone. */
export interface PadFigures {
  bpcer: number;
  apcer: Record<AttackKind, number>;
  curve: PadCurveRow[];
  bonaFideMin: number;
  attackMax: Record<AttackKind, number>;
  /** Bona fide presentations below the threshold, by name, with their score. */
  bonaFideBelow: Array<{ name: string; score: number }>;
}

export interface PadBenchResult {
  model: string;
  threshold: number;
  bonaFide: { photos: number; frames: number; refused: number; scored: number };
  /** Per kind: attacks scored, attacks stopped by the quality gates before PAD. */
  attacks: Record<AttackKind, { scored: number; refusedBeforePad: number }>;
  fused: PadFigures;
  modelOnly: PadFigures;
  /** Periodic-texture scores: the highest bona fide, and the lowest per attack kind. */
  texture: { bonaFideMax: number; attackMin: Record<AttackKind, number> };
  time: { withPad: { p50Ms: number; p95Ms: number }; withoutPad: { p50Ms: number; p95Ms: number }; padOnly: { p50Ms: number; p95Ms: number }; runs: number };
}

function percentiles(times: number[]): { p50Ms: number; p95Ms: number } {
  const sorted = [...times].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? NaN;
  return { p50Ms: round(at(0.5), 1), p95Ms: round(at(0.95), 1) };
}

/** A 640×480 JPEG as the kiosk page sends it, the face in the middle (as accuracy.ts makes them). */
function kioskFrame(photo: Buffer): Promise<Buffer> {
  return sharp(photo).rotate().resize(640, 480, { fit: 'cover', position: 'attention' }).jpeg({ quality: 90 }).toBuffer();
}

export async function measurePad(options: PadBenchOptions): Promise<PadBenchResult> {
  const log = options.log ?? (() => {});
  const entry = findLiveness(await loadManifest(), options.padModel ?? 'fr_liveness');
  const detector = await PassiveLivenessDetector.load(entry, options.padModelDir, { intraOpThreads: 1 });
  const plain = await FaceEngine.create({ modelDir: options.modelDir, threads: 1, pad: notCheckedPad });
  // Each check's parts, kept for the model-alone figures of the same run.
  let last: PadAssessment | undefined;
  const recording: PresentationAttackDetector = {
    async check(image, face) {
      last = await detector.assess(image, face);
      return detector.decide(last);
    },
  };
  const withPad = await FaceEngine.create({ modelDir: options.modelDir, threads: 1, pad: recording });
  const photos = await loadLabelledPhotos(options.facesDir);
  const frames = await Promise.all(photos.map((p) => kioskFrame(p.bytes)));

  // The assessment of every presentation that reaches PAD; undefined: the quality gates refused it.
  const scoreOf = async (bytes: Buffer, faces: 'single' | 'dominant'): Promise<PadAssessment | undefined> => {
    last = undefined;
    try {
      await withPad.analyse(bytes, { faces });
      return last;
    } catch {
      return undefined;
    }
  };

  log('face PAD: bona fide photos and kiosk frames');
  const bona: Array<{ name: string; a: PadAssessment }> = [];
  let bonaRefused = 0;
  for (let i = 0; i < photos.length; i++) {
    for (const [name, bytes, faces] of [[photos[i]!.name, photos[i]!.bytes, 'single'], [`${photos[i]!.name}@kiosk640`, frames[i]!, 'dominant']] as const) {
      const a = await scoreOf(bytes, faces);
      if (a === undefined) bonaRefused++;
      else bona.push({ name, a });
    }
  }

  log(`face PAD: ${ATTACK_KINDS.length} attack kinds × ${photos.length} photos × ${options.seeds ?? 2} seeds`);
  const attackScores = Object.fromEntries(ATTACK_KINDS.map((k) => [k, [] as PadAssessment[]])) as Record<AttackKind, PadAssessment[]>;
  const refusedBeforePad = Object.fromEntries(ATTACK_KINDS.map((k) => [k, 0])) as Record<AttackKind, number>;
  for (const photo of photos) {
    // The cut-out follows the face: its box from the photo itself.
    let face;
    try {
      face = (await plain.analyse(photo.bytes)).face;
    } catch {
      face = undefined;
    }
    for (const kind of ATTACK_KINDS) {
      for (let seed = 1; seed <= (options.seeds ?? 2); seed++) {
        const attack = await attackJpeg(kind, photo.bytes, seed, face ? { face } : {});
        const a = await scoreOf(attack.jpeg, 'dominant');
        if (a === undefined) refusedBeforePad[kind]++;
        else attackScores[kind].push(a);
      }
    }
  }

  const threshold = detector.threshold;
  const figures = (pick: (a: PadAssessment) => number): PadFigures => {
    const apcerAt = (t: number) => Object.fromEntries(ATTACK_KINDS.map((k) => [k, attackScores[k].filter((a) => pick(a) >= t).length / Math.max(1, attackScores[k].length)])) as Record<AttackKind, number>;
    const bpcerAt = (t: number) => bona.filter((b) => pick(b.a) < t).length / Math.max(1, bona.length);
    return {
      bpcer: bpcerAt(threshold),
      apcer: apcerAt(threshold),
      curve: [0.02, 0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9].map((t) => ({ threshold: t, bpcer: bpcerAt(t), apcer: apcerAt(t) })),
      bonaFideMin: round(Math.min(...bona.map((b) => pick(b.a)))),
      attackMax: Object.fromEntries(ATTACK_KINDS.map((k) => [k, round(Math.max(0, ...attackScores[k].map(pick)))])) as Record<AttackKind, number>,
      bonaFideBelow: bona.filter((b) => pick(b.a) < threshold).map((b) => ({ name: b.name, score: round(pick(b.a)) })),
    };
  };

  log('face PAD: time per check-in with and without PAD (kiosk frames, interleaved)');
  const rounds = options.timingRounds ?? 2;
  const timesWith: number[] = [], timesWithout: number[] = [], timesPad: number[] = [];
  for (let r = 0; r < rounds; r++) {
    for (const frame of frames) {
      for (const [engine, into] of [[plain, timesWithout], [withPad, timesWith]] as const) {
        const t0 = performance.now();
        let analysis;
        try {
          analysis = await engine.analyse(frame, { faces: 'dominant' });
        } catch {
          // A refused frame costs the server as much; it is timed all the same.
        }
        if (r > 0 || rounds === 1) into.push(performance.now() - t0);
        if (engine === withPad && analysis && (r > 0 || rounds === 1)) {
          const image = await sharp(frame).removeAlpha().raw().toBuffer({ resolveWithObject: true });
          const t1 = performance.now();
          await detector.check({ data: new Uint8Array(image.data), width: image.info.width, height: image.info.height }, analysis.face);
          timesPad.push(performance.now() - t1);
        }
      }
    }
  }
  await plain.close();
  await withPad.close();
  return {
    model: detector.model,
    threshold,
    bonaFide: { photos: photos.length, frames: frames.length, refused: bonaRefused, scored: bona.length },
    attacks: Object.fromEntries(ATTACK_KINDS.map((k) => [k, { scored: attackScores[k].length, refusedBeforePad: refusedBeforePad[k] }])) as PadBenchResult['attacks'],
    fused: figures((a) => a.score),
    modelOnly: figures((a) => a.modelLive),
    texture: {
      bonaFideMax: round(Math.max(...bona.map((b) => b.a.texture)), 2),
      attackMin: Object.fromEntries(ATTACK_KINDS.map((k) => [k, round(Math.min(...attackScores[k].map((a) => a.texture)), 2)])) as Record<AttackKind, number>,
    },
    time: { withPad: percentiles(timesWith), withoutPad: percentiles(timesWithout), padOnly: percentiles(timesPad), runs: timesWith.length },
  };
}

if (import.meta.main) {
  const { parseArgs } = await import('node:util');
  const { values } = parseArgs({ options: { seeds: { type: 'string', default: '2' } } });
  const result = await measurePad({
    modelDir: path.resolve('../shared/models'),
    padModelDir: path.resolve('models'),
    facesDir: path.resolve('../shared/faces'),
    seeds: Number(values.seeds),
    log: (l) => console.error(l),
  });
  console.log(JSON.stringify(result, null, 1));
}

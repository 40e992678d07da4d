// The 1:N distractor set: faces of strangers the kiosk must never take for an enrolled resident.
//
// Real strangers come first: every face in the package photos (package-faces.ts), embedded by the
// pipeline under test, and mirrored copies of each. They are a few hundred at most, so the rest of
// the 100,000 is synthesised from them: a Gaussian with the real embeddings' mean and covariance
// (rank ≤ the number of real faces), blended with an isotropic part of the same total variance,
// then L2-normalised. The blend λ is calibrated so that a probe's scores against synthetic
// distractors have the spread of its scores against the real strangers (the tail that decides a
// 1:N false match). What this does not cover is said in docs/face.md ("Distractors").
import { seeded } from './synthetic.ts';

export interface DistractorModel {
  /** Real embeddings the model was fitted on. */
  real: Float32Array[];
  lambda: number;
  /** sd of probe-vs-real-stranger scores and of probe-vs-synthetic scores at the chosen λ. */
  realSd: number;
  syntheticSd: number;
  /** Highest probe-vs-real-stranger score, and the same quantile of the synthetic scores. */
  realMax: number;
}

function normalise(v: Float64Array | Float32Array): Float32Array {
  let n = 0;
  for (const x of v) n += x * x;
  n = Math.sqrt(n) || 1;
  return Float32Array.from(v, (x) => x / n);
}

function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

function sd(v: number[]): number {
  const m = v.reduce((a, b) => a + b, 0) / v.length;
  return Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / v.length);
}

export class DistractorGenerator {
  private readonly mean: Float64Array;
  private readonly centred: Float64Array[];
  private readonly isoSd: number;
  private readonly random: () => number;
  private spare: number | undefined;
  lambda = 0.5;

  constructor(real: Float32Array[], seed = 17) {
    if (real.length < 3) throw new Error('need at least three real faces to fit distractors');
    const d = real[0]!.length;
    this.mean = new Float64Array(d);
    for (const r of real) for (let i = 0; i < d; i++) this.mean[i]! += r[i]! / real.length;
    this.centred = real.map((r) => Float64Array.from(r, (x, i) => x - this.mean[i]!));
    let total = 0;
    for (const c of this.centred) for (const x of c) total += (x * x) / (real.length - 1);
    this.isoSd = Math.sqrt(total / d);
    this.random = seeded(seed);
  }

  next(): Float32Array {
    const d = this.mean.length;
    const v = Float64Array.from(this.mean);
    const a = Math.sqrt((1 - this.lambda) / (this.centred.length - 1));
    for (const c of this.centred) {
      const g = this.gauss() * a;
      for (let i = 0; i < d; i++) v[i]! += g * c[i]!;
    }
    const b = Math.sqrt(this.lambda) * this.isoSd;
    for (let i = 0; i < d; i++) v[i]! += b * this.gauss();
    return normalise(v);
  }

  private gauss(): number {
    if (this.spare !== undefined) {
      const v = this.spare;
      this.spare = undefined;
      return v;
    }
    const r = Math.sqrt(-2 * Math.log(1 - this.random()));
    const t = 2 * Math.PI * this.random();
    this.spare = r * Math.sin(t);
    return r * Math.cos(t);
  }
}

/** Picks λ so that probe-vs-synthetic scores spread like probe-vs-real-stranger scores. */
export function calibrate(generator: DistractorGenerator, real: Float32Array[], probes: Float32Array[], samples = 2000): DistractorModel {
  const realScores = probes.flatMap((p) => real.map((r) => dot(p, r)));
  const realSd = sd(realScores);
  let best = { lambda: 0, syntheticSd: 0, gap: Infinity };
  for (const lambda of [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]) {
    generator.lambda = lambda;
    const synth = Array.from({ length: Math.ceil(samples / probes.length) }, () => generator.next());
    const s = sd(probes.flatMap((p) => synth.map((x) => dot(p, x))));
    if (Math.abs(s - realSd) < best.gap) best = { lambda, syntheticSd: s, gap: Math.abs(s - realSd) };
  }
  generator.lambda = best.lambda;
  return { real, lambda: best.lambda, realSd, syntheticSd: best.syntheticSd, realMax: Math.max(...realScores) };
}

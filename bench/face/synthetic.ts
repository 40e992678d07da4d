// Synthetic face templates for the 1:N benchmark. Two models of a gallery of strangers:
//
//   isotropic  directions uniform on the sphere: any two templates score N(0, 1/√d), sd 0.044 at
//              512-d. Easy for a prefilter: every stranger is far from every probe.
//   face-like  an anisotropic Gaussian (variance e^(-i/36) along component i, about 72 effective
//              dimensions) in a random orthogonal basis (random signs, then a normalised
//              Walsh-Hadamard transform), so that two strangers score mean 0, sd 0.12 — as the
//              different-person pairs of the real recognizer do (mobilefacenet_512 on
//              ../shared/faces: sd 0.118, docs/face.md "Threshold"). Strangers then crowd
//              towards the thresholds (the best of 100,000 is about 0.5), which is where an
//              approximate scan can pick the wrong row.
//
// A genuine probe (another photo of an enrolled person) is c·template + √(1-c²)·noise, with
// noise drawn from the same model, renormalised: cosine ≈ c to the template.
import { l2normalize } from '../../src/face/match/vector.ts';

export type Distribution = 'isotropic' | 'face-like';

/** Deterministic uniform numbers in [0, 1), so runs are comparable. */
export function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class TemplateGenerator {
  readonly dimension: number;
  readonly distribution: Distribution;
  private readonly random: () => number;
  private readonly sd: Float64Array;
  private readonly signs: Float64Array;
  private spare: number | undefined;

  constructor(dimension: number, distribution: Distribution, seed = 1) {
    if (distribution === 'face-like' && (dimension & (dimension - 1)) !== 0) throw new Error('face-like templates need a power-of-two dimension');
    this.dimension = dimension;
    this.distribution = distribution;
    this.random = seeded(seed);
    this.sd = Float64Array.from({ length: dimension }, (_, i) => (distribution === 'face-like' ? Math.exp(-i / 72) : 1));
    this.signs = Float64Array.from({ length: dimension }, () => (this.random() < 0.5 ? -1 : 1));
  }

  /** A random unit template, written into `into` (a new array when omitted). */
  next(into = new Float32Array(this.dimension)): Float32Array {
    for (let i = 0; i < this.dimension; i++) into[i] = this.gauss() * this.sd[i]! * this.signs[i]!;
    if (this.distribution === 'face-like') walshHadamard(into);
    return l2normalize(into);
  }

  /** Another "photo" of the person whose template is `base`: cosine ≈ c to it. */
  near(base: Float32Array, c: number): Float32Array {
    const noise = this.next();
    const s = Math.sqrt(1 - c * c);
    for (let j = 0; j < base.length; j++) noise[j] = c * base[j]! + s * noise[j]!;
    return l2normalize(noise);
  }

  uniform(): number {
    return this.random();
  }

  private gauss(): number {
    if (this.spare !== undefined) {
      const v = this.spare;
      this.spare = undefined;
      return v;
    }
    const r = Math.sqrt(-2 * Math.log(1 - this.random()));
    const a = 2 * Math.PI * this.random();
    this.spare = r * Math.sin(a);
    return r * Math.cos(a);
  }
}

/** In-place fast Walsh-Hadamard transform (unnormalised; callers renormalise). */
function walshHadamard(v: Float32Array): void {
  const n = v.length;
  for (let h = 1; h < n; h *= 2) {
    for (let i = 0; i < n; i += 2 * h) {
      for (let j = i; j < i + h; j++) {
        const a = v[j]!;
        const b = v[j + h]!;
        v[j] = a + b;
        v[j + h] = a - b;
      }
    }
  }
}

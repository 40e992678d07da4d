/**
 * Passive presentation-attack detection from a single frame (docs/face.md "PAD"): the face in its
 * surroundings goes through a liveness classifier (fr_liveness.onnx) once, whose softmax
 * probability of the live class is one score; the periodic texture in the middle of the face
 * (periodic-texture.ts: halftone dots, moiré) is mapped to another, 1 for a smooth spectrum
 * falling to 0 at TEXTURE_LIMIT. The result's score is the smaller of the two; below the threshold
 * the face counts as an attack. Whether an attack is then refused is the facility's policy.
 */
import * as ort from 'onnxruntime-node';
import type { Detection } from '../detect/types.ts';
import type { RgbImage } from '../image/decode.ts';
import type { LivenessEntry } from '../models/manifest.ts';
import { modelIdOf } from '../models/manifest.ts';
import { BufferPool, loadSession, staticInputDims } from '../models/session.ts';
import type { SessionOptions } from '../models/session.ts';
import type { PresentationAttackDetector, PresentationAttackResult } from '../pad.ts';
import { livenessRect, resizeIntoNchw } from './liveness-crop.ts';
import { periodicTextureScore } from './periodic-texture.ts';

/**
 * Where the texture score makes a face an attack by itself: bona fide photos and kiosk frames of
 * ../shared/faces reached 4.4; the texture's live value falls from 1 at TEXTURE_LIMIT − 1 to 0 here.
 */
export const TEXTURE_LIMIT = 5.1;

export interface PadAssessment {
  /** The model's probability of live. */
  modelLive: number;
  /** periodicTextureScore of the face, and its live value in 0..1. */
  texture: number;
  textureLive: number;
  /** What the result reports: the smaller of modelLive and textureLive. */
  score: number;
}

export interface PassiveLivenessOptions extends SessionOptions {
  /** Probability of live below which a face is an attack; default the manifest's. */
  threshold?: number;
  /** false: the model alone, without the periodic-texture score (for comparison in the bench). */
  texture?: boolean;
}

export class PassiveLivenessDetector implements PresentationAttackDetector {
  readonly entry: LivenessEntry;
  /** Manifest name and short sha, recorded with every result. */
  readonly model: string;
  readonly threshold: number;
  readonly texture: boolean;
  private readonly session: ort.InferenceSession;
  private readonly size: number;
  private readonly pool: BufferPool;

  private constructor(entry: LivenessEntry, session: ort.InferenceSession, size: number, threshold: number, texture: boolean) {
    this.entry = entry;
    this.model = modelIdOf(entry);
    this.session = session;
    this.size = size;
    this.threshold = threshold;
    this.texture = texture;
    this.pool = new BufferPool(3 * size * size);
  }

  static async load(entry: LivenessEntry, modelDir: string, options: PassiveLivenessOptions = {}): Promise<PassiveLivenessDetector> {
    const session = await loadSession(entry, modelDir, options);
    const [, , h, w] = staticInputDims(session);
    const size = w ?? entry.input.width;
    if ((h ?? entry.input.height) !== size) throw new Error(`${entry.name}: a square input is expected`);
    return new PassiveLivenessDetector(entry, session, size, options.threshold ?? entry.threshold, options.texture ?? true);
  }

  /** The softmax over the model's classes for `face` in `image`. */
  async probabilities(image: RgbImage, face: Pick<Detection, 'x1' | 'y1' | 'x2' | 'y2'>): Promise<Float64Array> {
    const { output, preprocessing } = this.entry;
    const buffer = this.pool.take();
    try {
      const rect = livenessRect(image, face, output.cropScale);
      resizeIntoNchw(image, rect, this.size, preprocessing.channelOrder, buffer);
      normalise(buffer, preprocessing.mean, preprocessing.std, this.size * this.size);
      const input = new ort.Tensor('float32', buffer, [1, 3, this.size, this.size]);
      const result = await this.session.run({ [this.session.inputNames[0]!]: input });
      const logits = result[output.name]?.data;
      if (!(logits instanceof Float32Array) || logits.length !== output.classes) throw new Error(`${this.entry.name} returned an unexpected output`);
      return softmax(logits);
    } finally {
      this.pool.give(buffer);
    }
  }

  /** Probability, 0..1, that `face` is a live person in front of the camera. */
  async liveScore(image: RgbImage, face: Pick<Detection, 'x1' | 'y1' | 'x2' | 'y2'>): Promise<number> {
    return (await this.probabilities(image, face))[this.entry.output.liveClass]!;
  }

  async assess(image: RgbImage, face: Pick<Detection, 'x1' | 'y1' | 'x2' | 'y2'>): Promise<PadAssessment> {
    const modelLive = await this.liveScore(image, face);
    const texture = this.texture ? periodicTextureScore(image, face) : 0;
    const textureLive = this.texture ? Math.min(1, Math.max(0, TEXTURE_LIMIT - texture)) : 1;
    return { modelLive, texture, textureLive, score: Math.min(modelLive, textureLive) };
  }

  decide(a: PadAssessment): PresentationAttackResult {
    return { status: a.score >= this.threshold ? 'live' : 'attack', score: Math.round(a.score * 1e4) / 1e4, method: 'passive', model: this.model };
  }

  async check(image: RgbImage, face: Detection): Promise<PresentationAttackResult> {
    return this.decide(await this.assess(image, face));
  }

  async close(): Promise<void> {
    await this.session.release();
  }
}

function normalise(buffer: Float32Array, mean: readonly number[], std: readonly number[], plane: number): void {
  for (let c = 0; c < 3; c++) {
    const m = mean[c]!, s = std[c]!;
    if (m === 0 && s === 1) continue;
    for (let i = c * plane; i < (c + 1) * plane; i++) buffer[i] = (buffer[i]! - m) / s;
  }
}

export function softmax(logits: ArrayLike<number>): Float64Array {
  let max = -Infinity;
  for (let i = 0; i < logits.length; i++) max = Math.max(max, logits[i]!);
  const out = new Float64Array(logits.length);
  let sum = 0;
  for (let i = 0; i < logits.length; i++) sum += out[i] = Math.exp(logits[i]! - max);
  for (let i = 0; i < out.length; i++) out[i]! /= sum;
  return out;
}

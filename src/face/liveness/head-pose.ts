/**
 * Head pose (yaw, pitch, roll in degrees) from a Hopenet-style model: three heads of bins whose
 * softmax expectation is the angle (66 bins of 3° from −99° for fr_pose). PASS reads it for the
 * active liveness challenge ("turn your head"), never for identity. The crop follows the package
 * the model ships in (faceplugin-face-recognition-js `lib/fr_pose.js`): the face box widened by a
 * quarter on each side, clamped to the image, stretched to the input size; normalisation from the
 * manifest (ImageNet's). Measured on ../shared/faces: yaw > 0 when the person turns to their own
 * right, i.e. the face points to the image's left (docs/face.md, "Active liveness").
 */
import * as ort from 'onnxruntime-node';
import type { Detection } from '../detect/types.ts';
import type { RgbImage } from '../image/decode.ts';
import { fillNchw } from '../image/tensor.ts';
import { modelIdOf, type PoseEntry } from '../models/manifest.ts';
import { loadSession, type SessionOptions } from '../models/session.ts';

export interface HeadPose {
  yaw: number;
  pitch: number;
  roll: number;
}

/** The rectangle [x0, x1) × [y0, y1) of `image`, each output pixel the mean of the source pixels it covers. */
export function stretchRegion(image: RgbImage, x0: number, y0: number, x1: number, y1: number, width: number, height: number): RgbImage {
  const out = new Uint8Array(width * height * 3);
  const sx = (x1 - x0) / width;
  const sy = (y1 - y0) / height;
  for (let v = 0; v < height; v++) {
    const ya = Math.floor(y0 + v * sy);
    const yb = Math.min(image.height, Math.max(ya + 1, Math.floor(y0 + (v + 1) * sy)));
    for (let u = 0; u < width; u++) {
      const xa = Math.floor(x0 + u * sx);
      const xb = Math.min(image.width, Math.max(xa + 1, Math.floor(x0 + (u + 1) * sx)));
      let r = 0, g = 0, b = 0, n = 0;
      for (let y = ya; y < yb; y++) {
        for (let x = xa; x < xb; x++) {
          const p = (y * image.width + x) * 3;
          r += image.data[p]!;
          g += image.data[p + 1]!;
          b += image.data[p + 2]!;
          n++;
        }
      }
      const o = (v * width + u) * 3;
      if (n) {
        out[o] = r / n + 0.5;
        out[o + 1] = g / n + 0.5;
        out[o + 2] = b / n + 0.5;
      }
    }
  }
  return { data: out, width, height };
}

/** The expectation of a softmax over bins, in degrees. */
export function binsToDegrees(logits: Float32Array, binDegrees: number, firstDegrees: number): number {
  let max = -Infinity;
  for (const l of logits) max = Math.max(max, l);
  let sum = 0, weighted = 0;
  for (let i = 0; i < logits.length; i++) {
    const e = Math.exp(logits[i]! - max);
    sum += e;
    weighted += e * i;
  }
  return (weighted / sum) * binDegrees + firstDegrees;
}

export class HeadPoseModel {
  readonly id: string;
  readonly #entry: PoseEntry;
  readonly #session: ort.InferenceSession;
  readonly #input: Float32Array;

  private constructor(entry: PoseEntry, session: ort.InferenceSession) {
    this.id = modelIdOf(entry);
    this.#entry = entry;
    this.#session = session;
    this.#input = new Float32Array(3 * entry.input.width * entry.input.height);
  }

  static async load(entry: PoseEntry, modelDir: string, options: SessionOptions = {}): Promise<HeadPoseModel> {
    const session = await loadSession(entry, modelDir, options);
    const missing = entry.output.names.filter((n) => !session.outputNames.includes(n));
    if (missing.length) throw new Error(`${entry.name}: the model has no output ${missing.join(', ')}`);
    return new HeadPoseModel(entry, session);
  }

  async estimate(image: RgbImage, face: Detection): Promise<HeadPose> {
    const { input, output, preprocessing } = this.#entry;
    const w = face.x2 - face.x1;
    const h = face.y2 - face.y1;
    const x0 = Math.max(0, Math.floor(face.x1 - w * output.margin));
    const y0 = Math.max(0, Math.floor(face.y1 - h * output.margin));
    const x1 = Math.min(image.width, Math.ceil(face.x2 + w * output.margin));
    const y1 = Math.min(image.height, Math.ceil(face.y2 + h * output.margin));
    const crop = stretchRegion(image, x0, y0, x1, y1, input.width, input.height);
    fillNchw(crop.data, crop.width, crop.height, preprocessing, this.#input);
    const tensor = new ort.Tensor('float32', this.#input, [1, 3, input.height, input.width]);
    const result = await this.#session.run({ [this.#session.inputNames[0]!]: tensor });
    const [yaw, pitch, roll] = output.names.map((name) => binsToDegrees(result[name]!.data as Float32Array, output.binDegrees, output.firstDegrees));
    return { yaw: yaw!, pitch: pitch!, roll: roll! };
  }

  async close(): Promise<void> {
    await this.#session.release();
  }
}

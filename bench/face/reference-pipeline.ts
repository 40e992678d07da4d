// A reference face pipeline, written apart from src/face on purpose: the yardstick that PASS's own
// pipeline is compared with (bench/face/alignment.ts, test/face/alignment.test.ts). It follows the
// way InsightFace's Python code does it, step by step, with nothing borrowed from src/face:
//
//   decode (EXIF orientation applied, full resolution)
//   → letterbox into 640×640 (aspect kept, image top-left, zeros elsewhere; cv2.resize INTER_LINEAR)
//   → SCRFD-2.5g (RGB, (x − 127.5) / 128), anchors decoded per stride, NMS 0.4, boxes / scale
//   → the padding retry (50 % black border on each side) when nothing is found
//   → Umeyama's least-squares similarity (skimage SimilarityTransform.estimate / insightface estimate_norm)
//     from the 5 landmarks to the ArcFace 112×112 template
//   → cv2.warpAffine (bilinear, integer coordinates are pixel centres, constant border 0)
//   → the recognizer with the manifest's channel order, mean and std → L2 normalisation.
//
// Speed is not a goal here: plain loops, Float64 everywhere.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import sharp from 'sharp';

export interface RefImage {
  /** Interleaved RGB, 8 bits. */
  data: Uint8Array;
  width: number;
  height: number;
}

export interface RefFace {
  score: number;
  box: [number, number, number, number];
  /** Left eye, right eye, nose, left and right mouth corner as seen in the image: x0, y0, x1, y1, … */
  landmarks: number[];
}

const TEMPLATE = [38.2946, 51.6963, 73.5318, 51.5014, 56.0252, 71.7366, 41.5493, 92.3655, 70.7299, 92.2041];
const INPUT = 640;
const STRIDES = [8, 16, 32];
const SCRFD_OUTPUTS = { scores: ['446', '466', '486'], boxes: ['449', '469', '489'], kps: ['452', '472', '492'] };

interface Preprocessing {
  channelOrder: 'RGB' | 'BGR';
  mean: number[];
  std: number[];
}

interface ManifestModel {
  name: string;
  file: string;
  preprocessing: Preprocessing;
}

export async function decodeReference(bytes: Uint8Array): Promise<RefImage> {
  const { data, info } = await sharp(bytes).rotate().removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
  return { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height };
}

/** cv2.resize(INTER_LINEAR): half-pixel centres, two nearest source pixels per axis, no antialiasing. */
export function resizeLinear(src: RefImage, width: number, height: number): RefImage {
  const out = new Uint8Array(width * height * 3);
  const sx = src.width / width;
  const sy = src.height / height;
  for (let y = 0; y < height; y++) {
    let fy = (y + 0.5) * sy - 0.5;
    if (fy < 0) fy = 0;
    let y0 = Math.floor(fy);
    let wy = fy - y0;
    if (y0 >= src.height - 1) {
      y0 = src.height - 1;
      wy = 0;
    }
    const y1 = Math.min(y0 + 1, src.height - 1);
    for (let x = 0; x < width; x++) {
      let fx = (x + 0.5) * sx - 0.5;
      if (fx < 0) fx = 0;
      let x0 = Math.floor(fx);
      let wx = fx - x0;
      if (x0 >= src.width - 1) {
        x0 = src.width - 1;
        wx = 0;
      }
      const x1 = Math.min(x0 + 1, src.width - 1);
      for (let c = 0; c < 3; c++) {
        const p = (r: number, q: number) => src.data[(r * src.width + q) * 3 + c]!;
        const v = (1 - wy) * ((1 - wx) * p(y0, x0) + wx * p(y0, x1)) + wy * ((1 - wx) * p(y1, x0) + wx * p(y1, x1));
        out[(y * width + x) * 3 + c] = Math.round(v);
      }
    }
  }
  return { data: out, width, height };
}

/** Umeyama (1991) for 2-D: rotation, uniform scale and translation minimising Σ‖s·R·p + t − q‖², via the SVD of the 2×2 covariance. Returns the 2×3 matrix. */
export function umeyama(src: number[], dst: number[]): number[] {
  const n = src.length / 2;
  let mx = 0, my = 0, nx = 0, ny = 0;
  for (let i = 0; i < n; i++) {
    mx += src[2 * i]! / n;
    my += src[2 * i + 1]! / n;
    nx += dst[2 * i]! / n;
    ny += dst[2 * i + 1]! / n;
  }
  // Covariance A = (1/n) Σ (q − q̄)(p − p̄)ᵀ and the source variance.
  let a11 = 0, a12 = 0, a21 = 0, a22 = 0, varP = 0;
  for (let i = 0; i < n; i++) {
    const px = src[2 * i]! - mx, py = src[2 * i + 1]! - my;
    const qx = dst[2 * i]! - nx, qy = dst[2 * i + 1]! - ny;
    a11 += (qx * px) / n;
    a12 += (qx * py) / n;
    a21 += (qy * px) / n;
    a22 += (qy * py) / n;
    varP += (px * px + py * py) / n;
  }
  const { u, s, v } = svd2(a11, a12, a21, a22);
  // d = diag(1, sign(det A)) keeps R a rotation (no reflection).
  const det = a11 * a22 - a12 * a21;
  const d2 = det < 0 ? -1 : 1;
  // R = U · diag(1, d2) · Vᵀ
  const r11 = u[0]! * v[0]! + d2 * u[1]! * v[1]!;
  const r12 = u[0]! * v[2]! + d2 * u[1]! * v[3]!;
  const r21 = u[2]! * v[0]! + d2 * u[3]! * v[1]!;
  const r22 = u[2]! * v[2]! + d2 * u[3]! * v[3]!;
  const scale = (s[0]! + d2 * s[1]!) / varP;
  const tx = nx - scale * (r11 * mx + r12 * my);
  const ty = ny - scale * (r21 * mx + r22 * my);
  return [scale * r11, scale * r12, tx, scale * r21, scale * r22, ty];
}

/** SVD of a 2×2 matrix [[a, b], [c, d]] = U·diag(s)·Vᵀ; U and V row-major [m11, m12, m21, m22]. */
function svd2(a: number, b: number, c: number, d: number): { u: number[]; s: number[]; v: number[] } {
  // Eigen-decomposition of AᵀA gives V and s²; U = A·V / s.
  const e = a * a + c * c, f = a * b + c * d, g = b * b + d * d;
  const theta = 0.5 * Math.atan2(2 * f, e - g);
  const v = [Math.cos(theta), -Math.sin(theta), Math.sin(theta), Math.cos(theta)];
  const mean = (e + g) / 2;
  const rad = Math.sqrt(((e - g) / 2) ** 2 + f * f);
  const s1 = Math.sqrt(Math.max(0, mean + rad));
  const s2 = Math.sqrt(Math.max(0, mean - rad));
  const col = (k: number, sk: number) => {
    const x = a * v[k]! + b * v[2 + k]!;
    const y = c * v[k]! + d * v[2 + k]!;
    return sk > 1e-12 ? [x / sk, y / sk] : [-(c * v[k]! + d * v[2 + k]!), x];
  };
  const u1 = col(0, s1);
  // The second column of U is orthogonal to the first; its sign follows A·v2.
  const ax = a * v[1]! + b * v[3]!, ay = c * v[1]! + d * v[3]!;
  const sign = ax * -u1[1]! + ay * u1[0]! >= 0 ? 1 : -1;
  const u2 = [-u1[1]! * sign, u1[0]! * sign];
  return { u: [u1[0]!, u2[0]!, u1[1]!, u2[1]!], s: [s1, s2 * sign], v };
}

/** cv2.warpAffine(src, M, (w, h), INTER_LINEAR, BORDER_CONSTANT, 0): dst(x, y) = src(M⁻¹·(x, y)). */
export function warpAffine(src: RefImage, m: number[], width: number, height: number): RefImage {
  const [a, b, c, d, e, f] = m as [number, number, number, number, number, number];
  const det = a * e - b * d;
  const ia = e / det, ib = -b / det, id = -d / det, ie = a / det;
  const ic = -(ia * c + ib * f), iff = -(id * c + ie * f);
  const out = new Uint8Array(width * height * 3);
  const px = (x: number, y: number, ch: number) =>
    x < 0 || y < 0 || x >= src.width || y >= src.height ? 0 : src.data[(y * src.width + x) * 3 + ch]!;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const sx = ia * x + ib * y + ic;
      const sy = id * x + ie * y + iff;
      const x0 = Math.floor(sx), y0 = Math.floor(sy);
      const wx = sx - x0, wy = sy - y0;
      for (let ch = 0; ch < 3; ch++) {
        const v =
          (1 - wy) * ((1 - wx) * px(x0, y0, ch) + wx * px(x0 + 1, y0, ch)) +
          wy * ((1 - wx) * px(x0, y0 + 1, ch) + wx * px(x0 + 1, y0 + 1, ch));
        out[(y * width + x) * 3 + ch] = Math.round(v);
      }
    }
  }
  return { data: out, width, height };
}

function toTensor(img: RefImage, pre: Preprocessing): ort.Tensor {
  const plane = img.width * img.height;
  const t = new Float32Array(3 * plane);
  const order = pre.channelOrder === 'RGB' ? [0, 1, 2] : [2, 1, 0];
  for (let i = 0; i < plane; i++) {
    for (let c = 0; c < 3; c++) t[c * plane + i] = (img.data[i * 3 + order[c]!]! - pre.mean[c]!) / pre.std[c]!;
  }
  return new ort.Tensor('float32', t, [1, 3, img.height, img.width]);
}

function iou(a: RefFace, b: RefFace): number {
  const w = Math.min(a.box[2], b.box[2]) - Math.max(a.box[0], b.box[0]);
  const h = Math.min(a.box[3], b.box[3]) - Math.max(a.box[1], b.box[1]);
  if (w <= 0 || h <= 0) return 0;
  const area = (f: RefFace) => (f.box[2] - f.box[0]) * (f.box[3] - f.box[1]);
  return (w * h) / (area(a) + area(b) - w * h);
}

export class ReferencePipeline {
  private readonly detector: ort.InferenceSession;
  private readonly recognizer: ort.InferenceSession;
  private readonly recognizerPre: Preprocessing;

  private constructor(detector: ort.InferenceSession, recognizer: ort.InferenceSession, recognizerPre: Preprocessing) {
    this.detector = detector;
    this.recognizer = recognizer;
    this.recognizerPre = recognizerPre;
  }

  /** `recognizer` is a manifest name; its preprocessing is read from models/manifest.json. */
  static async create(modelDir: string, recognizer = 'mobilefacenet_512'): Promise<ReferencePipeline> {
    const manifest = JSON.parse(await readFile(path.resolve(import.meta.dirname, '../../models/manifest.json'), 'utf8')) as { models: ManifestModel[] };
    const entry = manifest.models.find((m) => m.name === recognizer);
    if (!entry) throw new Error(`no recognizer ${recognizer} in the manifest`);
    const options: ort.InferenceSession.SessionOptions = { intraOpNumThreads: 1 };
    const det = await ort.InferenceSession.create(path.join(modelDir, 'scrfd_2.5g_bnkps.onnx'), options);
    const rec = await ort.InferenceSession.create(path.join(modelDir, entry.file), options);
    return new ReferencePipeline(det, rec, entry.preprocessing);
  }

  /** Faces, highest score first, in image pixels; retried once with a 50 % black border when none is found. */
  async detect(image: RefImage, minScore = 0.5): Promise<RefFace[]> {
    const found = await this.detectPadded(image, 0, minScore);
    return found.length > 0 ? found : this.detectPadded(image, 0.5, minScore);
  }

  private async detectPadded(image: RefImage, pad: number, minScore: number): Promise<RefFace[]> {
    const padX = Math.round(image.width * pad), padY = Math.round(image.height * pad);
    const pw = image.width + 2 * padX, ph = image.height + 2 * padY;
    const scale = Math.min(INPUT / pw, INPUT / ph);
    const w = Math.round(pw * scale), h = Math.round(ph * scale);
    // Pad first (as a Python caller would with cv2.copyMakeBorder), then resize the padded image.
    let padded = image;
    if (pad > 0) {
      const data = new Uint8Array(pw * ph * 3);
      for (let y = 0; y < image.height; y++) data.set(image.data.subarray(y * image.width * 3, (y + 1) * image.width * 3), ((y + padY) * pw + padX) * 3);
      padded = { data, width: pw, height: ph };
    }
    const resized = resizeLinear(padded, w, h);
    const canvas = new Uint8Array(INPUT * INPUT * 3);
    for (let y = 0; y < h; y++) canvas.set(resized.data.subarray(y * w * 3, (y + 1) * w * 3), y * INPUT * 3);
    const input = toTensor({ data: canvas, width: INPUT, height: INPUT }, { channelOrder: 'RGB', mean: [127.5, 127.5, 127.5], std: [128, 128, 128] });
    const out = await this.detector.run({ [this.detector.inputNames[0]!]: input });
    const faces: RefFace[] = [];
    STRIDES.forEach((s, level) => {
      const scores = out[SCRFD_OUTPUTS.scores[level]!]!.data as Float32Array;
      const boxes = out[SCRFD_OUTPUTS.boxes[level]!]!.data as Float32Array;
      const kps = out[SCRFD_OUTPUTS.kps[level]!]!.data as Float32Array;
      const cols = INPUT / s;
      for (let i = 0; i < scores.length; i++) {
        if (scores[i]! < minScore) continue;
        const cell = i >> 1; // two anchors per cell
        const cx = (cell % cols) * s, cy = Math.floor(cell / cols) * s;
        const back = (v: number, p: number) => v / scale - p;
        const landmarks: number[] = [];
        for (let k = 0; k < 5; k++) landmarks.push(back(cx + kps[i * 10 + 2 * k]! * s, padX), back(cy + kps[i * 10 + 2 * k + 1]! * s, padY));
        faces.push({
          score: scores[i]!,
          box: [back(cx - boxes[i * 4]! * s, padX), back(cy - boxes[i * 4 + 1]! * s, padY), back(cx + boxes[i * 4 + 2]! * s, padX), back(cy + boxes[i * 4 + 3]! * s, padY)],
          landmarks,
        });
      }
    });
    faces.sort((a, b) => b.score - a.score);
    const kept: RefFace[] = [];
    for (const f of faces) if (kept.every((k) => iou(k, f) <= 0.4)) kept.push(f);
    return kept;
  }

  /** The aligned 112×112 crop of a face. */
  align(image: RefImage, landmarks: number[]): RefImage {
    return warpAffine(image, umeyama(landmarks, TEMPLATE), 112, 112);
  }

  async embedCrop(crop: RefImage): Promise<Float32Array> {
    const out = await this.recognizer.run({ [this.recognizer.inputNames[0]!]: toTensor(crop, this.recognizerPre) });
    const raw = out[this.recognizer.outputNames[0]!]!.data as Float32Array;
    let norm = 0;
    for (const v of raw) norm += v * v;
    norm = Math.sqrt(norm);
    return Float32Array.from(raw, (v) => v / norm);
  }

  /** The embedding of the largest face in the photo, with the face; undefined when none is found. */
  async embed(bytes: Uint8Array): Promise<{ embedding: Float32Array; face: RefFace; crop: RefImage } | undefined> {
    const image = await decodeReference(bytes);
    const faces = await this.detect(image);
    const area = (f: RefFace) => (f.box[2] - f.box[0]) * (f.box[3] - f.box[1]);
    const face = faces.sort((a, b) => area(b) - area(a))[0];
    if (!face) return undefined;
    const crop = this.align(image, face.landmarks);
    return { embedding: await this.embedCrop(crop), face, crop };
  }

  async close(): Promise<void> {
    await Promise.all([this.detector.release(), this.recognizer.release()]);
  }
}

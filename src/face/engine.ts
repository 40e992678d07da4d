import { FaceDetector } from './detect/detector.ts';
import type { DetectOptions } from './detect/detector.ts';
import type { Detection } from './detect/types.ts';
import { FaceRecognizer } from './embed/recognizer.ts';
import { FaceQualityError } from './errors.ts';
import { alignFace } from './align/warp.ts';
import { DEFAULT_DECODE_LIMITS, decodeImage } from './image/decode.ts';
import type { DecodeLimits, RgbImage } from './image/decode.ts';
import { findDetector, findRecognizer, loadManifest, modelIdOf } from './models/manifest.ts';
import type { ModelManifest } from './models/manifest.ts';
import { measureCrop } from './quality/measures.ts';
import { notCheckedPad } from './pad.ts';
import type { PresentationAttackDetector, PresentationAttackResult } from './pad.ts';

export interface QualityThresholds {
  /** Shorter side of the face box, in pixels of the decoded (working) image. */
  minFaceSize: number;
  /** Variance of the Laplacian on the aligned face; see docs/face.md for how it was chosen. */
  minSharpness: number;
  /** Mean luma of the aligned face, 0-255. */
  minBrightness: number;
  maxBrightness: number;
}

export const DEFAULT_QUALITY: QualityThresholds = { minFaceSize: 64, minSharpness: 40, minBrightness: 50, maxBrightness: 210 };

export interface FaceEngineOptions {
  /** Directory holding the .onnx files (the models:fetch target). */
  modelDir: string;
  /** Defaults to the repository's models/manifest.json. */
  manifest?: ModelManifest;
  /** Manifest names; default to the manifest's defaults. */
  detector?: string;
  recognizer?: string;
  /** Threads per inference. */
  threads?: number;
  limits?: Partial<DecodeLimits>;
  quality?: Partial<QualityThresholds>;
  detection?: Partial<DetectOptions>;
  pad?: PresentationAttackDetector;
}

export interface StageTimings {
  decodeMs: number;
  detectMs: number;
  alignMs: number;
  embedMs: number;
}

export interface FaceAnalysis {
  /** L2-normalised; compare with a dot product. */
  embedding: Float32Array;
  /** Recognizer identity stored with templates; embeddings of different models never match. */
  modelId: string;
  face: Detection;
  quality: { faceSize: number; sharpness: number; brightness: number };
  presentationAttack: PresentationAttackResult;
  image: { width: number; height: number };
  timings: StageTimings;
}

/**
 * Detector + recognizer sessions, loaded once and shared by all requests. Throws
 * FaceModelsUnavailableError from create() when a model is missing or corrupt.
 */
export class FaceEngine {
  readonly detector: FaceDetector;
  readonly recognizer: FaceRecognizer;
  readonly modelId: string;
  readonly threshold: number;
  private readonly limits: DecodeLimits;
  private readonly quality: QualityThresholds;
  private readonly detection: Partial<DetectOptions>;
  private readonly pad: PresentationAttackDetector;

  private constructor(detector: FaceDetector, recognizer: FaceRecognizer, options: FaceEngineOptions) {
    this.detector = detector;
    this.recognizer = recognizer;
    this.modelId = modelIdOf(recognizer.entry);
    this.threshold = recognizer.entry.threshold;
    this.limits = { ...DEFAULT_DECODE_LIMITS, ...options.limits };
    this.quality = { ...DEFAULT_QUALITY, ...options.quality };
    this.detection = options.detection ?? {};
    this.pad = options.pad ?? notCheckedPad;
  }

  static async create(options: FaceEngineOptions): Promise<FaceEngine> {
    const manifest = options.manifest ?? (await loadManifest());
    const session = { intraOpThreads: options.threads };
    const [detector, recognizer] = await Promise.all([
      FaceDetector.load(findDetector(manifest, options.detector), options.modelDir, session),
      FaceRecognizer.load(findRecognizer(manifest, options.recognizer), options.modelDir, session),
    ]);
    return new FaceEngine(detector, recognizer, options);
  }

  get embeddingLength(): number {
    return this.recognizer.embeddingLength;
  }

  /** Decodes an uploaded photo and returns the embedding of its single face, or throws a typed reason. */
  async analyse(bytes: Uint8Array, quality: Partial<QualityThresholds> = {}): Promise<FaceAnalysis> {
    const t0 = performance.now();
    const image = await decodeImage(bytes, this.limits);
    return this.analyseDecoded(image, quality, performance.now() - t0);
  }

  /** As analyse(), for frames already in RGB (for example from a kiosk camera). */
  async analyseDecoded(image: RgbImage, overrides: Partial<QualityThresholds> = {}, decodeMs = 0): Promise<FaceAnalysis> {
    const q = { ...this.quality, ...overrides };
    const t1 = performance.now();
    const face = selectFace(await this.detector.detect(image, this.detection), q.minFaceSize);
    checkLandmarksInFrame(face, image);
    const t2 = performance.now();
    const crop = alignFace(image, face.landmarks, this.recognizer.inputWidth, this.recognizer.inputHeight);
    const measures = measureCrop(crop);
    const t3 = performance.now();
    checkExposureAndFocus(measures, q);
    const [embedding, presentationAttack] = await Promise.all([this.recognizer.embed(crop), this.pad.check(image, face)]);
    const t4 = performance.now();
    return {
      embedding,
      modelId: this.modelId,
      face,
      quality: { faceSize: faceSize(face), ...measures },
      presentationAttack,
      image: { width: image.width, height: image.height },
      timings: { decodeMs, detectMs: t2 - t1, alignMs: t3 - t2, embedMs: t4 - t3 },
    };
  }

  async close(): Promise<void> {
    await Promise.all([this.detector.close(), this.recognizer.close()]);
  }
}

export async function createFaceEngine(options: FaceEngineOptions): Promise<FaceEngine> {
  return FaceEngine.create(options);
}

function faceSize(d: Detection): number {
  return Math.min(d.x2 - d.x1, d.y2 - d.y1);
}

/**
 * Exactly one usable face: faces below the size limit (crowds in the background) are ignored,
 * but two usable faces are refused, since enrolling or matching the wrong one is worse than asking again.
 */
function selectFace(faces: Detection[], minFaceSize: number): Detection {
  if (faces.length === 0) throw new FaceQualityError('no_face', 'no face was found in the image');
  const usable = faces.filter((f) => faceSize(f) >= minFaceSize);
  if (usable.length > 1) {
    throw new FaceQualityError('multiple_faces', 'more than one face is in the image', { faces: usable.length });
  }
  const [face] = usable;
  if (!face) {
    const largest = Math.max(...faces.map(faceSize));
    throw new FaceQualityError('face_too_small', 'the face is too small; move closer to the camera', {
      faceSize: Math.round(largest),
      minFaceSize,
    });
  }
  return face;
}

function checkLandmarksInFrame(face: Detection, image: RgbImage): void {
  for (let k = 0; k < 5; k++) {
    const x = face.landmarks[2 * k]!;
    const y = face.landmarks[2 * k + 1]!;
    if (x < 0 || y < 0 || x >= image.width || y >= image.height) {
      throw new FaceQualityError('landmarks_out_of_frame', 'part of the face is outside the image');
    }
  }
}

function checkExposureAndFocus(m: { brightness: number; sharpness: number }, q: QualityThresholds): void {
  const details = { brightness: Math.round(m.brightness), sharpness: Math.round(m.sharpness) };
  if (m.brightness < q.minBrightness) throw new FaceQualityError('too_dark', 'the face is too dark', details);
  if (m.brightness > q.maxBrightness) throw new FaceQualityError('too_bright', 'the face is too bright', details);
  if (m.sharpness < q.minSharpness) throw new FaceQualityError('too_blurry', 'the face is blurred', details);
}

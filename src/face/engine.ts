import { FaceDetector } from './detect/detector.ts';
import type { DetectOptions } from './detect/detector.ts';
import { LandmarkRefiner } from './detect/refiner.ts';
import type { RefinerOptions } from './detect/refiner.ts';
import type { Detection } from './detect/types.ts';
import { FaceRecognizer } from './embed/recognizer.ts';
import { FaceModelsUnavailableError, FaceQualityError } from './errors.ts';
import { alignFace } from './align/warp.ts';
import { DEFAULT_DECODE_LIMITS, decodeImage } from './image/decode.ts';
import type { DecodeLimits, RgbImage } from './image/decode.ts';
import { findDetector, findLiveness, findPose, findRecognizer, loadManifest, modelIdOf } from './models/manifest.ts';
import type { ModelManifest } from './models/manifest.ts';
import { DEFAULT_GEOMETRY_BOUNDS, implausibleGeometry, landmarkGeometry } from './quality/geometry.ts';
import type { GeometryBounds } from './quality/geometry.ts';
import { measureCrop } from './quality/measures.ts';
import { notCheckedPad, unavailablePad } from './pad.ts';
import { PassiveLivenessDetector } from './pad/passive-liveness.ts';
import { HeadPoseModel, type HeadPose } from './liveness/head-pose.ts';
import type { PresentationAttackDetector, PresentationAttackResult } from './pad.ts';

/**
 * Which face of a photo counts. `single` (enrollment, 1:1): exactly one face, any second usable
 * face is refused. `dominant` (the kiosk's 1:N check-in): the largest, most central face, unless
 * another face is comparable in size (someone beside the person rather than behind them).
 */
export type FacePolicy = 'single' | 'dominant';

export interface QualityThresholds {
  /** Shorter side of the face box, in pixels of the decoded (working) image. */
  minFaceSize: number;
  /** Variance of the Laplacian on the aligned face; see docs/face.md for how it was chosen. */
  minSharpness: number;
  /** Mean luma of the aligned face, 0-255. */
  minBrightness: number;
  maxBrightness: number;
  faces: FacePolicy;
  /**
   * With `dominant`: another face whose box area is at least 1/ratio of the chosen face's is
   * comparable, and the photo is refused (multiple_faces). See docs/face.md, "Crowds".
   */
  dominantAreaRatio: number;
}

export const DEFAULT_QUALITY: QualityThresholds = {
  minFaceSize: 64,
  minSharpness: 40,
  minBrightness: 50,
  maxBrightness: 210,
  faces: 'single',
  dominantAreaRatio: 2,
};

/** SCRFD-2.5g places the landmarks that alignment uses (docs/face.md, "Alignment"). */
export const DEFAULT_LANDMARKER = 'scrfd_2.5g';

/** The passive presentation-attack model every analysed photo goes through (docs/face.md, "PAD"). */
export const DEFAULT_PAD_MODEL = 'fr_liveness';
/** The head-pose model of the active liveness challenge (src/face/liveness). */
export const DEFAULT_POSE_MODEL = 'fr_pose';

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
  /**
   * Manifest name of a detector with a free input size whose landmarks replace the fast
   * detector's (default DEFAULT_LANDMARKER); false keeps the fast detector's own landmarks and
   * confirms nothing (the pipeline before issue 17, kept for comparison).
   */
  landmarker?: string | false;
  refiner?: Partial<RefinerOptions>;
  /** Block-average large faces before the warp (default true; false: plain bilinear, as before issue 17). */
  antialias?: boolean;
  /** Landmark sanity bounds against non-faces (default DEFAULT_GEOMETRY_BOUNDS); false: none. */
  geometry?: GeometryBounds | false;
  /** A ready detector (tests, benches); wins over padModel. */
  pad?: PresentationAttackDetector;
  /** Manifest name of the passive PAD model (default DEFAULT_PAD_MODEL); false: not checked. */
  padModel?: string | false;
  /** Probability of live below which a face is an attack; default the model's. */
  padThreshold?: number;
  /** Manifest name of the head-pose model (default DEFAULT_POSE_MODEL); false: no active liveness challenge. */
  poseModel?: string | false;
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
  /** Other faces in the photo that were left aside: background faces (dominant policy) or non-faces. */
  ignored: { background: number; nonFaces: number };
  quality: { faceSize: number; sharpness: number; brightness: number };
  presentationAttack: PresentationAttackResult;
  image: { width: number; height: number };
  timings: StageTimings;
  /** The head's pose, when asked for (a frame of an active liveness challenge). */
  pose?: HeadPose;
}

/**
 * Detector + recognizer sessions, loaded once and shared by all requests. Throws
 * FaceModelsUnavailableError from create() when a model is missing or corrupt.
 */
export class FaceEngine {
  readonly detector: FaceDetector;
  readonly refiner: LandmarkRefiner | undefined;
  readonly recognizer: FaceRecognizer;
  readonly modelId: string;
  readonly threshold: number;
  private readonly limits: DecodeLimits;
  private readonly quality: QualityThresholds;
  private readonly detection: Partial<DetectOptions>;
  readonly pad: PresentationAttackDetector;
  /** Undefined when no head-pose model is configured or in place: active liveness challenges are then unavailable. */
  readonly pose: HeadPoseModel | undefined;
  private readonly antialias: boolean;
  private readonly geometry: GeometryBounds | false;

  private constructor(
    detector: FaceDetector,
    refiner: LandmarkRefiner | undefined,
    recognizer: FaceRecognizer,
    pad: PresentationAttackDetector,
    pose: HeadPoseModel | undefined,
    options: FaceEngineOptions,
  ) {
    this.pose = pose;
    this.detector = detector;
    this.refiner = refiner;
    this.recognizer = recognizer;
    this.modelId = modelIdOf(recognizer.entry);
    this.threshold = recognizer.entry.threshold;
    this.limits = { ...DEFAULT_DECODE_LIMITS, ...options.limits };
    this.quality = { ...DEFAULT_QUALITY, ...options.quality };
    this.detection = options.detection ?? {};
    this.pad = pad;
    this.antialias = options.antialias ?? true;
    this.geometry = options.geometry ?? DEFAULT_GEOMETRY_BOUNDS;
  }

  static async create(options: FaceEngineOptions): Promise<FaceEngine> {
    const manifest = options.manifest ?? (await loadManifest());
    const session = { intraOpThreads: options.threads };
    const landmarker = options.landmarker ?? DEFAULT_LANDMARKER;
    const padModel = options.padModel ?? DEFAULT_PAD_MODEL;
    const poseModel = options.poseModel ?? DEFAULT_POSE_MODEL;
    const [detector, refiner, recognizer, pad, pose] = await Promise.all([
      FaceDetector.load(findDetector(manifest, options.detector), options.modelDir, session),
      landmarker === false ? undefined : LandmarkRefiner.load(findDetector(manifest, landmarker), options.modelDir, session, options.refiner),
      FaceRecognizer.load(findRecognizer(manifest, options.recognizer), options.modelDir, session),
      options.pad ??
        (padModel === false
          ? notCheckedPad
          : // Face features do not wait for the PAD model: without it each result says not_checked (docs/face.md, "PAD").
            PassiveLivenessDetector.load(findLiveness(manifest, padModel), options.modelDir, { ...session, ...(options.padThreshold === undefined ? {} : { threshold: options.padThreshold }) }).catch(
              (error: unknown) => {
                if (error instanceof FaceModelsUnavailableError) return unavailablePad(error.message);
                throw error;
              },
            )),
      // Like PAD, the pose model is not needed for face features: without it only the challenge is off.
      poseModel === false
        ? undefined
        : HeadPoseModel.load(findPose(manifest, poseModel), options.modelDir, session).catch((error: unknown) => {
            if (error instanceof FaceModelsUnavailableError) return undefined;
            throw error;
          }),
    ]);
    return new FaceEngine(detector, refiner, recognizer, pad, pose, options);
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

  /** As analyse(), with the head's pose: one frame of an active liveness challenge (src/face/liveness). */
  async analyseWithPose(bytes: Uint8Array, quality: Partial<QualityThresholds> = {}): Promise<FaceAnalysis & { pose: HeadPose }> {
    if (!this.pose) throw new FaceModelsUnavailableError('the head-pose model is not in place; run npm run models:fetch');
    const t0 = performance.now();
    const image = await decodeImage(bytes, this.limits);
    const analysis = await this.analyseDecoded(image, quality, performance.now() - t0);
    return { ...analysis, pose: await this.pose.estimate(image, analysis.face) };
  }

  /** As analyse(), for frames already in RGB (for example from a kiosk camera). */
  async analyseDecoded(image: RgbImage, overrides: Partial<QualityThresholds> = {}, decodeMs = 0): Promise<FaceAnalysis> {
    const q = { ...this.quality, ...overrides };
    const t1 = performance.now();
    const found = await this.detector.detect(image, this.detection);
    const bounds = this.geometry;
    const plausible = bounds === false ? found : found.filter((d) => implausibleGeometry(landmarkGeometry(d), bounds) === undefined);
    const chosen = await this.choose(image, plausible, q);
    const face = chosen.face;
    checkLandmarksInFrame(face, image);
    const t2 = performance.now();
    const crop = alignFace(image, face.landmarks, this.recognizer.inputWidth, this.recognizer.inputHeight, { antialias: this.antialias });
    const measures = measureCrop(crop);
    const t3 = performance.now();
    checkExposureAndFocus(measures, q);
    // The one place where a face check-in's frame, its chosen face and the aligned crop are all at
    // hand: presentation-attack detection plugs in here (pad.ts), beside the embedding.
    const [embedding, presentationAttack] = await Promise.all([
      this.recognizer.embed(crop),
      this.pad.check(image, face, { crop, policy: q.faces }),
    ]);
    const t4 = performance.now();
    return {
      embedding,
      modelId: this.modelId,
      face,
      ignored: { background: chosen.background, nonFaces: found.length - plausible.length + chosen.nonFaces },
      quality: { faceSize: faceSize(face), ...measures },
      presentationAttack,
      image: { width: image.width, height: image.height },
      timings: { decodeMs, detectMs: t2 - t1, alignMs: t3 - t2, embedMs: t4 - t3 },
    };
  }

  /**
   * The face to embed, by the policy. Faces below minFaceSize never count (far away in a
   * crowd); a face the landmark model does not confirm is no face (a ball, a drawing), so it
   * neither gets embedded nor makes a photo `multiple_faces`.
   */
  private async choose(image: RgbImage, faces: Detection[], q: QualityThresholds): Promise<{ face: Detection; background: number; nonFaces: number }> {
    if (faces.length === 0) throw new FaceQualityError('no_face', 'no face was found in the image');
    const usable = faces.filter((f) => faceSize(f) >= q.minFaceSize);
    if (usable.length === 0) {
      const largest = Math.max(...faces.map(faceSize));
      throw new FaceQualityError('face_too_small', 'the face is too small; move closer to the camera', {
        faceSize: Math.round(largest),
        minFaceSize: q.minFaceSize,
      });
    }
    let nonFaces = 0;
    const confirm = async (d: Detection): Promise<Detection | undefined> => {
      if (!this.refiner) return d;
      const refined = await this.refiner.refine(image, d);
      if (!refined) nonFaces++;
      return refined;
    };
    const tooMany = (count: number) => new FaceQualityError('multiple_faces', 'more than one face is in the image', { faces: count });

    if (q.faces === 'single') {
      let first: Detection | undefined;
      for (const d of usable) {
        const face = await confirm(d);
        if (!face) continue;
        if (first) throw tooMany(usable.length);
        first = face;
      }
      if (!first) throw new FaceQualityError('no_face', 'no face was found in the image');
      return { face: first, background: 0, nonFaces };
    }

    const ranked = [...usable].sort((a, b) => prominence(b, image) - prominence(a, image));
    for (let i = 0; i < ranked.length; i++) {
      const face = await confirm(ranked[i]!);
      if (!face) continue;
      const area = boxArea(ranked[i]!);
      const rivals = ranked.filter((d, j) => j !== i && boxArea(d) * q.dominantAreaRatio >= area);
      for (const rival of rivals) {
        if (await confirm(rival)) throw tooMany(rivals.length + 1);
      }
      return { face, background: faces.length - 1 - nonFaces, nonFaces };
    }
    throw new FaceQualityError('no_face', 'no face was found in the image');
  }

  async close(): Promise<void> {
    await Promise.all([this.detector.close(), this.refiner?.close(), this.recognizer.close(), this.pad.close?.(), this.pose?.close()]);
  }
}

export async function createFaceEngine(options: FaceEngineOptions): Promise<FaceEngine> {
  return FaceEngine.create(options);
}

function faceSize(d: Detection): number {
  return Math.min(d.x2 - d.x1, d.y2 - d.y1);
}

function boxArea(d: Detection): number {
  return (d.x2 - d.x1) * (d.y2 - d.y1);
}

/**
 * Size weighted by closeness to the middle of the frame: the person at the kiosk stands in
 * front of the camera, a passer-by near the edge. Weight 1 in the centre, 0.5 in a corner.
 */
function prominence(d: Detection, image: RgbImage): number {
  const dx = (d.x1 + d.x2) / 2 - image.width / 2;
  const dy = (d.y1 + d.y2) / 2 - image.height / 2;
  const off = Math.hypot(dx, dy) / Math.hypot(image.width / 2, image.height / 2);
  return boxArea(d) * (1 - 0.5 * Math.min(1, off));
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

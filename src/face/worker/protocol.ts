import { PassError } from '../../core/errors.ts';
import { FaceCardPhotoError, FaceImageError, FaceModelsUnavailableError, FaceQualityError } from '../errors.ts';
import type { FaceCardPhotoReason, FaceImageReason, FaceQualityReason } from '../errors.ts';
import type { QualityThresholds, StageTimings } from '../engine.ts';
import type { DecodeLimits } from '../image/decode.ts';
import type { PresentationAttackResult } from '../pad.ts';

/** What a worker needs to build its FaceEngine (plain data: it crosses a thread boundary). */
export interface WorkerEngineOptions {
  modelDir: string;
  detector?: string;
  recognizer?: string;
  /** The landmark model (FaceEngineOptions.landmarker); default DEFAULT_LANDMARKER. */
  landmarker?: string | false;
  /** The passive PAD model (FaceEngineOptions.padModel); default DEFAULT_PAD_MODEL, false: not checked. */
  padModel?: string | false;
  padThreshold?: number;
  /** The head-pose model (FaceEngineOptions.poseModel); default DEFAULT_POSE_MODEL, false: none. */
  poseModel?: string | false;
  /** onnxruntime intra-op threads per worker. */
  threads: number;
  limits?: Partial<DecodeLimits>;
  quality?: Partial<QualityThresholds>;
}

/** The part of a FaceAnalysis the platform uses; the photo itself never leaves the worker. */
export interface WorkerAnalysis {
  embedding: Float32Array;
  modelId: string;
  quality: { faceSize: number; sharpness: number; brightness: number };
  presentationAttack: PresentationAttackResult;
  timings: StageTimings;
  /** Degrees, for a frame of an active liveness challenge (source `liveness-frame`). */
  pose?: { yaw: number; pitch: number; roll: number };
}

/**
 * What the bytes are: an upload (JPEG, PNG, WebP), a My Number Card photo (JPEG 2000, card-photo/),
 * or a camera frame of an active liveness challenge (an upload whose head pose is read too, liveness/).
 */
export type PhotoSource = 'upload' | 'card-photo' | 'liveness-frame';

export type ToWorker = { id: number; op: 'analyse'; bytes: Uint8Array; quality?: Partial<QualityThresholds>; source?: PhotoSource };

export type FromWorker =
  | { kind: 'ready'; modelId: string; embeddingLength: number; threshold: number }
  | { kind: 'failed'; error: SerializedError }
  | { kind: 'result'; id: number; analysis: WorkerAnalysis }
  | { kind: 'error'; id: number; error: SerializedError };

export interface SerializedError {
  name: string;
  code: string;
  reason: string;
  message: string;
  details: Record<string, unknown> | undefined;
}

export function serializeError(error: unknown): SerializedError {
  if (error instanceof PassError) {
    return { name: error.name, code: error.code, reason: error.reason, message: error.message, details: error.details };
  }
  // Anything else is a bug: the message stays in the worker's log line, the caller gets a generic error.
  return { name: 'Error', code: 'internal', reason: 'face_worker_error', message: 'face analysis failed', details: undefined };
}

/** Rebuilds the typed error on the main thread, so the HTTP edge maps it like any other. */
export function deserializeError(e: SerializedError): PassError {
  if (e.name === 'FaceQualityError') return new FaceQualityError(e.reason as FaceQualityReason, e.message, e.details);
  if (e.name === 'FaceImageError') return new FaceImageError(e.reason as FaceImageReason, e.message, e.details);
  if (e.name === 'FaceModelsUnavailableError') return new FaceModelsUnavailableError(e.message);
  if (e.name === 'FaceCardPhotoError') return new FaceCardPhotoError(e.message, e.details, { reason: e.reason as FaceCardPhotoReason });
  const code = (['invalid_input', 'unavailable', 'configuration'].includes(e.code) ? e.code : 'internal') as PassError['code'];
  return new PassError(code, e.reason, e.message, e.details);
}

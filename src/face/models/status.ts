import { join } from 'node:path';
import type { ModelEntry, ModelManifest } from './manifest.ts';
import { findDetector, findLiveness, findRecognizer } from './manifest.ts';
import { cachedSha256 } from './hash.ts';

export type ModelFileStatus = 'ok' | 'missing' | 'size_mismatch' | 'checksum_mismatch';

export interface ModelCheck {
  name: string;
  kind: ModelEntry['kind'];
  file: string;
  status: ModelFileStatus;
}

export interface FaceModelsStatus {
  available: boolean;
  /** Present only when unavailable: one line for /readyz, e.g. "yunet_s_640: missing (yunet_s_640_640.onnx)". */
  reason?: string;
  detector: string;
  recognizer: string;
  models: ModelCheck[];
  /**
   * The presentation-attack model, when configured. It does not gate `available`: without it face
   * features work and every result says `not_checked` (a PAD-required facility refuses those).
   */
  pad?: ModelCheck;
}

export interface CheckModelsOptions {
  manifest: ModelManifest;
  modelDir: string;
  detector?: string;
  recognizer?: string;
  /** The landmark model alignment uses, when one is configured (FACE_LANDMARKER). */
  landmarker?: string | undefined;
  /** The passive presentation-attack model, when one is configured (FACE_PAD_MODEL). */
  pad?: string | undefined;
}

export async function checkModelFile(entry: ModelEntry, modelDir: string): Promise<ModelCheck> {
  const found = await cachedSha256(join(modelDir, entry.file));
  let status: ModelFileStatus = 'ok';
  if (!found) status = 'missing';
  else if (found.size !== entry.size) status = 'size_mismatch';
  else if (found.sha256 !== entry.sha256) status = 'checksum_mismatch';
  return { name: entry.name, kind: entry.kind, file: entry.file, status };
}

/** Reports whether the configured models (detector, recognizer, landmarker, PAD) are present and intact; never throws for missing files. */
export async function checkFaceModels(options: CheckModelsOptions): Promise<FaceModelsStatus> {
  const detector = findDetector(options.manifest, options.detector);
  const recognizer = findRecognizer(options.manifest, options.recognizer);
  const landmarker = options.landmarker ? findDetector(options.manifest, options.landmarker) : undefined;
  const pad = options.pad ? findLiveness(options.manifest, options.pad) : undefined;
  const models = await Promise.all([detector, recognizer, ...(landmarker ? [landmarker] : [])].map((m) => checkModelFile(m, options.modelDir)));
  const problems = models.filter((m) => m.status !== 'ok').map((m) => `${m.name}: ${m.status} (${m.file})`);
  const result: FaceModelsStatus = { available: problems.length === 0, detector: detector.name, recognizer: recognizer.name, models };
  if (problems.length > 0) result.reason = `${problems.join('; ')}; run npm run models:fetch`;
  if (pad) result.pad = await checkModelFile(pad, options.modelDir);
  return result;
}

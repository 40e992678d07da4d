// Public surface of the face factor; the platform imports from here only.
export { FaceEngine, createFaceEngine, DEFAULT_PAD_MODEL, DEFAULT_QUALITY } from './engine.ts';
export type { FaceAnalysis, FaceEngineOptions, QualityThresholds, StageTimings } from './engine.ts';
export { DEFAULT_DECODE_LIMITS, decodeImage, sniffImageFormat } from './image/decode.ts';
export type { DecodeLimits, ImageFormat, RgbImage } from './image/decode.ts';
export type { Detection } from './detect/types.ts';
export {
  FaceImageError,
  FaceModelsUnavailableError,
  FaceQualityError,
  FaceUsageError,
  TemplateError,
} from './errors.ts';
export type { FaceImageReason, FaceQualityReason, TemplateErrorReason } from './errors.ts';
export { DEFAULT_MANIFEST_PATH, findDetector, findLiveness, findRecognizer, loadManifest, modelIdOf, parseManifest } from './models/manifest.ts';
export type { DetectorEntry, LivenessEntry, ModelEntry, ModelManifest, RecognizerEntry } from './models/manifest.ts';
export { checkFaceModels } from './models/status.ts';
export type { CheckModelsOptions, FaceModelsStatus, ModelCheck } from './models/status.ts';
export { fetchModels, ModelFetchError } from './models/fetch.ts';
export type { FetchEvent, FetchModelsOptions, FetchModelsResult } from './models/fetch.ts';
export { createKeyring } from './template/keyring.ts';
export type { KeyringInput, TemplateKeyring } from './template/keyring.ts';
export { openTemplate, resealTemplate, sealTemplate, templateKeyId } from './template/template.ts';
export type { OpenedTemplate, OpenOptions, SealOptions } from './template/template.ts';
export { AUTO_BINARY_FROM, AUTO_EXACT_BELOW, FaceGallery } from './match/gallery.ts';
export type { GalleryOptions, IdentifyResult, Match, SearchMethod, VerifyResult } from './match/gallery.ts';
export { GalleryRegistry } from './match/registry.ts';
export { cosineSimilarity, l2normalize } from './match/vector.ts';
export { notCheckedPad } from './pad.ts';
export { PassiveLivenessDetector } from './pad/passive-liveness.ts';
export type { PresentationAttackDetector, PresentationAttackResult } from './pad.ts';
export { FaceWorkerPool } from './worker/pool.ts';
export type { EngineInfo, FaceWorkerPoolOptions } from './worker/pool.ts';
export type { WorkerAnalysis, WorkerEngineOptions } from './worker/protocol.ts';
export { FACE_CHANNEL, FaceService } from './service/face-service.ts';
export type { EnrollmentActor, EnrollmentStatus, EnrollResult, FaceServiceOptions } from './service/face-service.ts';
export type { EnrolledFaces, EnrollmentCheck, EnrollmentProbe } from './enrollment/checks.ts';
export { proofedPersonCheck } from './enrollment/proofed-person.ts';
export { otherPersonCheck } from './enrollment/other-person.ts';
export type { OtherPersonOptions, Resemblance } from './enrollment/other-person.ts';
export { FaceStore } from './service/template-store.ts';
export { faceKeyringFrom, templateContext } from './service/keys.ts';
export { FACE_MESSAGES, faceMessage } from './messages.ts';
export type { FaceMessage, FaceMessageReason } from './messages.ts';
export { faceCapability } from './capability.ts';

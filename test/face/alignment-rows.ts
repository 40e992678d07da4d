// PASS's embedding and landmarks of each photo and rotated copy against the reference pipeline's
// (bench/face/reference-pipeline.ts), for test/face/alignment.test.ts, which runs this in a plain
// Node process (../helpers/outside-jest.ts).
import { readFile } from 'node:fs/promises';
import { ReferencePipeline } from '../../bench/face/reference-pipeline.ts';
import { ROTATIONS } from '../../bench/face/transforms.ts';
import { createEngine, listPhotos, MODELS_DIR } from './helpers.ts';

export interface AlignmentRow {
  name: string;
  cosine: number;
  landmarkError: number;
}

/** `now`: PASS as it runs; `before`: YuNet's own landmarks, no antialiasing, no geometry check (the pipeline before the fix). */
export async function measureAlignmentRows(): Promise<{ now: AlignmentRow[]; before: AlignmentRow[] }> {
  const rows: { now: AlignmentRow[]; before: AlignmentRow[] } = { now: [], before: [] };
  const reference = await ReferencePipeline.create(MODELS_DIR);
  const now = await createEngine();
  const before = await createEngine({ landmarker: false, antialias: false, geometry: false });
  try {
    for (const photo of await listPhotos()) {
      const original = await readFile(photo.path);
      const ref0 = await reference.embed(original);
      const [x1, y1, x2, y2] = ref0!.face.box;
      const copies: { name: string; bytes: Buffer }[] = [{ name: `${photo.person}/${photo.file}`, bytes: original }];
      for (const t of ROTATIONS) copies.push({ name: `${photo.person}/${photo.file}@${t.name}`, bytes: await t.apply(original, { x1, y1, x2, y2 }) });
      for (const copy of copies) {
        const ref = (await reference.embed(copy.bytes))!;
        const l = ref.face.landmarks;
        const eye = Math.hypot(l[2]! - l[0]!, l[3]! - l[1]!);
        for (const [key, engine] of [['now', now], ['before', before]] as const) {
          const a = await engine.analyse(copy.bytes);
          let d = 0;
          for (let k = 0; k < 5; k++) d += Math.hypot(a.face.landmarks[2 * k]! - l[2 * k]!, a.face.landmarks[2 * k + 1]! - l[2 * k + 1]!);
          rows[key].push({ name: copy.name, cosine: a.embedding.reduce((s, v, i) => s + v * ref.embedding[i]!, 0), landmarkError: d / 5 / eye });
        }
      }
    }
    return rows;
  } finally {
    await Promise.all([reference.close(), now.close(), before.close()]);
  }
}

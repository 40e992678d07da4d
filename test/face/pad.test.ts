// Passive presentation-attack detection with the real fr_liveness model on real photos and on
// synthetic attacks made from them (bench/face/attacks): live photos score live, a print and a
// screen replay of them score as attacks at the configured threshold; the model's bytes are
// checked; FACE_PAD_MODEL=none records not_checked; the worker threads carry the result.
import './realm.ts';
import { copyFile, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { VARIABLES } from '../../src/config/schema.ts';
import { FaceModelsUnavailableError } from '../../src/face/errors.ts';
import type { FaceEngine } from '../../src/face/engine.ts';
import { findLiveness, loadManifest } from '../../src/face/models/manifest.ts';
import { tempDir } from '../helpers/services.ts';
import { attackJpeg } from '../../bench/face/attacks/index.ts';
import { readPhoto } from './helpers.ts';

/** The repository's models/ holds the shared models and the PAD model (npm run models:fetch). */
const MODELS = path.resolve('models');
const PAD_FILE = path.join(MODELS, 'fr_liveness.onnx');
/** Photos the model scores clearly live (docs/face.md, "PAD"), with the print and screen renders of seed 1. */
const PHOTOS: Array<[string, number]> = [['guido_van_rossum', 1], ['obama', 4], ['paul_allen', 4]];

let engine: FaceEngine;
let threshold: number;

beforeAll(async () => {
  if (!existsSync(PAD_FILE)) throw new Error(`${PAD_FILE} is missing: run npm run models:fetch -- --public --only fr_liveness`);
  const { FaceEngine: Engine } = await import('../../src/face/engine.ts');
  engine = await Engine.create({ modelDir: MODELS, threads: 2 });
  threshold = findLiveness(await loadManifest(), 'fr_liveness').threshold;
}, 60_000);

afterAll(async () => {
  await engine?.close();
});

describe('passive PAD (fr_liveness)', () => {
  test.each(PHOTOS)('%s/%i.jpg: the photo scores live, its print and screen replay score as attacks', async (person, n) => {
    const photo = await readPhoto(person, n);
    const live = await engine.analyse(photo);
    expect(live.presentationAttack).toEqual({ status: 'live', score: expect.any(Number), method: 'passive', model: 'fr_liveness@afa783b7e902' });
    expect(live.presentationAttack.score).toBeGreaterThanOrEqual(threshold);
    for (const kind of ['print', 'screen'] as const) {
      const attack = await attackJpeg(kind, photo, 1);
      const seen = await engine.analyse(attack.jpeg, { faces: 'dominant' });
      expect({ kind, ...seen.presentationAttack }).toEqual({ kind, status: 'attack', score: expect.any(Number), method: 'passive', model: 'fr_liveness@afa783b7e902' });
      expect(seen.presentationAttack.score).toBeLessThan(threshold);
      // The attack is still the same person to the recognizer: PAD, not recognition, has to stop it.
      expect(cosine(seen.embedding, live.embedding)).toBeGreaterThan(0.4);
    }
  }, 60_000);

  test('the periodic-texture score: smooth on a live photo, peaked on a print and a screen replay of it', async () => {
    const { periodicTextureScore } = await import('../../src/face/pad/periodic-texture.ts');
    const { TEXTURE_LIMIT } = await import('../../src/face/pad/passive-liveness.ts');
    const { decodeImage } = await import('../../src/face/image/decode.ts');
    const photo = await readPhoto('obama', 4);
    const scoreOf = async (bytes: Buffer) => {
      const image = await decodeImage(bytes);
      return periodicTextureScore(image, (await engine.analyseDecoded(image, { faces: 'dominant' })).face);
    };
    expect(await scoreOf(photo)).toBeLessThan(TEXTURE_LIMIT - 1);
    for (const kind of ['print', 'screen'] as const) expect(await scoreOf((await attackJpeg(kind, photo, 1)).jpeg)).toBeGreaterThan(TEXTURE_LIMIT);
  }, 30_000);

  test('the attack recipe is reproducible: the same photo, kind and seed give the same bytes; another seed does not', async () => {
    const photo = await readPhoto('obama', 4);
    const [a, b, c] = await Promise.all([attackJpeg('screen', photo, 3), attackJpeg('screen', photo, 3), attackJpeg('screen', photo, 4)]);
    expect(a.jpeg.equals(b.jpeg)).toBe(true);
    expect(a.jpeg.equals(c.jpeg)).toBe(false);
  }, 30_000);

  test("a PAD model that does not match the manifest's sha256 is not used: results say not_checked", async () => {
    const dir = tempDir('pass-pad-models-');
    try {
      for (const file of (await readdir(MODELS)).filter((f) => f.endsWith('.onnx') && f !== 'fr_liveness.onnx')) {
        await symlink(path.join(MODELS, file), path.join(dir.path, file));
      }
      const bytes = await readFile(PAD_FILE);
      bytes[bytes.length - 100]! ^= 0xff;
      await writeFile(path.join(dir.path, 'fr_liveness.onnx'), bytes);
      const { PassiveLivenessDetector } = await import('../../src/face/pad/passive-liveness.ts');
      const entry = findLiveness(await loadManifest(), 'fr_liveness');
      await expect(PassiveLivenessDetector.load(entry, dir.path)).rejects.toThrow(FaceModelsUnavailableError);
      await expect(PassiveLivenessDetector.load(entry, dir.path)).rejects.toThrow(/does not match the manifest checksum/);
      const { FaceEngine: Engine } = await import('../../src/face/engine.ts');
      const degraded = await Engine.create({ modelDir: dir.path, threads: 1 });
      try {
        expect((await degraded.analyse(await readPhoto('obama', 4))).presentationAttack).toEqual({ status: 'not_checked', method: 'none' });
      } finally {
        await degraded.close();
      }
      // The intact file loads.
      await copyFile(PAD_FILE, path.join(dir.path, 'fr_liveness.onnx'));
      const intact = await PassiveLivenessDetector.load(entry, dir.path);
      expect(intact.model).toBe('fr_liveness@afa783b7e902');
      await intact.close();
    } finally {
      dir.remove();
    }
  }, 60_000);

  test('FACE_PAD_MODEL=none: nothing is checked, and the result says so', async () => {
    const { FaceEngine: Engine } = await import('../../src/face/engine.ts');
    const off = await Engine.create({ modelDir: MODELS, threads: 1, padModel: false });
    try {
      expect((await off.analyse(await readPhoto('obama', 4))).presentationAttack).toEqual({ status: 'not_checked', method: 'none' });
    } finally {
      await off.close();
    }
  }, 60_000);

  test('a threshold above every score makes the live photo an attack (FACE_PAD_THRESHOLD reaches the detector)', async () => {
    const { FaceEngine: Engine } = await import('../../src/face/engine.ts');
    const strict = await Engine.create({ modelDir: MODELS, threads: 1, padThreshold: 1 });
    try {
      expect((await strict.analyse(await readPhoto('obama', 4))).presentationAttack.status).toBe('attack');
    } finally {
      await strict.close();
    }
  }, 60_000);

  test('configuration: the default model, and thresholds outside 0..1 refused', () => {
    expect(VARIABLES.FACE_PAD_MODEL.parse(undefined)).toBe('fr_liveness');
    expect(VARIABLES.FACE_PAD_THRESHOLD.safeParse('0.3').success).toBe(true);
    expect(VARIABLES.FACE_PAD_THRESHOLD.safeParse('1.5').success).toBe(false);
    expect(VARIABLES.FACE_PAD_THRESHOLD.safeParse('abc').success).toBe(false);
  });
});

describe('PAD in the face workers', () => {
  test('a check-in analysed in a worker thread carries the passive result with its model', async () => {
    const { FaceWorkerPool } = await import('../../src/face/worker/pool.ts');
    const pool = await FaceWorkerPool.start({ size: 1, maxQueue: 4, engine: { modelDir: MODELS, threads: 1 } });
    try {
      const photo = await readPhoto('guido_van_rossum', 1);
      const live = await pool.analyse(photo, { faces: 'dominant' });
      expect(live.presentationAttack).toMatchObject({ status: 'live', method: 'passive', model: 'fr_liveness@afa783b7e902' });
      const attack = await pool.analyse((await attackJpeg('print', photo, 1)).jpeg, { faces: 'dominant' });
      expect(attack.presentationAttack).toMatchObject({ status: 'attack', method: 'passive' });
    } finally {
      await pool.close();
    }
  }, 60_000);
});

function cosine(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  for (let i = 0; i < a.length; i++) dot += a[i]! * b[i]!;
  return dot;
}

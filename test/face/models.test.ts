import './realm.ts';
import { execFile } from 'node:child_process';
import { copyFile, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { ConfigurationError } from '../../src/core/errors.ts';
import { FaceModelsUnavailableError } from '../../src/face/errors.ts';
import { fetchModels, ModelFetchError } from '../../src/face/models/fetch.ts';
import type { FetchEvent } from '../../src/face/models/fetch.ts';
import { findDetector, findLiveness, findPose, findRecognizer, loadManifest, parseManifest } from '../../src/face/models/manifest.ts';
import type { ModelManifest } from '../../src/face/models/manifest.ts';
import { checkFaceModels } from '../../src/face/models/status.ts';
import { createEngine, MODELS_DIR } from './helpers.ts';

let manifest: ModelManifest;
let work: string;

beforeAll(async () => {
  manifest = await loadManifest();
});

beforeEach(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'pass-face-models-'));
});

afterEach(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('manifest', () => {
  test('lists every shared model with its hash, and the default pair', async () => {
    const onnx = (await readdir(MODELS_DIR)).filter((f) => f.endsWith('.onnx')).sort();
    // The liveness models (passive PAD, head pose) are not among the shared files: they come only from their npm package.
    expect(manifest.models.filter((m) => m.kind !== 'liveness' && m.kind !== 'pose').map((m) => m.file).sort()).toEqual(onnx);
    expect(findPose(manifest, 'fr_pose')).toMatchObject({ file: 'fr_pose.onnx', sha256: '72d032ec941b7153bf8d3f2c03a4c165453cc7e63d479041ec7c6ef087e5839d', archive: { member: 'package/model/fr_pose.onnx' } });
    const pad = findLiveness(manifest, 'fr_liveness');
    expect(pad).toMatchObject({ file: 'fr_liveness.onnx', sha256: 'afa783b7e902fdfcf323a7240cac2a1c580c25314ea4161129dc1b0d100dc32d', archive: { member: 'package/model/fr_liveness.onnx' } });
    expect(pad.output).toMatchObject({ classes: 3, liveClass: 0 });
    expect(() => findLiveness(manifest, 'mobilefacenet_512')).toThrow(ConfigurationError);
    expect(findDetector(manifest).name).toBe('yunet_s_640');
    expect(findRecognizer(manifest).name).toBe('mobilefacenet_512');
    expect(findDetector(manifest, 'scrfd_500m').output.decoder).toBe('scrfd');
    expect(findRecognizer(manifest, 'mobileface_arcface_128').preprocessing.mean).toEqual([127.5, 127.5, 127.5]);
  });

  test('an invalid manifest or unknown model name is a configuration error', () => {
    const broken = structuredClone(manifest) as unknown as { models: { sha256: string; file: string }[]; defaults: { detector: string } };
    broken.models[0]!.sha256 = 'nope';
    broken.models[1]!.file = '../escape.onnx';
    broken.defaults.detector = 'mobilefacenet_512';
    try {
      parseManifest(broken);
      throw new Error('expected a ConfigurationError');
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigurationError);
      expect((err as ConfigurationError).problems.length).toBeGreaterThanOrEqual(3);
    }
    expect(() => findRecognizer(manifest, 'yunet_s_640')).toThrow(ConfigurationError);
  });

  test('a liveness model whose live class is not among its classes is refused', () => {
    const broken = structuredClone(manifest) as unknown as { models: { kind: string; output: { liveClass: number } }[] };
    broken.models.find((m) => m.kind === 'liveness')!.output.liveClass = 3;
    expect(() => parseManifest(broken)).toThrow(/liveClass must be below classes/);
  });
});

describe('fetchModels', () => {
  test('copies from a mirror with sha256 checks and progress, then skips what is present', async () => {
    const to = path.join(work, 'models');
    const events: FetchEvent[] = [];
    const first = await fetchModels({ manifest, from: MODELS_DIR, to, names: ['yunet_s_640', 'mobilefacenet_512'], onEvent: (e) => events.push(e) });
    expect(first).toEqual({ fetched: ['yunet_s_640', 'mobilefacenet_512'], skipped: [] });
    expect(events.filter((e) => e.type === 'progress').length).toBeGreaterThan(2);
    expect(await readFile(path.join(to, 'yunet_s_640_640.onnx'))).toEqual(await readFile(path.join(MODELS_DIR, 'yunet_s_640_640.onnx')));
    const second = await fetchModels({ manifest, from: MODELS_DIR, to, names: ['yunet_s_640', 'mobilefacenet_512'] });
    expect(second).toEqual({ fetched: [], skipped: ['yunet_s_640', 'mobilefacenet_512'] });
  });

  test('rejects a corrupted mirror file and leaves nothing under its name', async () => {
    const mirror = path.join(work, 'mirror');
    const to = path.join(work, 'models');
    await fetchModels({ manifest, from: MODELS_DIR, to: mirror, names: ['yunet_s_640'] });
    const file = path.join(mirror, 'yunet_s_640_640.onnx');
    const bytes = await readFile(file);
    bytes[1000]! ^= 0xff;
    await writeFile(file, bytes);
    await expect(fetchModels({ manifest, from: mirror, to, names: ['yunet_s_640'] })).rejects.toThrow(ModelFetchError);
    await expect(fetchModels({ manifest, from: mirror, to, names: ['yunet_s_640'] })).rejects.toThrow(/sha256 mismatch/);
    expect(await readdir(to)).toEqual([]);
  });

  test('the models:fetch CLI exits non-zero on a bad mirror and zero on a good one', async () => {
    const run = promisify(execFile);
    const cli = path.resolve('src/face/models/fetch-cli.ts');
    const to = path.join(work, 'cli');
    const ok = await run(process.execPath, [cli, '--from', MODELS_DIR, '--to', to, '--only', 'yunet_s_640']);
    expect(ok.stdout).toMatch(/sha256 ok/);
    await expect(run(process.execPath, [cli, '--from', work, '--to', to, '--only', 'scrfd_500m'])).rejects.toMatchObject({ code: 1 });
    await expect(run(process.execPath, [cli, '--to', to], { env: { PATH: process.env.PATH } })).rejects.toMatchObject({ code: 2 });
  });
});

describe('availability', () => {
  test('reports missing and corrupt models with a reason, and ok when all are present', async () => {
    const missing = await checkFaceModels({ manifest, modelDir: work });
    expect(missing.available).toBe(false);
    expect(missing.reason).toMatch(/yunet_s_640: missing/);
    await copyFile(path.join(MODELS_DIR, 'yunet_s_640_640.onnx'), path.join(work, 'yunet_s_640_640.onnx'));
    await writeFile(path.join(work, 'mobilefacenet_512.onnx'), Buffer.alloc(4_884_269));
    const corrupt = await checkFaceModels({ manifest, modelDir: work });
    expect(corrupt.models.map((m) => m.status)).toEqual(['ok', 'checksum_mismatch']);
    const ok = await checkFaceModels({ manifest, modelDir: MODELS_DIR, detector: 'scrfd_500m', recognizer: 'mobileface_arcface_128' });
    expect(ok).toMatchObject({ available: true, detector: 'scrfd_500m', recognizer: 'mobileface_arcface_128' });
    expect(ok.reason).toBeUndefined();
  });

  test('the engine refuses to start without valid models, with a typed error', async () => {
    await expect(createEngine({ modelDir: work })).rejects.toThrow(FaceModelsUnavailableError);
    await expect(createEngine({ modelDir: work })).rejects.toMatchObject({ code: 'unavailable', reason: 'models_unavailable' });
  });
});

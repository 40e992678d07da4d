import './realm.ts';
import { readFile } from 'node:fs/promises';
import sharp from 'sharp';
import type { FaceAnalysis, FaceEngine } from '../../src/face/engine.ts';
import { allPairScores, createEngine, listPhotos, readPhoto } from './helpers.ts';
import type { Photo } from './helpers.ts';

// Default pair (YuNet + mobilefacenet_512) on every labelled photo.
let engine: FaceEngine;
const results: { photo: Photo; analysis: FaceAnalysis }[] = [];

beforeAll(async () => {
  engine = await createEngine();
  for (const photo of await listPhotos()) {
    results.push({ photo, analysis: await engine.analyse(await readFile(photo.path)) });
  }
}, 120_000);

afterAll(async () => {
  await engine?.close();
});

test('uses the default models and reads the embedding length from the recognizer', () => {
  expect(engine.detector.entry.name).toBe('yunet_s_640');
  expect(engine.recognizer.entry.name).toBe('mobilefacenet_512');
  expect(engine.embeddingLength).toBe(512);
  expect(engine.modelId).toMatch(/^mobilefacenet_512@[0-9a-f]{12}$/);
});

test('every labelled photo yields one aligned face with a unit-length embedding', () => {
  expect(results).toHaveLength(30);
  for (const { analysis } of results) {
    expect(analysis.embedding).toHaveLength(512);
    const norm = Math.sqrt(analysis.embedding.reduce((s, v) => s + v * v, 0));
    expect(norm).toBeCloseTo(1, 4);
    expect(analysis.presentationAttack.status).toBe('not_checked');
  }
});

test('same person scores above the threshold and different people below it, on all pairs', () => {
  const { genuine, impostor } = allPairScores(results.map((r) => ({ person: r.photo.person, embedding: r.analysis.embedding })));
  expect(genuine).toHaveLength(44);
  expect(impostor).toHaveLength(391);
  const falseNonMatches = genuine.filter((s) => s < engine.threshold);
  const falseMatches = impostor.filter((s) => s >= engine.threshold);
  expect({ falseNonMatches, falseMatches }).toEqual({ falseNonMatches: [], falseMatches: [] });
});

test('EXIF orientation is applied before detection', async () => {
  const original = await readPhoto('obama', 1);
  // Store the pixels rotated 90° clockwise and tag orientation 8 (display needs 90° counter-clockwise).
  const rotated = await sharp(original).rotate(90).withMetadata({ orientation: 8 }).jpeg({ quality: 95 }).toBuffer();
  const meta = await sharp(rotated).metadata();
  expect(meta.orientation).toBe(8);
  expect(meta.width).toBe(1137);

  const upright = results.find((r) => r.photo.person === 'obama' && r.photo.file === '1.jpg')!.analysis;
  const viaExif = await engine.analyse(rotated);
  expect(viaExif.image).toEqual({ width: 910, height: 1137 });
  const score = viaExif.embedding.reduce((s, v, i) => s + v * upright.embedding[i]!, 0);
  expect(score).toBeGreaterThan(0.9);
});

test('reports per-stage timings', () => {
  const t = results[0]!.analysis.timings;
  for (const v of [t.decodeMs, t.detectMs, t.alignMs, t.embedMs]) expect(v).toBeGreaterThan(0);
});

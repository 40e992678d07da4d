import './realm.ts';
import { readFile } from 'node:fs/promises';
import type { FaceEngine } from '../../src/face/engine.ts';
import { FaceGallery } from '../../src/face/match/gallery.ts';
import { l2normalize } from '../../src/face/match/vector.ts';
import { createEngine, listPhotos } from './helpers.ts';
import type { Photo } from './helpers.ts';

// 1:N: each person's first photo enrolled among 100,000 synthetic distractor templates; every
// other photo must come back at rank 1 above the threshold, and the stranger must be rejected.
const STRANGER = 'elon_musk';
let engine: FaceEngine;
const probes: { photo: Photo; embedding: Float32Array }[] = [];
let gallery: FaceGallery;

beforeAll(async () => {
  engine = await createEngine();
  gallery = new FaceGallery({ dimension: engine.embeddingLength, modelId: engine.modelId, initialCapacity: 100_100 });
  const random = seeded(42);
  const v = new Float32Array(engine.embeddingLength);
  for (let i = 0; i < 100_000; i++) {
    for (let j = 0; j < v.length; j++) v[j] = random() * 2 - 1;
    gallery.upsert(`synthetic-${i}`, l2normalize(v));
  }
  for (const photo of await listPhotos()) {
    const { embedding } = await engine.analyse(await readFile(photo.path));
    if (photo.file === '1.jpg' && photo.person !== STRANGER) gallery.upsert(photo.person, embedding);
    else probes.push({ photo, embedding });
  }
}, 120_000);

afterAll(async () => {
  await engine?.close();
});

test('every held-back photo is identified at rank 1 above the threshold', () => {
  expect(gallery.size).toBe(100_008);
  const known = probes.filter((p) => p.photo.person !== STRANGER);
  expect(known).toHaveLength(21);
  const misses = known
    .map((p) => ({ probe: `${p.photo.person}/${p.photo.file}`, result: gallery.identify(p.embedding, engine.threshold, 3) }))
    .filter(({ probe, result }) => !result.matched || result.best?.personId !== probe.split('/')[0]);
  expect(misses).toEqual([]);
});

test('a person who is not enrolled is rejected', () => {
  const stranger = probes.find((p) => p.photo.person === STRANGER)!;
  const result = gallery.identify(stranger.embedding, engine.threshold);
  expect(result.matched).toBe(false);
  expect(result.best!.score).toBeLessThan(engine.threshold);
});

test('1:1 verification accepts the right person and rejects another', () => {
  const obama = probes.find((p) => p.photo.person === 'obama')!;
  expect(gallery.verify('obama', obama.embedding, engine.threshold)).toMatchObject({ matched: true });
  expect(gallery.verify('biden', obama.embedding, engine.threshold)).toMatchObject({ matched: false });
  expect(gallery.verify('nobody', obama.embedding, engine.threshold)).toBeUndefined();
});

test('a removed person is no longer identified', () => {
  const probe = probes.find((p) => p.photo.person === 'guido_van_rossum')!;
  const saved = gallery.identify(probe.embedding, engine.threshold);
  expect(gallery.remove('guido_van_rossum')).toBe(true);
  expect(gallery.identify(probe.embedding, engine.threshold).matched).toBe(false);
  expect(saved.best?.personId).toBe('guido_van_rossum');
});

/** Deterministic distractors, so a failure can be reproduced. */
function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

import './realm.ts';
import { readFile } from 'node:fs/promises';
import { allPairScores, createEngine, listPhotos, readPhoto } from './helpers.ts';

// The alternative models are selectable by manifest name and work end to end.
test('the 128-d recognizer works, with its embedding length read from the model', async () => {
  const engine = await createEngine({ recognizer: 'mobileface_arcface_128' });
  try {
    expect(engine.embeddingLength).toBe(128);
    expect(engine.modelId).toMatch(/^mobileface_arcface_128@/);
    const items = [];
    for (const photo of await listPhotos()) {
      const { embedding } = await engine.analyse(await readFile(photo.path));
      expect(embedding).toHaveLength(128);
      items.push({ person: photo.person, embedding });
    }
    const { genuine, impostor } = allPairScores(items);
    expect(genuine.filter((s) => s < engine.threshold)).toEqual([]);
    expect(impostor.filter((s) => s >= engine.threshold)).toEqual([]);
  } finally {
    await engine.close();
  }
}, 60_000);

test.each(['scrfd_500m', 'scrfd_2.5g'])('the %s detector finds and aligns the face', async (detector) => {
  const engine = await createEngine({ detector });
  const yunet = await createEngine();
  try {
    const photo = await readPhoto('rose_leslie', 2);
    const a = await engine.analyse(photo);
    const b = await yunet.analyse(photo);
    // Same photo aligned from two detectors' landmarks: nearly the same embedding.
    const score = a.embedding.reduce((s, v, i) => s + v * b.embedding[i]!, 0);
    expect(score).toBeGreaterThan(0.8);
  } finally {
    await Promise.all([engine.close(), yunet.close()]);
  }
});

test.each(['yunet_s_640', 'scrfd_500m'])('%s finds a tight 150x150 face crop thanks to the padding retry', async (detector) => {
  const { default: sharp } = await import('sharp');
  const engine = await createEngine({ detector });
  const noRetry = await createEngine({ detector, detection: { retryPadFraction: 0 } });
  try {
    // obama/1: crop to just the face, as some ID-photo uploads are.
    const tight = await sharp(await readPhoto('obama', 1)).extract({ left: 360, top: 130, width: 270, height: 270 }).resize(150).jpeg().toBuffer();
    await expect(noRetry.analyse(tight)).rejects.toMatchObject({ reason: 'no_face' });
    const result = await engine.analyse(tight);
    expect(result.face.score).toBeGreaterThan(engine.detector.entry.minScore);
  } finally {
    await Promise.all([engine.close(), noRetry.close()]);
  }
});

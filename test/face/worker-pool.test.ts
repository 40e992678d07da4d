import './realm.ts';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { FaceWorkerPool } from '../../src/face/worker/pool.ts';
import { FaceImageError, FaceModelsUnavailableError, FaceQualityError } from '../../src/face/errors.ts';
import { tempDir } from '../helpers/services.ts';
import { createEngine, listPhotos, MODELS_DIR } from './helpers.ts';
import { readFile } from 'node:fs/promises';

// Inference in worker threads: same embeddings as in-process, typed errors across the thread
// boundary, and an event loop that stays free while photos are analysed.
let pool: FaceWorkerPool;

beforeAll(async () => {
  pool = await FaceWorkerPool.start({ size: 2, maxQueue: 64, engine: { modelDir: MODELS_DIR, threads: 1 } });
}, 60_000);

afterAll(async () => {
  await pool?.close();
});

test('workers give the same embeddings as the in-process engine', async () => {
  const engine = await createEngine();
  try {
    const bytes = await readFile((await listPhotos())[0]!.path);
    const [here, there] = await Promise.all([engine.analyse(bytes), pool.analyse(bytes)]);
    expect(there.modelId).toBe(here.modelId);
    let dot = 0;
    for (let i = 0; i < here.embedding.length; i++) dot += here.embedding[i]! * there.embedding[i]!;
    expect(dot).toBeGreaterThan(0.9999);
  } finally {
    await engine.close();
  }
});

test('refusals keep their class and reason across the thread boundary', async () => {
  await expect(pool.analyse(Buffer.from('not an image'))).rejects.toBeInstanceOf(FaceImageError);
  await expect(pool.analyse(Buffer.from([0xff, 0xd8, 0xff, 0, 1, 2, 3]))).rejects.toMatchObject({ reason: 'corrupt_image' });
  const sharp = (await import('sharp')).default;
  const blank = await sharp({ create: { width: 320, height: 240, channels: 3, background: '#808080' } }).png().toBuffer();
  await expect(pool.analyse(blank)).rejects.toBeInstanceOf(FaceQualityError);
});

test('the event loop stays responsive while photos are analysed', async () => {
  const photos = await Promise.all((await listPhotos()).slice(0, 12).map((p) => readFile(p.path)));
  const delay = monitorEventLoopDelay({ resolution: 5 });
  delay.enable();
  const started = performance.now();
  const results = await Promise.all(photos.map((p) => pool.analyse(p)));
  const elapsed = performance.now() - started;
  delay.disable();
  expect(results).toHaveLength(12);
  const maxMs = delay.max / 1e6;
  console.info(`12 photos in ${elapsed.toFixed(0)} ms on 2 workers; event-loop delay p99 ${(delay.percentile(99) / 1e6).toFixed(1)} ms, max ${maxMs.toFixed(1)} ms`);
  // In-process, each photo blocks the loop for tens of milliseconds; here only decoding hand-offs remain.
  expect(maxMs).toBeLessThan(100);
});

test('a full queue is refused with face_busy instead of growing without bound', async () => {
  const small = await FaceWorkerPool.start({ size: 1, maxQueue: 1, engine: { modelDir: MODELS_DIR, threads: 1 } });
  try {
    const bytes = await readFile((await listPhotos())[0]!.path);
    const first = small.analyse(bytes);
    const second = small.analyse(bytes);
    await expect(small.analyse(bytes)).rejects.toMatchObject({ reason: 'face_busy' });
    await Promise.all([first, second]);
  } finally {
    await small.close();
  }
});

test('missing models fail the start with models_unavailable', async () => {
  const empty = tempDir('pass-no-models-');
  try {
    await expect(FaceWorkerPool.start({ size: 1, maxQueue: 1, engine: { modelDir: empty.path, threads: 1 } })).rejects.toBeInstanceOf(FaceModelsUnavailableError);
  } finally {
    empty.remove();
  }
});

import { FaceUsageError } from '../../src/face/errors.ts';
import { FaceGallery } from '../../src/face/match/gallery.ts';
import { GalleryRegistry } from '../../src/face/match/registry.ts';
import { cosineSimilarity, l2normalize } from '../../src/face/match/vector.ts';

const unit = (...v: number[]) => l2normalize(Float32Array.from(v));

test('identify returns the best match, its score and the decision', () => {
  const g = new FaceGallery({ dimension: 3 });
  g.upsert('a', unit(1, 0, 0));
  g.upsert('b', unit(0, 1, 0));
  g.upsert('c', unit(1, 1, 0));
  const r = g.identify(unit(1, 0.1, 0), 0.9, 2);
  expect(r.best?.personId).toBe('a');
  expect(r.best?.score).toBeCloseTo(cosineSimilarity(unit(1, 0.1, 0), unit(1, 0, 0)), 6);
  expect(r.matched).toBe(true);
  expect(r.candidates.map((c) => c.personId)).toEqual(['a', 'c']);
  expect(g.identify(unit(0, 0, 1), 0.5).matched).toBe(false);
});

test('replace, remove and growth keep rows consistent', () => {
  const g = new FaceGallery({ dimension: 4, initialCapacity: 1 });
  for (let i = 0; i < 100; i++) g.upsert(`p${i}`, unit(i + 1, i % 7, 1, 0));
  g.upsert('p5', unit(0, 0, 0, 1));
  expect(g.identify(unit(0, 0, 0, 1), 0.99).best?.personId).toBe('p5');
  expect(g.size).toBe(100);
  expect(g.remove('p0')).toBe(true);
  expect(g.remove('p0')).toBe(false);
  expect(g.size).toBe(99);
  // p99 was moved into p0's row; it must still be found under its own id.
  expect(g.verify('p99', unit(100, 99 % 7, 1, 0), 0.999)?.matched).toBe(true);
  expect(g.has('p0')).toBe(false);
});

test('an empty gallery has no match and wrong lengths are refused', () => {
  const g = new FaceGallery({ dimension: 3 });
  expect(g.identify(unit(1, 0, 0), 0.1)).toEqual({ best: undefined, matched: false, threshold: 0.1, candidates: [] });
  expect(() => g.upsert('x', unit(1, 0))).toThrow(FaceUsageError);
});

test('the registry keeps galleries apart and removes a person from all of them', () => {
  const r = new GalleryRegistry({ dimension: 2 });
  r.upsert('facility-1', 'alice', unit(1, 0));
  r.upsert('facility-2', 'alice', unit(1, 0));
  r.upsert('facility-2', 'bob', unit(0, 1));
  expect(r.identify('facility-1', unit(0, 1), 0.5).matched).toBe(false);
  expect(r.identify('facility-2', unit(0, 1), 0.5).best?.personId).toBe('bob');
  expect(r.removePerson('alice')).toBe(2);
  expect(r.galleryIds()).toEqual(['facility-2']);
  expect(r.identify('unknown', unit(1, 0), 0.5).matched).toBe(false);
});

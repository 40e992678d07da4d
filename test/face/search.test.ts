import { FaceGallery } from '../../src/face/match/gallery.ts';
import { l2normalize } from '../../src/face/match/vector.ts';
import { createMemory, instantiateKernels, simdAvailable } from '../../src/face/match/simd-kernels.ts';

// The fast 1:N scans against the exact one: the int8 scan must return exactly the exact top-k
// (its error bound decides what is re-ranked); the binary prefilter must find genuine matches.
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
const random = seeded(7);
function unit(d: number): Float32Array {
  const v = new Float32Array(d);
  for (let j = 0; j < d; j++) v[j] = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  return l2normalize(v);
}
/** A probe at cosine ≈ c to `base`, like another photo of the same person. */
function near(base: Float32Array, c: number): Float32Array {
  const noise = unit(base.length);
  return l2normalize(base.map((x, i) => c * x + Math.sqrt(1 - c * c) * noise[i]!));
}

test('WebAssembly SIMD is available on this runtime', () => {
  expect(simdAvailable()).toBe(true);
});

test('the kernels compute exact int8 dot products and Hamming distances', () => {
  const memory = createMemory(2);
  const k = instantiateKernels(memory);
  const bytes = new Int8Array(memory.buffer);
  const rows = 3, stride = 128;
  for (let i = 0; i < rows * stride + stride; i++) bytes[i] = i % 2 ? 127 : -127 + (i % 255);
  k.dotI8(0, rows, stride, rows * stride, 8192);
  const dots = new Int32Array(memory.buffer, 8192, rows);
  const u8 = new Uint8Array(memory.buffer);
  k.hamming(0, rows, stride, rows * stride, 9000);
  const hamming = new Uint16Array(memory.buffer, 9000, rows);
  for (let r = 0; r < rows; r++) {
    let dot = 0, bits = 0;
    for (let i = 0; i < stride; i++) {
      dot += bytes[r * stride + i]! * bytes[rows * stride + i]!;
      let x = u8[r * stride + i]! ^ u8[rows * stride + i]!;
      while (x) { bits += x & 1; x >>= 1; }
    }
    expect(dots[r]).toBe(dot);
    expect(hamming[r]).toBe(bits);
  }
});

describe('on 10,000 templates of 512 values', () => {
  const d = 512;
  const gallery = new FaceGallery({ dimension: d, initialCapacity: 100 });
  const enrolled: Float32Array[] = [];

  beforeAll(() => {
    for (let i = 0; i < 10_000; i++) {
      const v = unit(d);
      if (i % 100 === 0) enrolled.push(v);
      gallery.upsert(`p${i}`, v);
    }
    // Churn: removals move rows, replacements rewrite codes; all three stores must stay aligned.
    for (let i = 1; i < 10_000; i += 97) if (i % 100 !== 0) gallery.remove(`p${i}`);
    for (let i = 50; i < 10_000; i += 1000) gallery.upsert(`p${i}`, unit(d));
    for (let i = 0; i < 10_000; i += 1000) gallery.upsert(`p${i}`, enrolled[i / 100]!);
  });

  test('int8 returns exactly the exact top-5, for genuine and for unrelated probes', () => {
    for (let q = 0; q < 60; q++) {
      const probe = q % 2 ? near(enrolled[q]!, 0.35 + (q % 5) * 0.1) : unit(d);
      const exact = gallery.identify(probe, 0.4, 5, 'exact');
      const int8 = gallery.identify(probe, 0.4, 5, 'int8');
      expect(int8.candidates.map((c) => c.personId)).toEqual(exact.candidates.map((c) => c.personId));
      int8.candidates.forEach((c, i) => expect(c.score).toBeCloseTo(exact.candidates[i]!.score, 10));
    }
  });

  test('binary finds every genuine probe at rank 1 with its exact score', () => {
    for (let q = 0; q < 100; q++) {
      const probe = near(enrolled[q % enrolled.length]!, 0.4 + (q % 6) * 0.08);
      const exact = gallery.identify(probe, 0.4, 1, 'exact');
      const binary = gallery.identify(probe, 0.4, 1, 'binary');
      expect(binary.best).toEqual(exact.best);
      expect(exact.best?.personId).toBe(`p${(q % enrolled.length) * 100}`);
    }
  });

  test('auto picks the scan by size', () => {
    expect(gallery.methodFor()).toBe('int8');
    expect(new FaceGallery({ dimension: 4 }).methodFor()).toBe('exact');
    expect(new FaceGallery({ dimension: 4, search: 'exact' }).methodFor('binary')).toBe('exact');
  });
});

/** 2x3 affine matrix [a, -b, tx; b, a, ty] of a similarity transform (scale, rotation, translation). */
export interface Similarity {
  a: number;
  b: number;
  tx: number;
  ty: number;
}

/** ArcFace 5-point template for a 112x112 crop: eyes, nose tip, mouth corners (eye on the left of the image first). */
export const ARCFACE_TEMPLATE_112: readonly number[] = [
  38.2946, 51.6963, 73.5318, 51.5014, 56.0252, 71.7366, 41.5493, 92.3655, 70.7299, 92.2041,
];

/**
 * Least-squares similarity transform mapping src points onto dst points (Umeyama 1991 restricted
 * to 2-D without reflection, which has this closed form). Points are flat [x0, y0, x1, y1, ...].
 */
export function estimateSimilarity(src: ArrayLike<number>, dst: ArrayLike<number>): Similarity {
  const n = src.length / 2;
  if (n < 2 || dst.length !== src.length) throw new Error('need at least two matching point pairs');
  let sx = 0, sy = 0, dx = 0, dy = 0;
  for (let i = 0; i < n; i++) {
    sx += src[2 * i]!;
    sy += src[2 * i + 1]!;
    dx += dst[2 * i]!;
    dy += dst[2 * i + 1]!;
  }
  sx /= n; sy /= n; dx /= n; dy /= n;
  let dot = 0, cross = 0, norm = 0;
  for (let i = 0; i < n; i++) {
    const x = src[2 * i]! - sx;
    const y = src[2 * i + 1]! - sy;
    const u = dst[2 * i]! - dx;
    const v = dst[2 * i + 1]! - dy;
    dot += x * u + y * v;
    cross += x * v - y * u;
    norm += x * x + y * y;
  }
  if (norm === 0) throw new Error('source points are all identical');
  const a = dot / norm;
  const b = cross / norm;
  return { a, b, tx: dx - (a * sx - b * sy), ty: dy - (b * sx + a * sy) };
}

export function applySimilarity(t: Similarity, x: number, y: number): [number, number] {
  return [t.a * x - t.b * y + t.tx, t.b * x + t.a * y + t.ty];
}

export function invertSimilarity(t: Similarity): Similarity {
  const d = t.a * t.a + t.b * t.b;
  const a = t.a / d;
  const b = -t.b / d;
  return { a, b, tx: -(a * t.tx - b * t.ty), ty: -(b * t.tx + a * t.ty) };
}

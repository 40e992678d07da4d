/**
 * The three 1:N scans over a gallery's rows (see docs/face.md, "Matching", for the measurements):
 *
 *   exact   every row, float32 dot products in JavaScript.
 *   int8    every row as int8 in WebAssembly SIMD, then exact re-ranking of every row whose
 *           score could still beat the k-th best: the quantisation error is bounded per query, so
 *           the result is the exact top-k, only faster.
 *   binary  one sign bit per component, Hamming distance in WebAssembly SIMD; the closest
 *           `candidates` rows (a few per cent) are scored in int8, and those the int8 error bound
 *           cannot exclude are re-ranked exactly: the exact top-k *of the candidates*.
 *           Approximate: a true best match can be missed when its Hamming distance ranks outside
 *           the candidates (recall@1 measured in the bench).
 */

/** Top-k kept sorted descending in two small typed arrays; k is tiny, so insertion is cheapest. */
export class TopK {
  readonly k: number;
  readonly scores: Float64Array;
  readonly rows: Int32Array;

  constructor(k: number) {
    this.k = k;
    this.scores = new Float64Array(k).fill(-Infinity);
    this.rows = new Int32Array(k).fill(-1);
  }

  get floor(): number {
    return this.scores[this.k - 1]!;
  }

  offer(row: number, s: number): void {
    if (s <= this.scores[this.k - 1]!) return;
    let j = this.k - 1;
    while (j > 0 && this.scores[j - 1]! < s) {
      this.scores[j] = this.scores[j - 1]!;
      this.rows[j] = this.rows[j - 1]!;
      j--;
    }
    this.scores[j] = s;
    this.rows[j] = row;
  }
}

/** Four accumulators let the JIT overlap the multiply-adds; this is the exact hot loop. */
export function dotRow(m: Float32Array, off: number, q: Float32Array, d: number): number {
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  let i = 0;
  for (; i + 3 < d; i += 4) {
    s0 += m[off + i]! * q[i]!;
    s1 += m[off + i + 1]! * q[i + 1]!;
    s2 += m[off + i + 2]! * q[i + 2]!;
    s3 += m[off + i + 3]! * q[i + 3]!;
  }
  for (; i < d; i++) s0 += m[off + i]! * q[i]!;
  return s0 + s1 + s2 + s3;
}

export function exactScan(m: Float32Array, n: number, d: number, q: Float32Array, top: TopK): void {
  for (let row = 0, off = 0; row < n; row++, off += d) {
    const s = dotRow(m, off, q, d);
    if (s > top.floor) top.offer(row, s);
  }
}

export function rerank(m: Float32Array, d: number, q: Float32Array, rows: Int32Array, count: number, top: TopK): void {
  for (let i = 0; i < count; i++) {
    const row = rows[i]!;
    top.offer(row, dotRow(m, row * d, q, d));
  }
}

export interface Int8Bound {
  /** Per-row int8 steps. */
  scales: Float32Array;
  /** Largest step and largest dequantised L1 norm over all rows (upper bounds kept as rows change). */
  maxScale: number;
  maxL1: number;
}

/**
 * From int8 dot products to the candidate rows that may be in the exact top-k. With x = s·x̂ + e and
 * q = t·q̂ + f (|e_i| ≤ s/2, |f_i| ≤ t/2): |x·q − s·t·x̂·q̂| ≤ (s/2)‖t·q̂‖₁ + (t/2)‖s·x̂‖₁ + d·s·t/4 =: B.
 * Row r can reach the top-k only if approx_r + B ≥ (k-th largest approx) − B.
 */
export function int8Candidates(
  dots: Int32Array,
  bound: Int8Bound,
  queryScale: number,
  queryL1: number,
  d: number,
  k: number,
  into: Int32Array,
): number {
  const { scales } = bound;
  const n = dots.length;
  const b = int8ErrorBound(bound, queryScale, queryL1, d);
  const best = new TopK(k);
  // One pass: a row is kept when it is within 2B of the k-th best *so far*. The k-th best only
  // rises, so this keeps a superset of the rows within 2B of the final k-th best; the few extra
  // are dropped below. (Two passes over 100,000 rows cost ~0.5 ms more per query.)
  let count = 0;
  for (let r = 0; r < n; r++) {
    const approx = dots[r]! * scales[r]! * queryScale;
    if (approx > best.floor) best.offer(r, approx);
    if (approx >= best.floor - 2 * b) {
      if (count === into.length) return -1; // bound too loose for the buffer: caller falls back to exact
      into[count++] = r;
    }
  }
  const cut = best.scores[Math.min(k, n) - 1]! - 2 * b;
  let kept = 0;
  for (let i = 0; i < count; i++) {
    const r = into[i]!;
    if (dots[r]! * scales[r]! * queryScale >= cut) into[kept++] = r;
  }
  return kept;
}

/** B above: the largest difference between an int8 score and the exact one, for this query. */
export function int8ErrorBound(bound: Int8Bound, queryScale: number, queryL1: number, d: number): number {
  return (bound.maxScale / 2) * queryL1 + (queryScale / 2) * bound.maxL1 + (d * bound.maxScale * queryScale) / 4 + 1e-6;
}

/**
 * Keeps, of `rows[0..count)` with int8 scores `approx`, those that can still reach the top-k
 * within ±b (compacted in place); returns how many.
 */
export function int8Subset(rows: Int32Array, approx: Float64Array, count: number, k: number, b: number): number {
  const best = new TopK(k);
  for (let i = 0; i < count; i++) if (approx[i]! > best.floor) best.offer(i, approx[i]!);
  const cut = best.scores[Math.min(k, count) - 1]! - 2 * b;
  let kept = 0;
  for (let i = 0; i < count; i++) if (approx[i]! >= cut) rows[kept++] = rows[i]!;
  return kept;
}

/** The `wanted` rows with the smallest Hamming distances (ties at the cut-off taken in row order). */
export function hammingCandidates(distances: Uint16Array, bits: number, wanted: number, into: Int32Array): number {
  const n = distances.length;
  if (wanted >= n) {
    for (let r = 0; r < n; r++) into[r] = r;
    return n;
  }
  const counts = new Uint32Array(bits + 1);
  for (let r = 0; r < n; r++) counts[distances[r]!]!++;
  let cut = 0;
  let below = 0;
  while (below + counts[cut]! < wanted) below += counts[cut++]!;
  let atCut = wanted - below;
  let count = 0;
  for (let r = 0; r < n; r++) {
    const h = distances[r]!;
    if (h < cut) into[count++] = r;
    else if (h === cut && atCut > 0) {
      into[count++] = r;
      atCut--;
    }
  }
  return count;
}

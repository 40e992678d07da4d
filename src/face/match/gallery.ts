import { FaceUsageError } from '../errors.ts';

export interface Match {
  personId: string;
  score: number;
}

export interface IdentifyResult {
  /** Best-scoring entry, whether or not it reaches the threshold; undefined for an empty gallery. */
  best: Match | undefined;
  /** True when best.score >= threshold. */
  matched: boolean;
  threshold: number;
  /** Highest scores first, at most topK entries. */
  candidates: Match[];
}

export interface VerifyResult {
  /** Cosine similarity; -1..1. */
  score: number;
  matched: boolean;
  threshold: number;
}

export interface GalleryOptions {
  dimension: number;
  /** Embeddings of other recognizers are refused; see FaceEngine.modelId. */
  modelId?: string;
  initialCapacity?: number;
}

/**
 * One template per person in a contiguous row-major Float32Array, searched exactly with dot
 * products (embeddings are L2-normalised, so dot = cosine). Removal moves the last row into the
 * hole, keeping the matrix dense so a scan touches only live rows.
 */
export class FaceGallery {
  readonly dimension: number;
  readonly modelId: string | undefined;
  private matrix: Float32Array;
  private ids: string[] = [];
  private readonly rowOf = new Map<string, number>();

  constructor(options: GalleryOptions) {
    if (!Number.isInteger(options.dimension) || options.dimension <= 0) throw new FaceUsageError('bad_dimension', 'dimension must be a positive integer');
    this.dimension = options.dimension;
    this.modelId = options.modelId;
    this.matrix = new Float32Array(Math.max(16, options.initialCapacity ?? 0) * this.dimension);
  }

  get size(): number {
    return this.ids.length;
  }

  has(personId: string): boolean {
    return this.rowOf.has(personId);
  }

  personIds(): readonly string[] {
    return this.ids;
  }

  /** Adds the person or replaces their template. */
  upsert(personId: string, embedding: Float32Array): void {
    this.checkLength(embedding);
    let row = this.rowOf.get(personId);
    if (row === undefined) {
      row = this.ids.length;
      this.ensureCapacity(row + 1);
      this.ids.push(personId);
      this.rowOf.set(personId, row);
    }
    this.matrix.set(embedding, row * this.dimension);
  }

  remove(personId: string): boolean {
    const row = this.rowOf.get(personId);
    if (row === undefined) return false;
    const last = this.ids.length - 1;
    if (row !== last) {
      const d = this.dimension;
      this.matrix.copyWithin(row * d, last * d, last * d + d);
      const moved = this.ids[last]!;
      this.ids[row] = moved;
      this.rowOf.set(moved, row);
    }
    this.ids.pop();
    this.rowOf.delete(personId);
    return true;
  }

  clear(): void {
    this.ids = [];
    this.rowOf.clear();
  }

  /** 1:1 — compares the probe with one person's template; undefined when the person is not enrolled. */
  verify(personId: string, probe: Float32Array, threshold: number): VerifyResult | undefined {
    this.checkLength(probe);
    const row = this.rowOf.get(personId);
    if (row === undefined) return undefined;
    const score = dotRow(this.matrix, row * this.dimension, probe, this.dimension);
    return { score, matched: score >= threshold, threshold };
  }

  /** 1:N — exact scan over every template. */
  identify(probe: Float32Array, threshold: number, topK = 1): IdentifyResult {
    this.checkLength(probe);
    const k = Math.max(1, Math.floor(topK));
    const d = this.dimension;
    const n = this.ids.length;
    // Top-k kept sorted descending in two small typed arrays; k is tiny so insertion is cheapest.
    const topScores = new Float64Array(k).fill(-Infinity);
    const topRows = new Int32Array(k).fill(-1);
    const m = this.matrix;
    for (let row = 0, off = 0; row < n; row++, off += d) {
      const s = dotRow(m, off, probe, d);
      if (s <= topScores[k - 1]!) continue;
      let j = k - 1;
      while (j > 0 && topScores[j - 1]! < s) {
        topScores[j] = topScores[j - 1]!;
        topRows[j] = topRows[j - 1]!;
        j--;
      }
      topScores[j] = s;
      topRows[j] = row;
    }
    const candidates: Match[] = [];
    for (let j = 0; j < k && topRows[j]! >= 0; j++) candidates.push({ personId: this.ids[topRows[j]!]!, score: topScores[j]! });
    const best = candidates[0];
    return { best, matched: best !== undefined && best.score >= threshold, threshold, candidates };
  }

  private checkLength(v: Float32Array): void {
    if (v.length !== this.dimension) {
      throw new FaceUsageError('embedding_length_mismatch', `embedding has ${v.length} values; this gallery holds ${this.dimension}`);
    }
  }

  private ensureCapacity(rows: number): void {
    if (rows * this.dimension <= this.matrix.length) return;
    const grown = new Float32Array(Math.max(rows, Math.ceil((this.matrix.length / this.dimension) * 1.5)) * this.dimension);
    grown.set(this.matrix.subarray(0, this.ids.length * this.dimension));
    this.matrix = grown;
  }
}

/** Four accumulators let the JIT overlap the multiply-adds; this is the 1:N hot loop. */
function dotRow(m: Float32Array, off: number, q: Float32Array, d: number): number {
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

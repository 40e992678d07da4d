import { FaceUsageError } from '../errors.ts';
import { CodeStore, dequantisedL1, int8Scale } from './code-store.ts';
import { dotRow, exactScan, hammingCandidates, int8Candidates, int8ErrorBound, int8Subset, rerank, TopK } from './search.ts';
import type { Int8Bound } from './search.ts';
import { simdAvailable } from './simd-kernels.ts';

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

/** How identify() scans; see search.ts. 'auto' picks by gallery size (AUTO_* below, from the bench). */
export type SearchMethod = 'exact' | 'int8' | 'binary' | 'auto';

/** Below this many rows the plain exact scan takes under a millisecond. */
export const AUTO_EXACT_BELOW = 1_024;
/** From this many rows the binary prefilter replaces the (exact) int8 scan; see docs/face.md. */
export const AUTO_BINARY_FROM = 50_000;

export interface GalleryOptions {
  dimension: number;
  /** Embeddings of other recognizers are refused; see FaceEngine.modelId. */
  modelId?: string;
  initialCapacity?: number;
  /** Default 'auto'. Without WebAssembly SIMD every method falls back to 'exact'. */
  search?: SearchMethod;
  /**
   * Binary prefilter: share of the rows (closest by Hamming distance) scored in int8 and re-ranked
   * (default 10 %, at least minCandidates): the share at which recall@1 reaches 99.9 % with
   * realistic strangers at 100,000 rows (1 %: 97.3 %, 5 %: 99.5 %; docs/face.md).
   */
  candidateFraction?: number;
  minCandidates?: number;
}

/**
 * One template per person in a contiguous row-major Float32Array (exact scores), mirrored as int8
 * and sign-bit codes in WebAssembly memory for the fast scans. Removal moves the last row into
 * the hole, keeping every array dense so a scan touches only live rows.
 */
export class FaceGallery {
  readonly dimension: number;
  readonly modelId: string | undefined;
  readonly search: SearchMethod;
  private readonly candidateFraction: number;
  private readonly minCandidates: number;
  private matrix: Float32Array;
  private ids: string[] = [];
  private readonly rowOf = new Map<string, number>();
  private readonly int8: CodeStore | undefined;
  private readonly signs: CodeStore | undefined;
  private readonly bound: Int8Bound;
  private scratch = new Int32Array(0);
  private approx = new Float64Array(0);

  constructor(options: GalleryOptions) {
    if (!Number.isInteger(options.dimension) || options.dimension <= 0) throw new FaceUsageError('bad_dimension', 'dimension must be a positive integer');
    this.dimension = options.dimension;
    this.modelId = options.modelId;
    this.search = options.search ?? 'auto';
    this.candidateFraction = options.candidateFraction ?? 0.1;
    this.minCandidates = options.minCandidates ?? 256;
    const capacity = Math.max(16, options.initialCapacity ?? 0);
    this.matrix = new Float32Array(capacity * this.dimension);
    this.bound = { scales: new Float32Array(capacity), maxScale: 0, maxL1: 0 };
    if (this.search !== 'exact' && simdAvailable()) {
      this.int8 = new CodeStore('int8', this.dimension, capacity);
      this.signs = new CodeStore('sign', this.dimension, capacity);
    }
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
    if (this.int8 && this.signs) {
      const scale = int8Scale(embedding);
      this.bound.scales[row] = scale;
      this.bound.maxScale = Math.max(this.bound.maxScale, scale);
      this.bound.maxL1 = Math.max(this.bound.maxL1, this.int8.write(row, embedding, scale) * scale);
      this.signs.write(row, embedding, 1);
    }
  }

  remove(personId: string): boolean {
    const row = this.rowOf.get(personId);
    if (row === undefined) return false;
    const last = this.ids.length - 1;
    if (row !== last) {
      const d = this.dimension;
      this.matrix.copyWithin(row * d, last * d, last * d + d);
      this.bound.scales[row] = this.bound.scales[last]!;
      this.int8?.move(last, row);
      this.signs?.move(last, row);
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

  /** The method identify() uses for the current size. */
  methodFor(requested: SearchMethod = this.search): Exclude<SearchMethod, 'auto'> {
    if (!this.int8) return 'exact';
    if (requested !== 'auto') return requested;
    const n = this.ids.length;
    return n < AUTO_EXACT_BELOW ? 'exact' : n < AUTO_BINARY_FROM ? 'int8' : 'binary';
  }

  /** 1:N — best match, its score and the decision; `method` overrides the gallery's (for benchmarks). */
  identify(probe: Float32Array, threshold: number, topK = 1, method?: SearchMethod): IdentifyResult {
    this.checkLength(probe);
    const k = Math.max(1, Math.floor(topK));
    const top = new TopK(k);
    const n = this.ids.length;
    const d = this.dimension;
    const chosen = this.methodFor(method);
    if (n > 0 && chosen === 'int8' && this.int8) {
      const queryScale = int8Scale(probe);
      const dots = this.int8.scan(probe, queryScale, n) as Int32Array;
      const count = int8Candidates(dots, this.bound, queryScale, dequantisedL1(probe, queryScale), d, k, this.scratchFor(n));
      if (count >= 0) rerank(this.matrix, d, probe, this.scratch, count, top);
      else exactScan(this.matrix, n, d, probe, top);
    } else if (n > 0 && chosen === 'binary' && this.signs) {
      const distances = this.signs.scan(probe, 1, n) as Uint16Array;
      const wanted = Math.max(k, this.minCandidates, Math.ceil(n * this.candidateFraction));
      let count = hammingCandidates(distances, this.signs.stride * 8, wanted, this.scratchFor(n));
      if (this.int8) count = this.int8Prune(probe, count, k);
      rerank(this.matrix, d, probe, this.scratch, count, top);
    } else {
      exactScan(this.matrix, n, d, probe, top);
    }
    const candidates: Match[] = [];
    for (let j = 0; j < k && top.rows[j]! >= 0; j++) candidates.push({ personId: this.ids[top.rows[j]!]!, score: top.scores[j]! });
    const best = candidates[0];
    return { best, matched: best !== undefined && best.score >= threshold, threshold, candidates };
  }

  /** Scores the binary candidates in int8 and keeps those its error bound cannot exclude from the top-k. */
  private int8Prune(probe: Float32Array, count: number, k: number): number {
    const int8 = this.int8!;
    const queryScale = int8Scale(probe);
    int8.setQuery(probe, queryScale);
    if (this.approx.length < count) this.approx = new Float64Array(Math.max(count, this.approx.length * 2));
    const { scales } = this.bound;
    const dots = int8.gatherDots(this.scratch, count);
    for (let i = 0; i < count; i++) this.approx[i] = dots[i]! * scales[this.scratch[i]!]! * queryScale;
    const b = int8ErrorBound(this.bound, queryScale, dequantisedL1(probe, queryScale), this.dimension);
    return int8Subset(this.scratch, this.approx, count, k, b);
  }

  private scratchFor(n: number): Int32Array {
    if (this.scratch.length < n) this.scratch = new Int32Array(Math.max(n, Math.ceil(this.scratch.length * 1.5)));
    return this.scratch;
  }

  private checkLength(v: Float32Array): void {
    if (v.length !== this.dimension) {
      throw new FaceUsageError('embedding_length_mismatch', `embedding has ${v.length} values; this gallery holds ${this.dimension}`);
    }
  }

  private ensureCapacity(rows: number): void {
    const capacity = this.matrix.length / this.dimension;
    if (rows <= capacity) return;
    const grownRows = Math.max(rows, Math.ceil(capacity * 1.5));
    const grown = new Float32Array(grownRows * this.dimension);
    grown.set(this.matrix.subarray(0, this.ids.length * this.dimension));
    this.matrix = grown;
    const scales = new Float32Array(grownRows);
    scales.set(this.bound.scales.subarray(0, this.ids.length));
    this.bound.scales = scales;
    this.int8?.ensureCapacity(grownRows, this.ids.length);
    this.signs?.ensureCapacity(grownRows, this.ids.length);
  }
}

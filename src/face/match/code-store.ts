import { createMemory, GATHER_GROUP, instantiateKernels, KERNEL_STRIDE } from './simd-kernels.ts';
import type { SimdKernels } from './simd-kernels.ts';

/**
 * Compact codes of a gallery's rows in WebAssembly memory, scanned by the SIMD kernels:
 *
 *   'int8'  one signed byte per component (per-row scale kept by the caller), stride = dim rounded up to 64
 *   'sign'  one bit per component (1 when > 0), stride = dim/8 rounded up to 64
 *
 * Layout of the memory: [query: stride bytes, 64-aligned][results: capacity × 4 bytes]
 * [row numbers to gather: capacity × 4 bytes][rows: capacity × stride].
 * Growing makes a new memory (×1.5) and copies the rows: WebAssembly memories only grow at the end.
 */
export type CodeKind = 'int8' | 'sign';

export class CodeStore {
  readonly kind: CodeKind;
  readonly dimension: number;
  readonly stride: number;
  private capacity = 0;
  private kernels!: SimdKernels;
  /** A view of the whole memory, made once per allocation (views of WebAssembly memory are costly to create). */
  private bytes!: Uint8Array;
  private ints!: Int32Array;
  private queryAt = 0;
  private outAt = 0;
  private idxAt = 0;
  private rowsAt = 0;

  constructor(kind: CodeKind, dimension: number, initialCapacity: number) {
    this.kind = kind;
    this.dimension = dimension;
    const bytes = kind === 'int8' ? dimension : Math.ceil(dimension / 8);
    this.stride = Math.ceil(bytes / KERNEL_STRIDE) * KERNEL_STRIDE;
    this.allocate(Math.max(64, initialCapacity), 0);
  }

  ensureCapacity(rows: number, liveRows: number): void {
    if (rows > this.capacity) this.allocate(Math.max(rows, Math.ceil(this.capacity * 1.5)), liveRows);
  }

  /** Writes row `row` from a float embedding; for int8 returns Σ|q̂| (times scale: the dequantised L1 norm). */
  write(row: number, embedding: Float32Array, scale: number): number {
    return encode(this.kind, embedding, scale, this.bytes, this.rowsAt + row * this.stride, this.stride);
  }

  move(from: number, to: number): void {
    this.bytes.copyWithin(this.rowsAt + to * this.stride, this.rowsAt + from * this.stride, this.rowsAt + (from + 1) * this.stride);
  }

  /** Encodes the query, scans `n` rows and returns a view of the per-row results (valid until the next call). */
  scan(query: Float32Array, queryScale: number, n: number): Int32Array | Uint16Array {
    const buffer = this.kernels.memory.buffer;
    encode(this.kind, query, queryScale, this.bytes, this.queryAt, this.stride);
    if (this.kind === 'int8') {
      this.kernels.dotI8(this.rowsAt, n, this.stride, this.queryAt, this.outAt);
      return new Int32Array(buffer, this.outAt, n);
    }
    this.kernels.hamming(this.rowsAt, n, this.stride, this.queryAt, this.outAt);
    return new Uint16Array(buffer, this.outAt, n);
  }

  /** int8 only: encodes the query for gatherDots(). */
  setQuery(query: Float32Array, queryScale: number): void {
    encode(this.kind, query, queryScale, this.bytes, this.queryAt, this.stride);
  }

  /**
   * int8 only: the int8 dot products of the rows listed in `rows[0..count)` with the query of the
   * last setQuery(), in one kernel call; returns a view valid until the next call.
   */
  gatherDots(rows: Int32Array, count: number): Int32Array {
    if (count === 0) return this.ints.subarray(0, 0);
    const at = this.idxAt >> 2;
    this.ints.set(rows.subarray(0, count), at);
    const padded = Math.ceil(count / GATHER_GROUP) * GATHER_GROUP; // the kernel takes whole groups
    for (let i = count; i < padded; i++) this.ints[at + i] = rows[count - 1]!;
    this.kernels.dotI8Gather(this.rowsAt, padded, this.stride, this.queryAt, this.outAt, this.idxAt);
    return this.ints.subarray(this.outAt >> 2, (this.outAt >> 2) + count);
  }

  private allocate(capacity: number, liveRows: number): void {
    const queryAt = 0;
    const outAt = Math.ceil(this.stride / 64) * 64;
    // Results and row numbers have room for a group more: the gather kernel pads to whole groups.
    const idxAt = outAt + Math.ceil(((capacity + GATHER_GROUP) * 4) / 64) * 64;
    const rowsAt = idxAt + Math.ceil(((capacity + GATHER_GROUP) * 4) / 64) * 64;
    const pages = Math.ceil((rowsAt + capacity * this.stride) / 65536) + 1;
    const kernels = instantiateKernels(createMemory(pages));
    if (this.kernels && liveRows > 0) {
      const old = new Uint8Array(this.kernels.memory.buffer, this.rowsAt, liveRows * this.stride);
      new Uint8Array(kernels.memory.buffer, rowsAt, liveRows * this.stride).set(old);
    }
    this.kernels = kernels;
    this.bytes = new Uint8Array(kernels.memory.buffer);
    this.ints = new Int32Array(kernels.memory.buffer);
    this.capacity = capacity;
    this.queryAt = queryAt;
    this.outAt = outAt;
    this.idxAt = idxAt;
    this.rowsAt = rowsAt;
  }
}

/** Largest absolute component divided by 127: the int8 step for this vector. */
export function int8Scale(v: Float32Array): number {
  let max = 0;
  for (let i = 0; i < v.length; i++) {
    const a = Math.abs(v[i]!);
    if (a > max) max = a;
  }
  return max > 0 ? max / 127 : 1;
}

/** Σ|round(v/scale)·scale|: the L1 norm of the dequantised vector, used in the error bound. */
export function dequantisedL1(v: Float32Array, scale: number): number {
  const inv = 1 / scale;
  let sum = 0;
  for (let i = 0; i < v.length; i++) {
    let q = ((v[i]! * inv + 128.5) | 0) - 128;
    q = q > 127 ? 127 : q < -127 ? -127 : q;
    sum += q < 0 ? -q : q;
  }
  return sum * scale;
}

/** One pass: int8 codes (returns Σ|q̂|) or sign bits, zero padding to the stride. */
function encode(kind: CodeKind, v: Float32Array, scale: number, out: Uint8Array, at: number, stride: number): number {
  out.fill(0, at, at + stride);
  const n = v.length;
  if (kind === 'sign') {
    for (let i = 0; i < n; i++) if (v[i]! > 0) out[at + (i >> 3)]! |= 1 << (i & 7);
    return 0;
  }
  const inv = 1 / scale;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    // Round half up through a positive offset: |0 truncates, which is much faster than Math.round.
    let q = ((v[i]! * inv + 128.5) | 0) - 128;
    q = q > 127 ? 127 : q < -127 ? -127 : q;
    out[at + i] = q;
    sum += q < 0 ? -q : q;
  }
  return sum;
}

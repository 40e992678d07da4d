/**
 * Two WebAssembly SIMD kernels for the 1:N scan, assembled here byte by byte (no toolchain, no
 * dependency; about 300 bytes). Both walk `n` rows of `stride` bytes (a multiple of 64) starting at
 * `rows`, compare each with the query at `query`, and write one result per row at `out`:
 *
 *   dotI8(rows, n, stride, query, out)     int8 × int8 dot products → int32 per row
 *   hamming(rows, n, stride, query, out)   popcount(row XOR query) → uint16 per row
 *
 * The int8 kernel multiplies with i16x8.extmul (exact: |a·b| ≤ 127² and two products fit in an
 * int16) and accumulates in int32, so the result is exact integer arithmetic.
 */

const I32 = 0x7f;
const V128 = 0x7b;

function uleb(value: number): number[] {
  const out: number[] = [];
  let v = value >>> 0;
  do {
    let byte = v & 0x7f;
    v >>>= 7;
    if (v !== 0) byte |= 0x80;
    out.push(byte);
  } while (v !== 0);
  return out;
}

function sleb(value: number): number[] {
  const out: number[] = [];
  let v = value | 0;
  for (;;) {
    const byte = v & 0x7f;
    v >>= 7;
    if ((v === 0 && (byte & 0x40) === 0) || (v === -1 && (byte & 0x40) !== 0)) {
      out.push(byte);
      return out;
    }
    out.push(byte | 0x80);
  }
}

const simd = (op: number, ...rest: number[]) => [0xfd, ...uleb(op), ...rest];
const get = (i: number) => [0x20, i];
const set = (i: number) => [0x21, i];
const tee = (i: number) => [0x22, i];
const i32const = (v: number) => [0x41, ...sleb(v)];
const ADD = 0x6a;
const MUL = 0x6c;
const LT_U = 0x49;
const GE_U = 0x4f;
const END = 0x0b;
const v128load = (offset: number) => simd(0x00, 0, ...uleb(offset));
const V128_ZERO = simd(0x0c, ...new Array<number>(16).fill(0));

// Parameters: 0 rows, 1 n, 2 stride, 3 query, 4 out. Locals: 5 rowsEnd, 6 j, 7 acc, 8 x, 9 y.
const P_ROWS = 0, P_N = 1, P_STRIDE = 2, P_QUERY = 3, P_OUT = 4;
const L_END = 5, L_J = 6, L_ACC = 7, L_X = 8, L_Y = 9;
const UNROLL = 4;

/** The loop skeleton shared by both kernels; `step(k)` consumes 16 bytes at j + 16k into acc. */
function rowLoop(step: (k: number) => number[], finish: number[]): number[] {
  const inner: number[] = [];
  for (let k = 0; k < UNROLL; k++) inner.push(...step(k));
  return [
    ...get(P_ROWS), ...get(P_N), ...get(P_STRIDE), MUL, ADD, ...set(L_END),
    0x02, 0x40, // block
    ...get(P_ROWS), ...get(L_END), GE_U, 0x0d, 0, // br_if 0: nothing to do
    0x03, 0x40, // loop rows
    ...V128_ZERO, ...set(L_ACC),
    ...i32const(0), ...set(L_J),
    0x03, 0x40, // loop inner
    ...inner,
    ...get(L_J), ...i32const(16 * UNROLL), ADD, ...tee(L_J), ...get(P_STRIDE), LT_U, 0x0d, 0,
    END,
    ...finish,
    ...get(P_ROWS), ...get(P_STRIDE), ADD, ...tee(P_ROWS), ...get(L_END), LT_U, 0x0d, 0,
    END,
    END,
  ];
}

const loadXY = (k: number) => [
  ...get(P_ROWS), ...get(L_J), ADD, ...v128load(16 * k), ...set(L_X),
  ...get(P_QUERY), ...get(L_J), ADD, ...v128load(16 * k), ...set(L_Y),
];

const lanesSum = [
  ...get(L_ACC), ...simd(0x1b, 0),
  ...get(L_ACC), ...simd(0x1b, 1), ADD,
  ...get(L_ACC), ...simd(0x1b, 2), ADD,
  ...get(L_ACC), ...simd(0x1b, 3), ADD,
];

const dotI8Body = rowLoop(
  (k) => [
    ...loadXY(k),
    ...get(L_X), ...get(L_Y), ...simd(0x9c), // i16x8.extmul_low_i8x16_s
    ...get(L_X), ...get(L_Y), ...simd(0x9d), // i16x8.extmul_high_i8x16_s
    ...simd(0x8e), // i16x8.add
    ...simd(0x7e), // i32x4.extadd_pairwise_i16x8_s
    ...get(L_ACC), ...simd(0xae), ...set(L_ACC), // i32x4.add
  ],
  [
    ...get(P_OUT), ...lanesSum, 0x36, 2, 0, // i32.store
    ...get(P_OUT), ...i32const(4), ADD, ...set(P_OUT),
  ],
);

const hammingBody = rowLoop(
  (k) => [
    ...loadXY(k),
    ...get(L_ACC), ...get(L_X), ...get(L_Y), ...simd(0x51), ...simd(0x62), ...simd(0x6e), ...set(L_ACC), // acc += popcnt(x ^ y)
  ],
  [
    ...get(L_ACC), ...simd(0x7d), ...simd(0x7f), ...set(L_ACC), // widen u8 → u16 → u32 pairwise
    ...get(P_OUT), ...lanesSum, 0x3b, 1, 0, // i32.store16
    ...get(P_OUT), ...i32const(2), ADD, ...set(P_OUT),
  ],
);

function section(id: number, payload: number[]): number[] {
  return [id, ...uleb(payload.length), ...payload];
}

function vec(items: number[][]): number[] {
  return [...uleb(items.length), ...items.flat()];
}

function name(text: string): number[] {
  const bytes = [...Buffer.from(text, 'utf8')];
  return [...uleb(bytes.length), ...bytes];
}

function functionBody(body: number[]): number[] {
  const locals = vec([[1, I32], [1, I32], [3, V128]]); // rowsEnd, j; acc, x, y
  const code = [...locals, ...body, END];
  return [...uleb(code.length), ...code];
}

function moduleBytes(): Uint8Array {
  const signature = [0x60, ...vec([[I32], [I32], [I32], [I32], [I32]]), 0];
  const bytes = [
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec([signature])),
    ...section(2, vec([[...name('env'), ...name('memory'), 0x02, 0x00, 0x01]])), // imported memory, min 1 page
    ...section(3, vec([[0], [0]])),
    ...section(7, vec([[...name('dotI8'), 0x00, 0], [...name('hamming'), 0x00, 1]])),
    ...section(10, vec([functionBody(dotI8Body), functionBody(hammingBody)])),
  ];
  return Uint8Array.from(bytes);
}

/** The few WebAssembly JS-API members used here (the project's TypeScript libs do not declare them). */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
}
interface WasmApi {
  Memory: new (descriptor: { initial: number }) => WasmMemory;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
}
const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

export function createMemory(pages: number): WasmMemory {
  return new wasm.Memory({ initial: pages });
}

export type KernelFn = (rows: number, n: number, stride: number, query: number, out: number) => void;

export interface SimdKernels {
  memory: WasmMemory;
  dotI8: KernelFn;
  hamming: KernelFn;
}

let compiled: object | undefined | null;

/** Row strides must be multiples of this many bytes. */
export const KERNEL_STRIDE = 16 * UNROLL;

/** Whether this runtime has WebAssembly SIMD; callers fall back to the JavaScript scan when not. */
export function simdAvailable(): boolean {
  if (compiled === undefined) {
    try {
      compiled = new wasm.Module(moduleBytes());
    } catch {
      compiled = null;
    }
  }
  return compiled !== null;
}

/** One instance per memory: each gallery owns its memory, so galleries grow independently. */
export function instantiateKernels(memory: WasmMemory): SimdKernels {
  if (!simdAvailable()) throw new Error('WebAssembly SIMD is not available');
  const instance = new wasm.Instance(compiled!, { env: { memory } });
  const exports = instance.exports as unknown as { dotI8: KernelFn; hamming: KernelFn };
  return { memory, dotI8: exports.dotI8, hamming: exports.hamming };
}

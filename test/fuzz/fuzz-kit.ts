// The deterministic fuzzing loop shared by test/fuzz: a seeded PRNG, a fixed number of cases per
// run (so CI time is bounded), and a failure message that says how to replay the one case.
//
//   FUZZ_SEED=<text>   another seed (default: the file's own, so CI is reproducible)
//   FUZZ_CASES=<n>     more or fewer cases than the file's default
//   FUZZ_CASE=<i>      run only case i of the seed (what a failure message tells you to run)
import { createHash } from 'node:crypto';

/** sfc32: small, fast, good enough statistically, and identical on every platform. */
export class Rng {
  #a: number;
  #b: number;
  #c: number;
  #d: number;

  constructor(seed: string) {
    const h = createHash('sha256').update(seed).digest();
    this.#a = h.readUInt32LE(0);
    this.#b = h.readUInt32LE(4);
    this.#c = h.readUInt32LE(8);
    this.#d = h.readUInt32LE(12);
    for (let i = 0; i < 12; i += 1) this.next();
  }

  /** A float in [0, 1). */
  next(): number {
    const t = (((this.#a + this.#b) | 0) + this.#d) | 0;
    this.#d = (this.#d + 1) | 0;
    this.#a = this.#b ^ (this.#b >>> 9);
    this.#b = (this.#c + (this.#c << 3)) | 0;
    this.#c = (this.#c << 21) | (this.#c >>> 11);
    this.#c = (this.#c + t) | 0;
    return (t >>> 0) / 4294967296;
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  range(min: number, max: number): number {
    return min + this.int(max - min + 1);
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('pick from nothing');
    return items[this.int(items.length)]!;
  }

  /** Weighted choice: [[weight, value], …]. */
  weighted<T>(items: ReadonlyArray<readonly [number, T]>): T {
    const total = items.reduce((sum, [w]) => sum + w, 0);
    let x = this.next() * total;
    for (const [w, v] of items) {
      x -= w;
      if (x < 0) return v;
    }
    return items.at(-1)![1];
  }

  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i += 1) out[i] = this.int(256);
    return out;
  }
}

export interface FuzzPlan {
  seed: string;
  cases: number;
  /** Only this case (FUZZ_CASE), for replaying a failure. */
  only: number | undefined;
}

export function fuzzPlan(defaultSeed: string, defaultCases: number): FuzzPlan {
  const cases = Number.parseInt(process.env.FUZZ_CASES ?? '', 10);
  const only = Number.parseInt(process.env.FUZZ_CASE ?? '', 10);
  return {
    seed: process.env.FUZZ_SEED || defaultSeed,
    cases: Number.isFinite(cases) && cases > 0 ? cases : defaultCases,
    only: Number.isFinite(only) && only >= 0 ? only : undefined,
  };
}

/** What a case did, for the failure message: the target and the mutations applied. */
export interface CaseLog {
  note(text: string): void;
  readonly notes: string[];
}

export class FuzzFailure extends Error {}

/**
 * Runs the plan's cases in order, each with its own PRNG derived from (seed, target, index), so
 * any case replays alone. Stops at the first failure with the seed, case and mutations in the message.
 */
export async function fuzz(
  target: string,
  plan: FuzzPlan,
  body: (rng: Rng, log: CaseLog, index: number) => Promise<void> | void,
): Promise<{ cases: number; ms: number }> {
  const started = performance.now();
  let ran = 0;
  for (let index = 0; index < plan.cases; index += 1) {
    if (plan.only !== undefined && index !== plan.only) continue;
    const notes: string[] = [];
    const log: CaseLog = { note: (text) => void notes.push(text.length > 300 ? `${text.slice(0, 300)}…` : text), notes };
    try {
      await body(new Rng(`${plan.seed}/${target}/${index}`), log, index);
    } catch (error) {
      throw new FuzzFailure(
        `fuzz ${target}: case ${index} failed — replay with FUZZ_SEED=${JSON.stringify(plan.seed)} FUZZ_CASE=${index}\n` +
          `  case: ${notes.join(' | ') || '(no notes)'}\n  ${describeError(error)}`,
      );
    }
    ran += 1;
  }
  return { cases: ran, ms: Math.round(performance.now() - started) };
}

/** Errors made by Node's own modules (fetch) come from another realm than jest's: no instanceof here. */
export function describeError(error: unknown): string {
  if (error instanceof FuzzFailure) return error.message;
  if (typeof error !== 'object' || error === null || !('message' in error)) return String(error);
  const e = error as { name?: string; message: string; stack?: string; cause?: { message?: string; code?: string } };
  const cause = e.cause ? ` (cause: ${e.cause.message ?? String(e.cause)} ${e.cause.code ?? ''})` : '';
  return `${e.name ?? 'Error'}: ${e.message}${cause}\n${e.stack ?? ''}`;
}

export function fail(message: string): never {
  throw new FuzzFailure(message);
}

/** Rejects when a promise takes longer than ms: the "no hang" assertion for asynchronous targets. */
export async function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new FuzzFailure(`${what} did not finish within ${ms} ms (hang)`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

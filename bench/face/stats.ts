export interface LatencyStats {
  medianMs: number;
  p99Ms: number;
  meanMs: number;
  runs: number;
}

export const round = (x: number): number => Math.round(x * 100) / 100;

/** Nearest-rank percentiles. */
export function stats(times: number[]): LatencyStats {
  const sorted = [...times].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
  return { medianMs: round(at(0.5)), p99Ms: round(at(0.99)), meanMs: round(times.reduce((a, b) => a + b, 0) / times.length), runs: times.length };
}

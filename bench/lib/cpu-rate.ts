/**
 * Throughput of one operation on one core: the operation run one after another for the measurement
 * time, `rounds` times; the median round by CPU. "Per CPU-second" counts every thread of this process
 * (the crypto thread pool, GC), so it holds on a busy machine and never credits a second core.
 */
import type { BenchContext } from '../types.ts';

export interface Rate {
  perCpuSecond: number;
  perWallSecond: number;
  /** Milliseconds per operation, sorted. */
  latencies: number[];
}

export function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export async function measureRate(ctx: Pick<BenchContext, 'durationSeconds' | 'rounds' | 'log'>, what: string, op: (n: number) => Promise<unknown>): Promise<Rate> {
  const rounds: Rate[] = [];
  for (let round = 0; round < ctx.rounds; round++) {
    const latencies: number[] = [];
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const deadline = t0 + ctx.durationSeconds * 1000;
    let n = 0;
    while (performance.now() < deadline) {
      const s = performance.now();
      await op(n);
      latencies.push(performance.now() - s);
      n += 1;
    }
    const wallSeconds = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const cpuSeconds = (cpu.user + cpu.system) / 1e6;
    rounds.push({ perCpuSecond: n / cpuSeconds, perWallSecond: n / wallSeconds, latencies: latencies.sort((a, b) => a - b) });
    ctx.log(`${what}, round ${round + 1}: ${n}, ${(n / wallSeconds).toFixed(0)}/s wall, ${(n / cpuSeconds).toFixed(0)}/CPU-s (${(cpuSeconds / wallSeconds).toFixed(2)} cores busy)`);
  }
  return [...rounds].sort((a, b) => a.perCpuSecond - b.perCpuSecond)[Math.floor(rounds.length / 2)]!;
}

import type { ScenarioResult } from '../types.ts';

type Ratio = ScenarioResult['ratios'][number];

function num(value: number | undefined, digits: number): string {
  return value === undefined || !Number.isFinite(value) ? '—' : value.toFixed(digits);
}

/** PASS or MISS against the goal; '—' where a ratio is reported without one. */
export function verdict(ratio: Ratio): string {
  if (ratio.goal === undefined || !Number.isFinite(ratio.value)) return '—';
  const higher = ratio.higherIsBetter ?? true;
  return (higher ? ratio.value >= ratio.goal : ratio.value <= ratio.goal) ? 'PASS' : 'MISS';
}

function table(header: string[], rows: string[][], rightAligned: Set<number>): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (rightAligned.has(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)];
}

/** The readable block for one scenario: its measurements, then its ratios with goal and verdict. */
export function formatResult(result: ScenarioResult): string {
  const lines = [`== ${result.name}`];
  // The CPU column only where a scenario measured it, so other scenarios' tables stay narrow.
  const cpu = result.measurements.some((m) => m.cpuMsPerOp !== undefined);
  lines.push(
    ...table(
      ['', 'throughput/s', 'p50 ms', 'p99 ms', ...(cpu ? ['server CPU ms/op'] : [])],
      result.measurements.map((m) => [
        m.label,
        num(m.throughput, 0),
        num(m.p50Ms, 1),
        num(m.p99Ms, 1),
        ...(cpu ? [num(m.cpuMsPerOp, 3)] : []),
      ]),
      new Set([1, 2, 3, 4]),
    ),
  );
  if (result.ratios.length) {
    lines.push('');
    lines.push(
      ...table(
        ['ratio', 'value', 'goal', ''],
        result.ratios.map((r) => {
          const goal = r.goal === undefined ? '—' : `${(r.higherIsBetter ?? true) ? '>=' : '<='} ${r.goal}`;
          return [r.label, num(r.value, 2), goal, verdict(r)];
        }),
        new Set([1]),
      ),
    );
  }
  for (const note of result.notes ?? []) lines.push(`  · ${note}`);
  return lines.join('\n');
}

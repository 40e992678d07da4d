// The soak's short mode (bench/soak.ts --short, 60 s): mixed load on two nodes while memory and the
// database are sampled. In CI it proves the soak runs and catches gross leaks, lost check-ins and
// unclean errors; the 10-minute run (`node bench/soak.ts`) judges slow growth.
import { runSoak } from '../../bench/lib/soak.ts';

test('60 s of mixed load: memory and database bounded, every check-in once, no unclean error', async () => {
  const result = await runSoak({ seconds: 60 });
  // Each measured value against its limit (the notes, with the first problems, explain a failure).
  expect(result.checks.length).toBeGreaterThan(0);
  const overLimit = result.checks.filter((c) => !(Number.isFinite(c.value) && c.value <= c.limit)).map((c) => `${c.label}: ${c.value} ${c.unit} > ${c.limit}`);
  expect(overLimit.length ? [...overLimit, ...result.notes] : []).toEqual([]);
  expect(result.checks.every((c) => c.ok)).toBe(true);
  expect({ timeouts: result.load.timeouts, problems: result.load.problems }).toEqual({ timeouts: 0, problems: 0 });
  // The samples are a time series: later samples are later, and successful operations only add up.
  for (const [previous, sample] of result.samples.slice(1).map((s, i) => [result.samples[i]!, s] as const)) {
    expect(sample.t).toBeGreaterThan(previous.t);
    for (const kind of ['login', 'machine', 'refresh', 'checkin'] as const) expect(sample.ops[kind]).toBeGreaterThanOrEqual(previous.ops[kind]);
  }
  // The load really ran: every kind of operation, many times.
  for (const kind of ['login', 'machine', 'refresh', 'checkin'] as const) expect(result.samples.at(-1)!.ops[kind]).toBeGreaterThan(10);
}, 150_000);

// The soak's short mode (bench/soak.ts --short, 60 s): mixed load on two nodes while memory and the
// database are sampled. In CI it proves the soak runs and catches gross leaks, lost check-ins and
// unclean errors; the 10-minute run (`node bench/soak.ts`) judges slow growth.
import { runSoak } from '../../bench/lib/soak.ts';

test('60 s of mixed load: memory and database bounded, every check-in once, no unclean error', async () => {
  const result = await runSoak({ seconds: 60 });
  const failed = result.checks.filter((c) => !c.ok);
  expect({ failed, notes: result.notes }).toEqual({ failed: [], notes: result.notes });
  // The load really ran: every kind of operation, many times.
  for (const kind of ['login', 'machine', 'refresh', 'checkin'] as const) expect(result.samples.at(-1)!.ops[kind]).toBeGreaterThan(10);
}, 150_000);

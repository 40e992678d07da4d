/**
 * `node bench/soak.ts [--minutes N | --short] [--nodes N] [--json FILE]`: the soak of issue #10
 * (bench/lib/soak.ts). 10 minutes by default; --short runs 60 s (what CI runs, through
 * test/reliability/soak.test.ts). Exits 1 when memory or the database grows without bound.
 */
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { runSoak } from './lib/soak.ts';

const { values } = parseArgs({
  options: { minutes: { type: 'string' }, short: { type: 'boolean' }, nodes: { type: 'string' }, json: { type: 'string' } },
});
const seconds = values.short ? 60 : Math.round(Number(values.minutes ?? '10') * 60);
if (!Number.isFinite(seconds) || seconds < 30) {
  process.stderr.write('--minutes must be at least 0.5\n');
  process.exit(2);
}
const result = await runSoak({ seconds, nodes: Number(values.nodes ?? '2'), log: (line) => process.stdout.write(`${line}\n`) });
for (const check of result.checks) {
  process.stdout.write(`${check.ok ? 'PASS' : 'FAIL'}  ${check.label}: ${check.value.toFixed(3)} ${check.unit} (limit ${check.limit})\n`);
}
for (const note of result.notes) process.stdout.write(`${note}\n`);
if (values.json) await writeFile(values.json, JSON.stringify(result, null, 1));
const failed = result.checks.filter((c) => !c.ok).length;
process.stdout.write(failed ? `soak: ${failed} of ${result.checks.length} checks failed\n` : `soak: all ${result.checks.length} checks hold\n`);
process.exit(result.ok ? 0 : 1);

import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { TEST_DATABASE_URL, TEST_REDIS_URL } from '../helpers/services.ts';

const REPO_ROOT = path.resolve(import.meta.dirname, '../..');
const withServices = TEST_DATABASE_URL && TEST_REDIS_URL ? describe : describe.skip;

/** One scenario's printed block (bench/lib/report.ts): its measurements table and its ratios table. */
function printedBlock(stdout: string, scenario: string): { measurements: string[]; ratios: string[] } {
  const lines = stdout.split('\n');
  const start = lines.indexOf(`== ${scenario}`);
  expect(start).toBeGreaterThanOrEqual(0);
  const rest = lines.slice(start + 1);
  const blank = rest.indexOf('');
  const ratios = rest.slice(blank + 1);
  return { measurements: rest.slice(0, blank), ratios: ratios.slice(0, ratios.findIndex((l) => !l || l.startsWith('  ·'))) };
}

/**
 * `npm run bench` is not asserted on its figures (a shared CI machine makes them noise); this
 * shows that the harness runs the first scenario end to end and prints the ratio it exists for.
 */
withServices('the benchmark harness', () => {
  test('runs client-credentials --quick and prints the PASS / bare oidc-provider ratio', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ['bench/run.ts', 'client-credentials', '--quick'], {
      cwd: REPO_ROOT,
      env: { ...process.env, TEST_DATABASE_URL, TEST_REDIS_URL, BENCH_DATABASE_URL: '', BENCH_REDIS_URL: '' },
      timeout: 90_000,
      maxBuffer: 10 * 1024 * 1024,
    });
    const line = stdout.split('\n').find((l) => /^PASS \/ bare oidc-provider\s+\d/.test(l));
    expect(line).toBeDefined();
    const ratio = Number(/^PASS \/ bare oidc-provider\s+([\d.]+)/.exec(line!)![1]);
    expect(ratio).toBeGreaterThan(0);
    expect(stdout).toMatch(/PASS \(PostgreSQL \+ Redis\)\s+\d+/);
    expect(stdout).toMatch(/bare oidc-provider \(in-memory\)\s+\d+/);

    const block = printedBlock(stdout, 'client-credentials');
    // The measurements table: a header, a rule under each column, one row per target with a figure in each column.
    const [header, rule, ...rows] = block.measurements;
    const columns = header!.trim().split(/\s{2,}/);
    expect(columns.slice(0, 3)).toEqual(['throughput/s', 'p50 ms', 'p99 ms']);
    expect(rule!.split(/\s+/).filter(Boolean)).toHaveLength(columns.length + 1);
    expect(rows.map((row) => row.split(/\s{2,}/)[0])).toEqual(['PASS (PostgreSQL + Redis)', 'bare oidc-provider (in-memory)']);
    const throughput: number[] = [];
    for (const row of rows) {
      const figures = row.split(/\s{2,}/).slice(1);
      expect(figures).toHaveLength(columns.length);
      for (const figure of figures) expect(figure).toMatch(/^\d+(\.\d+)?$/);
      throughput.push(Number(figures[0]));
    }
    const [passRate, bareRate] = throughput as [number, number];
    expect(passRate).toBeGreaterThan(0);
    expect(bareRate).toBeGreaterThan(0);
    // The ratio is the one the table's figures give (they are printed rounded to whole requests).
    const tolerance = 0.006 + (passRate / bareRate) * (0.5 / passRate + 0.5 / bareRate);
    expect(Math.abs(ratio - passRate / bareRate)).toBeLessThanOrEqual(tolerance);
    // The goal line: the throughput ratio states its goal and a verdict.
    const goalLine = block.ratios.find((l) => l.startsWith('PASS / bare oidc-provider ') && !/latency|CPU/.test(l));
    expect(goalLine).toMatch(/^PASS \/ bare oidc-provider\s+\d+\.\d{2}\s+>= 0\.8\s+(PASS|MISS)$/);
  }, 90_000);

  test('runs wallet --quick: credential issuance and offline presentation verification per core-second beside ID token signing, each with its goal', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ['bench/run.ts', 'wallet', '--quick'], {
      cwd: REPO_ROOT,
      env: { ...process.env, TEST_DATABASE_URL, TEST_REDIS_URL, BENCH_DATABASE_URL: '', BENCH_REDIS_URL: '' },
      timeout: 90_000,
      maxBuffer: 10 * 1024 * 1024,
    });
    const block = printedBlock(stdout, 'wallet');
    const rows = block.measurements.slice(2).map((row) => row.split(/\s{2,}/));
    const rate = (label: RegExp) => Number(rows.find(([name]) => label.test(name!))?.[1]);
    expect(rate(/^age credential issuance, one core/)).toBeGreaterThan(0);
    expect(rate(/^offline presentation verification, one core/)).toBeGreaterThan(0);
    expect(rate(/^baseline: ID token signing/)).toBeGreaterThan(0);
    expect(block.ratios.find((l) => l.startsWith('credential issuances per core-second / 200'))).toMatch(/\s>= 1\s+(PASS|MISS)$/);
    expect(block.ratios.find((l) => l.startsWith('presentation verifications per core-second / 1,000'))).toMatch(/\s>= 1\s+(PASS|MISS)$/);
    // The revoked credential in the set was refused, so every verification did look up its status.
    expect(stdout).toContain('a credential whose status bit is set is refused: credential_revoked');
  }, 90_000);
});

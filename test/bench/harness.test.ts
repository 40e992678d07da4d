import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { TEST_DATABASE_URL, TEST_REDIS_URL } from '../helpers/services.ts';

const REPO_ROOT = path.resolve(import.meta.dirname, '../..');
const withServices = TEST_DATABASE_URL && TEST_REDIS_URL ? describe : describe.skip;

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
  }, 90_000);
});

/**
 * `npm run bench [-- <scenario>...] [--quick] [--json] [--duration S] [--rounds N] [--profile]`
 *
 * Runs the scenarios in bench/scenarios/ against real PostgreSQL and Redis, each on a fresh
 * database, and prints their figures and ratios. Goals are reported, not asserted: a missed goal
 * exits 0; only a harness or scenario failure exits non-zero.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { BenchContext, ScenarioResult } from './types.ts';
import { discoverScenarios } from './lib/discover.ts';
import { formatResult, verdict } from './lib/report.ts';
import { createScratchDatabase, resolveServices } from './lib/services.ts';

const RESULTS_DIR = path.resolve(import.meta.dirname, 'results');

const USAGE = `usage: npm run bench -- [scenario...] [options]
  --quick          short measurements (checks the harness works; the figures mean little)
  --json           also write bench/results/<timestamp>.json
  --duration S     seconds per measurement (default 10, quick 1)
  --rounds N       alternating rounds per comparison, median reported (default 3, quick 1)
  --profile        start servers under test with --cpu-prof into bench/results/profiles-<timestamp>/
  --list           list the scenarios and exit`;

function positiveInt(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a whole number of 1 or more`);
  return n;
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      quick: { type: 'boolean' },
      json: { type: 'boolean' },
      duration: { type: 'string' },
      rounds: { type: 'string' },
      profile: { type: 'boolean' },
      list: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const scenarios = await discoverScenarios(positionals);
  if (values.list) {
    for (const s of scenarios) process.stdout.write(`${s.name.padEnd(24)} ${s.description}\n`);
    return 0;
  }
  if (scenarios.length === 0) throw new Error('no scenarios in bench/scenarios/');
  const quick = values.quick ?? false;
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const durationSeconds = positiveInt(values.duration, 'duration', quick ? 1 : 10);
  const rounds = positiveInt(values.rounds, 'rounds', quick ? 1 : 3);
  const profileDir = values.profile ? path.join(RESULTS_DIR, `profiles-${stamp}`) : undefined;
  if (profileDir) mkdirSync(profileDir, { recursive: true });

  const services = await resolveServices();
  const cpus = os.cpus();
  process.stdout.write(
    `PASS benchmarks: ${scenarios.map((s) => s.name).join(', ')}${quick ? ' (quick)' : ''}\n` +
      `machine: ${cpus.length} × ${cpus[0]?.model.trim() ?? 'cpu'}, node ${process.version}; services from ${services.source}\n\n`,
  );

  const results: ScenarioResult[] = [];
  const failures: Array<{ scenario: string; error: string }> = [];
  for (const scenario of scenarios) {
    process.stdout.write(`-- ${scenario.name}: ${scenario.description}\n`);
    const started = performance.now();
    const database = await createScratchDatabase(services.databaseUrl);
    const ctx: BenchContext = {
      databaseUrl: database.url,
      redisUrl: services.redisUrl,
      durationSeconds,
      quick,
      rounds,
      ...(profileDir ? { profileDir } : {}),
      log: (line) => process.stdout.write(`   ${line}\n`),
    };
    try {
      const result = await scenario.run(ctx);
      results.push(result);
      process.stdout.write(`\n${formatResult(result)}\n  (${((performance.now() - started) / 1000).toFixed(0)} s)\n\n`);
    } catch (error) {
      const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
      failures.push({ scenario: scenario.name, error: message });
      process.stderr.write(`\n!! ${scenario.name} failed: ${message}\n\n`);
    } finally {
      await database.drop().catch((error: unknown) => process.stderr.write(`could not drop ${database.url}: ${String(error)}\n`));
    }
  }

  if (values.json) {
    mkdirSync(RESULTS_DIR, { recursive: true });
    const file = path.join(RESULTS_DIR, `${stamp}.json`);
    const machine = { cpus: cpus.length, cpuModel: cpus[0]?.model.trim(), node: process.version, platform: `${os.platform()} ${os.release()}` };
    const withVerdicts = results.map((r) => ({ ...r, ratios: r.ratios.map((ratio) => ({ ...ratio, verdict: verdict(ratio) })) }));
    writeFileSync(file, `${JSON.stringify({ startedAt: stamp, quick, durationSeconds, rounds, machine, results: withVerdicts, failures }, null, 2)}\n`);
    process.stdout.write(`results written to ${path.relative(process.cwd(), file)}\n`);
  }
  if (profileDir) process.stdout.write(`CPU profiles in ${path.relative(process.cwd(), profileDir)} (open in Chrome DevTools, or node bench/profile-summary.ts <file>)\n`);
  if (failures.length) process.stderr.write(`${failures.length} scenario(s) failed: ${failures.map((f) => f.scenario).join(', ')}\n`);
  return failures.length ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`bench: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);

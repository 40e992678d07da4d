/**
 * The contract between `npm run bench` (bench/run.ts) and its scenarios. A scenario measures PASS
 * and, where it has one, a baseline in the same run, so the ratio holds on any machine.
 */
export interface BenchContext {
  /** PostgreSQL and Redis for PASS under test (bench/run.ts starts them when not given). */
  databaseUrl: string;
  redisUrl: string;
  /** Seconds per measurement; small in --quick mode (CI checks the harness, not the figures). */
  durationSeconds: number;
  quick: boolean;
  /** How many measurement rounds a comparing scenario alternates over (it reports their median). */
  rounds: number;
  /** Set by --profile: start servers under test with `--cpu-prof --cpu-prof-dir=<profileDir>`. */
  profileDir?: string;
  log(line: string): void;
}

export interface Measurement {
  label: string;
  /** Operations per second. */
  throughput: number;
  p50Ms?: number;
  p99Ms?: number;
  /** CPU milliseconds the server process spent per operation (user + system), where measured. */
  cpuMsPerOp?: number;
}

export interface ScenarioResult {
  name: string;
  measurements: Measurement[];
  /** e.g. { label: 'PASS / bare oidc-provider', value: 0.86, goal: 0.8, higherIsBetter: true } */
  ratios: Array<{ label: string; value: number; goal?: number; higherIsBetter?: boolean }>;
  notes?: string[];
}

export interface Scenario {
  name: string;
  description: string;
  run(ctx: BenchContext): Promise<ScenarioResult>;
}

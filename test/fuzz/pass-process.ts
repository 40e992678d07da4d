// PASS as its own process (`node src/main.ts`, as an operator runs it) for the HTTP fuzzers: a crash
// is an exit the test sees rather than the end of jest, a hang is a request timeout rather than a
// frozen test, and its pino output at debug level is kept whole, to be scanned for secrets.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { freePort, REPO_ROOT } from '../helpers/pass.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface PassProcess {
  issuer: string;
  alive(): boolean;
  /** Every line PASS wrote on stdout and stderr so far. */
  output(): string;
  /** How it ended, when it did (a crash under fuzzing is a finding). */
  exit(): string | undefined;
  stop(): Promise<void>;
}

/** Env of the fuzzed PASS: debug logs, and a per-IP limit that lets every case reach the code under test. */
export function fuzzEnv(port: number, env: Record<string, string>): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: 'test',
    HOST: '127.0.0.1',
    PORT: String(port),
    ISSUER: `http://127.0.0.1:${port}`,
    PASS_DEMO_DATA: 'false',
    LOG_LEVEL: 'debug',
    RATE_LIMIT_PER_IP: '1000000',
    ...env,
  };
}

export async function startPassProcess(env: Record<string, string>, port?: number): Promise<PassProcess> {
  const chosen = port ?? (await freePort());
  const child: ChildProcess = spawn(process.execPath, [path.join(REPO_ROOT, 'src/main.ts')], {
    cwd: REPO_ROOT,
    env: fuzzEnv(chosen, env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const chunks: string[] = [];
  child.stdout!.on('data', (d: Buffer) => chunks.push(d.toString()));
  child.stderr!.on('data', (d: Buffer) => chunks.push(d.toString()));
  let ended: string | undefined;
  const exited = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      ended = `exit code ${code} signal ${signal}`;
      resolve();
    }),
  );
  const alive = () => ended === undefined;
  const issuer = `http://127.0.0.1:${chosen}`;
  const pass: PassProcess = {
    issuer,
    alive,
    output: () => chunks.join(''),
    exit: () => ended,
    async stop() {
      if (!alive()) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(timer);
    },
  };
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (!alive()) throw new Error(`PASS exited before it was ready (${ended}):\n${pass.output().slice(-4000)}`);
    const ok = await fetch(`${issuer}/healthz`, { signal: AbortSignal.timeout(1000) }).then(
      async (r) => (await r.arrayBuffer(), r.ok),
      () => false,
    );
    if (ok) return pass;
    await sleep(100);
  }
  await pass.stop();
  throw new Error(`PASS not ready at ${issuer} within 60 s:\n${pass.output().slice(-4000)}`);
}

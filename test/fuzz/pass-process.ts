// PASS as its own process (`node clients/main.ts`, as `npm start` runs it) for the HTTP fuzzers: a crash
// is an exit the test sees rather than the end of jest, a hang is a request timeout rather than a
// frozen test, and its pino output at debug level is kept whole, to be scanned for secrets.
import { freePort } from '../helpers/pass.ts';
import { startNode, type PassNode } from '../helpers/cluster.ts';

export interface PassProcess extends Omit<PassNode, 'output'> {
  issuer: string;
  /** Every line PASS wrote on stdout and stderr so far. */
  output(): string;
}

/** Debug logs, and a per-IP limit that lets every case reach the code under test. */
const FUZZ_ENV = { LOG_LEVEL: 'debug', RATE_LIMIT_PER_IP: '1000000' };

export async function startPassProcess(env: Record<string, string>, port?: number): Promise<PassProcess> {
  const chosen = port ?? (await freePort());
  const issuer = `http://127.0.0.1:${chosen}`;
  const chunks: string[] = [];
  const node = await startNode(issuer, { ...FUZZ_ENV, ...env }, chosen, { onOutput: (chunk) => chunks.push(chunk), readyWithinMs: 60_000 });
  return { ...node, issuer, output: () => chunks.join('') };
}

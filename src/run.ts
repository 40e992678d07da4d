import cluster from 'node:cluster';
import { loadConfig, type Config } from './config/load-config.ts';
import { createLogger } from './core/logger.ts';
import { describeFailure } from './core/fatal.ts';
import { prepareDeployment } from './prepare.ts';
import { startServer, type PassServer } from './server.ts';
import type { CapabilityFactory } from './capability.ts';
import { checkOrder } from './composition.ts';
import { answerWorkerScrapes } from './core/metrics.ts';

function fail(error: unknown): never {
  for (const line of describeFailure(error)) process.stderr.write(`PASS cannot start: ${line}\n`);
  process.exit(1);
}

/**
 * The first SIGTERM or SIGINT starts a graceful stop; later ones while it runs are ignored rather
 * than killing PASS mid-shutdown: `npm start` delivers a supervisor's signal twice (to the process
 * group, and forwarded by src/cli/node24.mjs), and the stop is bounded by its own timeout anyway.
 */
function onSignals(stop: () => Promise<void>): void {
  let stopping = false;
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      if (stopping) return;
      stopping = true;
      stop().then(
        () => process.exit(0),
        () => process.exit(1),
      );
    });
  }
}

async function serve(config: Config, capabilities: readonly CapabilityFactory[]): Promise<void> {
  let running: PassServer;
  try {
    running = await startServer(config, createLogger(config.logLevel, cluster.isWorker ? { worker: cluster.worker?.id } : {}), {
      seed: !cluster.isWorker,
      capabilities,
      clusterWorker: cluster.isWorker,
    });
  } catch (error) {
    fail(error);
  }
  onSignals(() => running.close());
}

/**
 * Several workers share the port (node:cluster) so one machine's cores all serve; the primary
 * prepares the database once, starts them, restarts one that dies, and stops them on a signal.
 */
async function supervise(config: Config): Promise<void> {
  const log = createLogger(config.logLevel, { role: 'primary' });
  try {
    await prepareDeployment(config, log);
  } catch (error) {
    fail(error);
  }
  let stopping = false;
  let ready = 0;
  const fork = () => cluster.fork();
  // A worker's /metrics reports the whole node: this process gathers every worker's series for it.
  answerWorkerScrapes();
  cluster.on('listening', () => {
    ready += 1;
    if (ready === config.workers) log.info({ workers: config.workers }, 'all workers listening');
  });
  cluster.on('exit', (worker, code) => {
    if (stopping) return;
    log.error({ worker: worker.id, code }, 'worker exited; starting another');
    setTimeout(fork, 1000);
  });
  for (let i = 0; i < config.workers; i += 1) fork();
  onSignals(async () => {
    stopping = true;
    const workers = Object.values(cluster.workers ?? {}).filter((w) => w !== undefined);
    await Promise.all(
      workers.map(
        (worker) =>
          new Promise<void>((resolve) => {
            worker.once('exit', () => resolve());
            worker.process.kill('SIGTERM');
          }),
      ),
    );
    log.info('PASS stopped');
  });
}

/**
 * Runs PASS as an operator starts it: reads the configuration from the environment, then serves
 * with these capabilities (in several workers when PASS_WORKERS asks for them) until a signal.
 */
export async function runPass(capabilities: readonly CapabilityFactory[]): Promise<void> {
  let config: Config;
  try {
    checkOrder(capabilities);
    config = loadConfig();
  } catch (error) {
    fail(error);
  }
  if (config.workers > 1 && cluster.isPrimary) await supervise(config);
  else await serve(config, capabilities);
}

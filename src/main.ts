import { loadConfig } from './config/load-config.ts';
import { describeFailure } from './core/fatal.ts';
import { startServer, type PassServer } from './server.ts';

let running: PassServer;
try {
  running = await startServer(loadConfig());
} catch (error) {
  for (const line of describeFailure(error)) process.stderr.write(`PASS cannot start: ${line}\n`);
  process.exit(1);
}

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    running.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
}

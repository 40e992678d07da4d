import net from 'node:net';
import path from 'node:path';
import { REPO_ROOT } from './services.ts';
import { runCommand, startChildServer, type ChildServer } from './child.ts';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export interface PassProcessOptions {
  databaseUrl: string;
  redisUrl: string;
  /** Extra variables (feature switches, TTLs) on top of the benchmark defaults. */
  env?: Record<string, string>;
  /** Node flags for the server, e.g. --cpu-prof. */
  nodeArgs?: string[];
}

/**
 * The environment PASS runs under in a benchmark: real PostgreSQL and Redis, no demo data, quiet
 * logs (a log line per request would measure pino, not PASS). Not NODE_ENV=production, which
 * needs an https issuer and production keys; nothing on the request path depends on NODE_ENV.
 */
export function passEnv(options: PassProcessOptions, port: number): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: 'test',
    PORT: String(port),
    HOST: '127.0.0.1',
    ISSUER: `http://127.0.0.1:${port}`,
    DATABASE_URL: options.databaseUrl,
    REDIS_URL: options.redisUrl,
    PASS_DEMO_DATA: 'false',
    LOG_LEVEL: 'warn',
    ...options.env,
  };
}

/** `npm run pass -- <args>` without npm: the admin CLI against the benchmark's database. */
export function passCli(args: string[], options: PassProcessOptions): Promise<string> {
  return runCommand([path.join(REPO_ROOT, 'src/cli/main.ts'), ...args], { cwd: REPO_ROOT, env: passEnv(options, 0) });
}

/** Starts `node clients/main.ts` (what `npm start` runs) on a free loopback port; resolves when /healthz answers. */
export async function startPassProcess(options: PassProcessOptions): Promise<ChildServer> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  return startChildServer({
    args: [...(options.nodeArgs ?? []), path.join(REPO_ROOT, 'clients/main.ts')],
    cwd: REPO_ROOT,
    env: passEnv(options, port),
    url,
    readyUrl: `${url}/healthz`,
  });
}

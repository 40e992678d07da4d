import { loadConfig, type Config } from '../../src/config/load-config.ts';
import { createLogger } from '../../src/core/logger.ts';
import { startServer, type PassServer } from '../../src/server.ts';
import { ALL_IN_ONE } from '../../clients/capabilities.ts';
import { createDatabase, migrate } from '../../src/db/database.ts';
import { createTestDatabase, redisUrlForTest, tempDir, type StorageMode } from './services.ts';

export const REPO_ROOT = new URL('../..', import.meta.url).pathname;
/** What `npm start` runs: the provider with its first-party clients. */
export const PASS_ENTRY = `${REPO_ROOT}clients/main.ts`;

/** Storage for one test file in one mode; `env` is what a PASS process needs to use it. */
export interface TestStorage {
  mode: StorageMode;
  env: Record<string, string>;
  cleanup(): Promise<void>;
}

export async function createStorage(mode: StorageMode): Promise<TestStorage> {
  const dir = tempDir();
  const env: Record<string, string> = { PASS_DATA_DIR: dir.path };
  if (mode === 'embedded') return { mode, env, cleanup: async () => dir.remove() };
  const database = await createTestDatabase();
  env.DATABASE_URL = database.url;
  if (mode === 'postgres+redis') env.REDIS_URL = redisUrlForTest();
  const config = configFor(env);
  const db = createDatabase(config);
  await migrate(db);
  await db.destroy();
  return {
    mode,
    env,
    async cleanup() {
      await database.drop();
      dir.remove();
    },
  };
}

export function configFor(env: Record<string, string>): Config {
  return loadConfig(
    {
      NODE_ENV: 'test',
      PORT: '0',
      LOG_LEVEL: process.env.PASS_TEST_LOG_LEVEL ?? 'silent',
      PASS_DEMO_DATA: 'false',
      // CI's two cores also run browsers and other PASS processes: a connection may wait its turn.
      DATABASE_CONNECT_TIMEOUT_SECONDS: '20',
      ...env,
    },
    REPO_ROOT,
  );
}

export async function startPass(env: Record<string, string>): Promise<PassServer & { issuer: string }> {
  // The issuer must be the address clients use, so the port is chosen before the config is made.
  const port = await freePort();
  const config = configFor({ ISSUER: `http://127.0.0.1:${port}`, PORT: String(port), ...env });
  return Object.assign(await startAllInOne(config), { issuer: config.issuer });
}

/** PASS as `npm start` composes it (the provider and its first-party clients), in this process. */
export function startAllInOne(config: Config): Promise<PassServer> {
  return startServer(config, createLogger(config.logLevel), { capabilities: ALL_IN_ONE });
}

export async function freePort(): Promise<number> {
  const net = await import('node:net');
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

// What an operator does with a release: a clean copy of the repository, `npm ci --omit=dev`
// (production dependencies only, exactly as package-lock.json has them), `npm run migrate`, then
// `npm start` with NODE_ENV=production and a valid production configuration. PASS must serve
// discovery for its configured issuer. A runtime import that only a devDependency satisfies fails
// here (openid-client once did).
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { createTestDatabase, TEST_DATABASE_URL, tempDir } from '../helpers/services.ts';
import { copyRepository, REPO_ROOT, run, whileStarted } from './clean-copy.ts';

const JPKI_ROOTS = path.resolve(REPO_ROOT, '../shared/jpki/roots');
const ISSUER = 'https://pass.example.jp';
const INSTALL_TIMEOUT_MS = 6 * 60_000;

/** A production configuration with keys of its own (none of the development defaults). */
function productionEnv(databaseUrl: string, dataDir: string): Record<string, string> {
  const secret = () => randomBytes(32).toString('base64url');
  return {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    NODE_ENV: 'production',
    ISSUER,
    PORT: '0',
    DATABASE_URL: databaseUrl,
    PASS_DATA_DIR: dataDir,
    PASS_COOKIE_KEYS: secret(),
    PASS_ENCRYPTION_KEYS: `k1:${randomBytes(32).toString('base64')}`,
    PASS_PAIRWISE_SALT: secret(),
    PASS_IDENTITY_HASH_KEY: secret(),
    JPKI_TRUST_ANCHORS: readdirSync(JPKI_ROOTS).filter((f) => f.endsWith('.pem')).map((f) => path.join(JPKI_ROOTS, f)).join(','),
    // Named, not reached: PASS sends mail and SMS only when a resident asks for a code.
    MAIL_TRANSPORT: 'smtp',
    SMTP_URL: 'smtp://127.0.0.1:2525',
    SMS_TRANSPORT: 'http',
    SMS_GATEWAY_URL: 'https://sms.example.jp/send',
  };
}

const runs = TEST_DATABASE_URL ? describe : describe.skip;
if (!TEST_DATABASE_URL) console.log('production install test skipped: TEST_DATABASE_URL is not set (.ci/services.sh provides it)');

runs('a production install of a clean copy', () => {
  const copy = tempDir('pass-production-copy-');
  const data = tempDir('pass-production-data-');
  let database: Awaited<ReturnType<typeof createTestDatabase>> | undefined;

  beforeAll(async () => {
    await copyRepository(copy.path);
    await run('npm', ['ci', '--omit=dev', '--no-audit', '--no-fund', '--prefer-offline'], {
      cwd: copy.path,
      env: { ...process.env, NODE_ENV: 'production', ONNXRUNTIME_NODE_INSTALL: 'skip' },
      timeout: INSTALL_TIMEOUT_MS,
      maxBuffer: 16 * 1024 * 1024,
    });
    database = await createTestDatabase();
  }, INSTALL_TIMEOUT_MS + 30_000);

  afterAll(async () => {
    await database?.drop();
    copy.remove();
    data.remove();
  });

  test('has no development dependency installed', () => {
    for (const dev of ['jest', 'typescript', 'playwright-core']) expect(existsSync(path.join(copy.path, 'node_modules', dev))).toBe(false);
    expect(existsSync(path.join(copy.path, 'node_modules', 'oidc-provider'))).toBe(true);
  });

  test('migrates, then `npm start` with NODE_ENV=production serves discovery for the configured issuer', async () => {
    const env = productionEnv(database!.url, data.path);
    const migrated = await run('npm', ['run', '--silent', 'migrate'], { cwd: copy.path, env, timeout: 120_000 });
    expect(migrated.stdout).toContain('database schema is up to date');

    // `npm start` runs whatever package.json names as the entry: the copy's own, read by npm.
    await whileStarted('npm start', copy.path, env, async (port, output) => {
      const discovery = await fetch(`http://127.0.0.1:${port}/.well-known/openid-configuration`);
      expect(discovery.status).toBe(200);
      const metadata = (await discovery.json()) as Record<string, unknown>;
      expect(metadata.issuer).toBe(ISSUER);
      expect(output()).not.toMatch(/"level":(50|60)/); // no error or fatal line
    });
  }, 180_000);
});

// deploy/compose/postgres-init.sh, as the postgres image runs it on a first start, against a
// throw-away database: migrations run as the owner role, then PASS starts in production as the app
// role (which owns no table) and serves; the app role cannot switch off the audit_log triggers.
import { execFile, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { TEST_DATABASE_URL, TEST_REDIS_URL, tempDir } from '../helpers/services.ts';
import { REPO_ROOT, whileStarted } from './clean-copy.ts';

const run = promisify(execFile);
const JPKI_ROOTS = path.resolve(REPO_ROOT, '../shared/jpki/roots');
const INIT_SCRIPT = path.join(REPO_ROOT, 'deploy', 'compose', 'postgres-init.sh');

/**
 * As the containers run PASS (deploy/): the root filesystem read-only and a fresh tmpfs on /tmp, in a
 * mount namespace of its own (root and util-linux's unshare); elsewhere PASS starts as it is. Where
 * the checkout or Node itself lives under /tmp (a CI clone), a tmpfs there would hide them: /tmp is
 * then left as the host has it.
 */
function readOnlyRoot(command: string): { line: string; readOnly: boolean } {
  const probe = spawnSync('unshare', ['-m', '--propagation', 'private', 'true']);
  if (probe.status !== 0) return { line: command, readOnly: false };
  const underTmp = [REPO_ROOT, process.execPath].some((p) => path.resolve(p).startsWith('/tmp/'));
  const freshTmp = underTmp ? '' : 'mount -t tmpfs -o size=64m tmpfs /tmp && ';
  return { line: `exec unshare -m --propagation private bash -c 'mount -o remount,bind,ro / && ${freshTmp}! touch /etc/pass-read-only-probe 2>/dev/null && ${command}'`, readOnly: true };
}

const runs = TEST_DATABASE_URL && existsSync(JPKI_ROOTS) ? describe : describe.skip;
if (!TEST_DATABASE_URL) console.log('database roles test skipped: TEST_DATABASE_URL is not set (.ci/services.sh provides it)');
else if (!existsSync(JPKI_ROOTS)) console.log(`database roles test skipped: no JPKI roots at ${JPKI_ROOTS}`);

runs('deploy/compose/postgres-init.sh: an owner role migrates, PASS runs as a role that owns no table', () => {
  const suffix = randomBytes(4).toString('hex');
  const names = { db: `pass_roles_${suffix}`, owner: `pass_owner_${suffix}`, app: `pass_app_${suffix}` };
  const passwords = { owner: randomBytes(12).toString('hex'), app: randomBytes(12).toString('hex') };
  const dir = tempDir('pass-db-roles-');
  const admin = new URL(TEST_DATABASE_URL ?? 'postgres://localhost/postgres');
  const urlAs = (role: 'owner' | 'app') => {
    const url = new URL(admin);
    url.username = names[role];
    url.password = passwords[role];
    url.pathname = `/${names.db}`;
    return url.toString();
  };

  /** PASS's production settings, connecting as `role`. */
  const productionEnv = (role: 'owner' | 'app'): Record<string, string> => ({
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    NODE_ENV: 'production',
    ISSUER: 'https://pass.example.jp',
    PORT: '0',
    DATABASE_URL: urlAs(role),
    ...(TEST_REDIS_URL ? { REDIS_URL: TEST_REDIS_URL } : {}),
    PASS_DATA_DIR: dir.path,
    PASS_COOKIE_KEYS: randomBytes(48).toString('base64'),
    PASS_ENCRYPTION_KEYS: `k1:${randomBytes(32).toString('base64')}`,
    PASS_PAIRWISE_SALT: randomBytes(32).toString('base64'),
    PASS_IDENTITY_HASH_KEY: randomBytes(32).toString('base64'),
    JPKI_TRUST_ANCHORS: readdirSync(JPKI_ROOTS).filter((f) => f.endsWith('.pem')).map((f) => path.join(JPKI_ROOTS, f)).join(','),
    MAIL_TRANSPORT: 'smtp',
    SMTP_URL: 'smtp://127.0.0.1:2525',
    SMS_TRANSPORT: 'http',
    SMS_GATEWAY_URL: 'https://sms.example.jp/send',
  });

  beforeAll(async () => {
    writeFileSync(path.join(dir.path, 'owner'), passwords.owner);
    writeFileSync(path.join(dir.path, 'app'), passwords.app);
    await run('bash', [INIT_SCRIPT], {
      env: {
        PATH: process.env.PATH ?? '',
        PGHOST: admin.hostname,
        PGPORT: admin.port || '5432',
        ...(admin.password ? { PGPASSWORD: decodeURIComponent(admin.password) } : {}),
        POSTGRES_USER: decodeURIComponent(admin.username),
        POSTGRES_DB: admin.pathname.slice(1) || 'postgres',
        PASS_DB_NAME: names.db,
        PASS_DB_OWNER: names.owner,
        PASS_DB_APP: names.app,
        PASS_OWNER_PASSWORD_FILE: path.join(dir.path, 'owner'),
        PASS_APP_PASSWORD_FILE: path.join(dir.path, 'app'),
      },
      timeout: 60_000,
    });
  }, 90_000);

  afterAll(async () => {
    const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await client.connect();
    try {
      await client.query(`drop database if exists ${names.db} with (force)`);
      await client.query(`drop role if exists ${names.app}`);
      await client.query(`drop role if exists ${names.owner}`);
    } finally {
      await client.end();
      dir.remove();
    }
  });

  test('the app role may not create tables; migrations as the owner apply', async () => {
    const app = new pg.Client({ connectionString: urlAs('app') });
    await app.connect();
    try {
      await expect(app.query('create table intruder (id int)')).rejects.toThrow(/permission denied/);
    } finally {
      await app.end();
    }
    const { stdout } = await run(process.execPath, ['src/cli/main.ts', 'migrate'], { cwd: REPO_ROOT, env: productionEnv('owner'), timeout: 120_000 });
    expect(stdout).toContain('database schema is up to date');
  }, 150_000);

  test('PASS in production as the app role starts on a read-only root filesystem, is ready and serves discovery', async () => {
    const { line, readOnly } = readOnlyRoot(`exec "${process.execPath}" clients/main.ts`);
    if (!readOnly) console.log('PASS started with a writable root filesystem: unshare -m is not available here');
    // PASS_DATA_DIR (unused with DATABASE_URL) is under /tmp, hidden by the fresh tmpfs.
    await whileStarted(line, REPO_ROOT, productionEnv('app'), async (port, output) => {
      const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
      const body = (await ready.json()) as { status: string };
      expect({ status: ready.status, body: body.status }).toEqual({ status: 200, body: 'ready' });
      const discovery = await fetch(`http://127.0.0.1:${port}/.well-known/openid-configuration`);
      expect(((await discovery.json()) as { issuer: string }).issuer).toBe('https://pass.example.jp');
      expect(output()).not.toMatch(/"level":(50|60)/);
    });
  }, 150_000);

  test('the app role writes rows but cannot switch off the audit triggers or empty audit_log', async () => {
    const app = new pg.Client({ connectionString: urlAs('app') });
    await app.connect();
    try {
      // PASS made its signing keys at start, as the app role, in a table the owner created.
      const keys = await app.query<{ n: number }>('select count(*)::int as n from oidc_signing_keys');
      expect(keys.rows[0]!.n).toBeGreaterThan(0);
      const owners = await app.query<{ tableowner: string }>("select tableowner from pg_tables where schemaname = 'public' and tablename = 'audit_log'");
      expect(owners.rows[0]?.tableowner).toBe(names.owner);
      await expect(app.query('alter table audit_log disable trigger all')).rejects.toThrow(/must be owner/);
      await expect(app.query('truncate audit_log')).rejects.toThrow(/permission denied/);
    } finally {
      await app.end();
    }
  });
});

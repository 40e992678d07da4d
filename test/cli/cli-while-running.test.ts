/**
 * The admin CLI while PASS runs on the embedded default (issue 18): PASS shares its PGlite database
 * on a Unix socket in the data directory (src/db/embedded-access.ts), so `npm run pass -- …` run
 * beside it works, and what it writes is what the running PASS serves. Two real processes, as an
 * operator runs them; a PASS killed without a chance to clean up leaves nothing the CLI trips on.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { freePort, REPO_ROOT } from '../helpers/pass.ts';
import { tempDir } from '../helpers/services.ts';
import type { CliResult } from '../helpers/cli.ts';

const data = tempDir('pass-cli-run-');
const socketDir = path.join(data.path, 'pglite-socket');
const socketPath = path.join(socketDir, '.s.PGSQL.5432');
const stateFile = path.join(data.path, 'pglite-socket.json');
const lockFile = path.join(data.path, 'pglite.lock');
const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', NODE_ENV: 'development', PASS_DEMO_DATA: 'false', PASS_MODELS_FETCH: 'off', PASS_DATA_DIR: data.path };

let pass: ChildProcess | undefined;
let passEnded: Promise<unknown> = Promise.resolve();
let base = '';
let output = '';

/** `npm run pass -- …` exactly as the README gives it, in its own process. */
function npmRunPass(args: string[]): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile('npm', ['run', 'pass', '--', ...args], { cwd: REPO_ROOT, env, timeout: 90_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

/** The JSON a `--json` command printed, after npm's own banner lines. */
function json(stdout: string): unknown {
  return JSON.parse(stdout.slice(stdout.search(/^[[{]/m)));
}

function authorize(clientId: string): Promise<Response> {
  const query = new URLSearchParams({
    client_id: clientId,
    response_type: 'code',
    redirect_uri: 'http://127.0.0.1:4101/cb',
    scope: 'openid',
    code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    code_challenge_method: 'S256',
  });
  return fetch(`${base}/auth?${query}`, { redirect: 'manual' });
}

beforeAll(async () => {
  const port = await freePort();
  base = `http://localhost:${port}`;
  pass = spawn(process.execPath, ['clients/main.ts'], { cwd: REPO_ROOT, env: { ...env, PORT: String(port) }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  passEnded = new Promise((resolve) => pass!.once('exit', resolve));
  pass.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  pass.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  await new Promise<void>((resolve, reject) => {
    pass!.stdout!.on('data', () => output.includes('"msg":"PASS started"') && resolve());
    pass!.once('exit', (code) => reject(new Error(`PASS ended (${code}) before it started:\n${output}`)));
  });
}, 90_000);

afterAll(async () => {
  if (pass && pass.exitCode === null && pass.signalCode === null) {
    process.kill(-pass.pid!, 'SIGKILL');
    await passEnded;
  }
  data.remove();
});

describe('the admin CLI beside PASS on the embedded database', () => {
  let clientId = '';

  test('the socket is private to this OS user: directory 0700, socket 0600, named in a state file with PASS\'s pid', () => {
    expect(statSync(socketDir).mode & 0o777).toBe(0o700);
    expect(statSync(socketPath).isSocket()).toBe(true);
    expect(statSync(socketPath).mode & 0o777).toBe(0o600);
    expect(statSync(stateFile).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(stateFile, 'utf8'))).toEqual({ pid: pass!.pid, socketDir });
    expect(readFileSync(lockFile, 'utf8')).toBe(String(pass!.pid));
  });

  test('`npm run pass -- client create … --json` succeeds, and the running PASS knows the client at once', async () => {
    const unknown = await authorize('not-registered-yet');
    expect(unknown.status).toBe(400);
    expect(await unknown.text()).toContain('invalid_client');

    const created = await npmRunPass(['client', 'create', '--name', '稼働中に登録', '--redirect-uri', 'http://127.0.0.1:4101/cb', '--json']);
    expect(created.stderr).not.toContain('stop it first');
    expect(created.code).toBe(0);
    const client = json(created.stdout) as { client_id: string; client_name: string; client_secret: string };
    expect(client).toMatchObject({ client_name: '稼働中に登録', client_id: expect.any(String), client_secret: expect.any(String) });
    clientId = client.client_id;

    const known = await authorize(clientId);
    expect(known.status).toBe(303);
    expect(known.headers.get('location')).toContain('/interaction/');
  }, 120_000);

  test('psql\'s way in (a PostgreSQL client on the socket directory) reads the same database', async () => {
    const client = new pg.Client({ host: socketDir, port: 5432, user: 'postgres', database: 'postgres' });
    await client.connect();
    try {
      const { rows } = await client.query('select client_id from oidc_clients where client_id = $1', [clientId]);
      expect(rows).toEqual([{ client_id: clientId }]);
    } finally {
      await client.end();
    }
    // PASS still serves after the client left.
    expect((await fetch(`${base}/.well-known/openid-configuration`)).status).toBe(200);
  });

  test('after PASS is killed (no clean-up), the CLI clears its stale lock, state file and socket and opens the database itself', async () => {
    process.kill(-pass!.pid!, 'SIGKILL');
    await passEnded;
    expect([existsSync(lockFile), existsSync(stateFile), existsSync(socketPath)]).toEqual([true, true, true]);

    const listed = await npmRunPass(['client', 'list', '--json']);
    expect(listed.code).toBe(0);
    expect((json(listed.stdout) as Array<{ client_id: string }>).map((c) => c.client_id)).toContain(clientId);
    expect([existsSync(lockFile), existsSync(stateFile), existsSync(socketPath)]).toEqual([false, false, false]);
  }, 120_000);
});

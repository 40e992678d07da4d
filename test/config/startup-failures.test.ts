import { spawn } from 'node:child_process';
import { PASS_ENTRY, REPO_ROOT } from '../helpers/pass.ts';
import { tempDir } from '../helpers/services.ts';

/** Starts `node clients/main.ts` as `npm start` does, and collects how it ends. */
function start(env: Record<string, string>): Promise<{ code: number | null; stderr: string; stdout: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [PASS_ENTRY], {
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH ?? '', PORT: '0', LOG_LEVEL: 'warn', ...env },
    });
    let stderr = '';
    let stdout = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 45_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr: stderr.trim(), stdout });
    });
  });
}

describe('bad configuration stops start-up with one clear line and a non-zero exit', () => {
  const dir = tempDir();
  afterAll(() => dir.remove());

  test.each([
    ['a malformed DATABASE_URL', { DATABASE_URL: 'postgres//nohost' }, /^PASS cannot start: configuration: DATABASE_URL: must be a postgres/],
    ['an unreachable DATABASE_URL', { DATABASE_URL: 'postgres://pass:secret-password@127.0.0.1:1/pass', DATABASE_CONNECT_TIMEOUT_SECONDS: '2' }, /^PASS cannot start: cannot reach the postgres database at 127\.0\.0\.1:1\/pass: ECONNREFUSED$/],
    ['an unreachable REDIS_URL', { REDIS_URL: 'redis://127.0.0.1:1', PASS_DATA_DIR: dir.path }, /^PASS cannot start: cannot reach Redis at 127\.0\.0\.1:1: ECONNREFUSED$/],
    ['production without keys', { NODE_ENV: 'production', ISSUER: 'https://pass.example.jp', DATABASE_URL: 'postgres://db/pass' }, /^PASS cannot start: configuration: PASS_COOKIE_KEYS: required in production$/m],
    ['a non-https issuer in production', { NODE_ENV: 'production', ISSUER: 'http://pass.example.jp' }, /^PASS cannot start: configuration: ISSUER: must be an https:\/\/ URL in production$/m],
  ])('%s', async (_name, env, expected) => {
    const result = await start(env as Record<string, string>);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(expected);
    expect(result.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(result.stderr).not.toContain('secret-password'); // no credentials
    expect(result.stdout).not.toContain('PASS started');
  }, 60_000);
});

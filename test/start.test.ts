import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { freePort, REPO_ROOT } from './helpers/pass.ts';
import { tempDir } from './helpers/services.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// The README's start line on a machine with nothing configured: `npm start` alone must serve
// discovery and JWKS on the embedded database, with demo data.
test('npm start serves discovery and JWKS on the embedded default with no other setup', async () => {
  const data = tempDir();
  const port = await freePort();
  const child = spawn('npm', ['start'], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', PORT: String(port), PASS_DATA_DIR: data.path },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  // npm's own exit status after a signal says little; PASS (its child) must shut down cleanly, and
  // the output pipe closes only when every process holding it has ended.
  const outputClosed = new Promise<string>((resolve) => child.stdout.on('close', () => resolve('closed')));
  try {
    const base = `http://localhost:${port}`;
    let discovery: Response | undefined;
    for (let i = 0; i < 150 && !discovery; i += 1) {
      discovery = await fetch(`${base}/.well-known/openid-configuration`).catch(() => undefined);
      if (!discovery) await sleep(200);
    }
    expect(discovery?.status).toBe(200);
    const metadata = (await discovery!.json()) as Record<string, unknown>;
    expect(metadata.issuer).toBe(base);
    // What integrators rely on finding (issue 2's list).
    expect(metadata.code_challenge_methods_supported).toEqual(['S256']);
    expect(metadata.grant_types_supported).toEqual(
      expect.arrayContaining(['authorization_code', 'refresh_token', 'client_credentials', 'urn:ietf:params:oauth:grant-type:device_code']),
    );
    for (const key of ['introspection_endpoint', 'revocation_endpoint', 'pushed_authorization_request_endpoint', 'end_session_endpoint', 'device_authorization_endpoint', 'registration_endpoint']) {
      expect(metadata[key]).toEqual(expect.stringMatching(new RegExp(`^${base}/`)));
    }
    expect(metadata.dpop_signing_alg_values_supported).toEqual(expect.arrayContaining(['ES256']));
    expect(metadata.backchannel_logout_supported).toBe(true);
    expect(metadata.subject_types_supported).toEqual(expect.arrayContaining(['public', 'pairwise']));
    expect(metadata.claims_parameter_supported).toBe(true);
    expect(metadata.id_token_signing_alg_values_supported).toEqual(expect.arrayContaining(['ES256', 'RS256']));

    const jwks = (await (await fetch(`${base}/jwks`)).json()) as { keys: Array<Record<string, string>> };
    expect(jwks.keys.map((k) => k.alg).sort()).toEqual(['ES256', 'ES256', 'RS256', 'RS256']);
    for (const key of jwks.keys) expect(key).not.toHaveProperty('d'); // public halves only

    const ready = (await (await fetch(`${base}/readyz`)).json()) as { status: string };
    expect(ready.status).toBe('ready');
    expect(existsSync(path.join(data.path, 'pglite'))).toBe(true);
  } finally {
    process.kill(-child.pid!, 'SIGTERM');
    const ended = await Promise.race([outputClosed, sleep(20_000).then(() => 'timeout')]);
    if (ended === 'timeout') process.kill(-child.pid!, 'SIGKILL');
    data.remove();
    expect(ended).toBe('closed');
    expect(output).toContain('"msg":"PASS stopped"');
  }
}, 60_000);

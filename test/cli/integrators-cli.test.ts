/**
 * The admin CLI for integrators (issue 18): `--application-type`, an operator's own client secret
 * from a private file (`--secret-file`, never echoed), `client update` to add a redirect URI later,
 * and a facility client on two ports of one loopback host.
 */
import { chmodSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as oidc from 'openid-client';
import { createStorage, startPass, type TestStorage } from '../helpers/pass.ts';
import { passCli } from '../helpers/cli.ts';
import { storageModes, tempDir } from '../helpers/services.ts';
import { readCatalog } from '../../src/facilities/facility-service.ts';

// The CLI runs beside the server: PostgreSQL (the embedded database is single-process).
const mode = storageModes().find((m) => m !== 'embedded');
const run = mode ? describe : describe.skip;

const SECRET = 'kinosaki-onsen-operator-secret-2026-abcdefgh';

run(`admin CLI for integrators (${mode})`, () => {
  let storage: TestStorage;
  let pass: Awaited<ReturnType<typeof startPass>>;
  const dir = tempDir('pass-secret-');

  const secretFile = (name: string, content: string, mode: number): string => {
    const file = path.join(dir.path, name);
    writeFileSync(file, content);
    chmodSync(file, mode);
    return file;
  };

  beforeAll(async () => {
    storage = await createStorage(mode!);
    pass = await startPass(storage.env);
    await pass.platform.facilities.importCatalog(readCatalog());
  }, 60_000);

  afterAll(async () => {
    await pass?.close();
    await storage?.cleanup();
    dir.remove();
  });

  test('--secret-file: the operator\'s secret is registered, works at the token endpoint, and is never printed', async () => {
    const file = secretFile('secret', `${SECRET}\n`, 0o600);
    const created = await passCli(['client', 'create', '--name', '予約 バッチ', '--grant-types', 'client_credentials', '--secret-file', file, '--json'], storage.env);
    expect(created.code).toBe(0);
    expect(created.stdout + created.stderr).not.toContain(SECRET);
    const client = JSON.parse(created.stdout) as Record<string, unknown>;
    expect(client.client_secret).toBeUndefined();
    const readable = await passCli(['client', 'create', '--name', '予約 バッチ 2', '--grant-types', 'client_credentials', '--secret-file', file], storage.env);
    expect(readable).toMatchObject({ code: 0, stdout: expect.stringContaining(`the one in ${file} (not shown)`) });
    expect(readable.stdout).not.toContain(SECRET);

    const config = await oidc.discovery(new URL(pass.issuer), String(client.client_id), undefined, oidc.ClientSecretBasic(SECRET), { execute: [oidc.allowInsecureRequests] });
    const tokens = await oidc.clientCredentialsGrant(config, { resource: `${pass.issuer}/api`, scope: 'pass:api' });
    expect(tokens.scope).toBe('pass:api');
  });

  test('--secret-file refuses a file others may read, a short secret, a missing file and a client without secrets — without repeating the secret', async () => {
    const open = secretFile('open', SECRET, 0o644);
    const refused = await passCli(['client', 'create', '--name', 'open', '--grant-types', 'client_credentials', '--secret-file', open], storage.env);
    expect(refused).toMatchObject({ code: 1, stderr: expect.stringContaining(`chmod 600 ${open}`) });
    expect(refused.stderr + refused.stdout).not.toContain(SECRET);

    const short = secretFile('short', 'too-short-secret\n', 0o600);
    const tooShort = await passCli(['client', 'create', '--name', 'short', '--grant-types', 'client_credentials', '--secret-file', short], storage.env);
    expect(tooShort).toMatchObject({ code: 1, stderr: expect.stringContaining('32 to 512') });
    expect(tooShort.stderr).not.toContain('too-short-secret');

    const missing = await passCli(['client', 'create', '--name', 'missing', '--grant-types', 'client_credentials', '--secret-file', path.join(dir.path, 'nope')], storage.env);
    expect(missing).toMatchObject({ code: 1, stderr: expect.stringContaining('cannot read') });

    const file = secretFile('public', SECRET, 0o400);
    const publicClient = await passCli(['client', 'create', '--name', 'public', '--auth-method', 'none', '--redirect-uri', 'http://127.0.0.1:4101/cb', '--secret-file', file], storage.env);
    expect(publicClient).toMatchObject({ code: 1, stderr: expect.stringContaining('no client secret') });
    expect(publicClient.stderr).not.toContain(SECRET);
    const names = (await pass.oidc.clients.list()).map((c) => c.metadata.client_name);
    expect(names).not.toEqual(expect.arrayContaining(['open']));
    expect(names).not.toContain('short');
    expect(names).not.toContain('public');
  });

  test('--application-type, two loopback ports for a facility, and client update adding a port later', async () => {
    const native = await passCli(['client', 'create', '--name', 'アプリ', '--facility', 'toyooka-booking', '--application-type', 'native', '--auth-method', 'none', '--redirect-uri', 'http://127.0.0.1/cb', '--json'], storage.env);
    expect(native.code).toBe(0);
    expect(JSON.parse(native.stdout)).toMatchObject({ application_type: 'native', subject_type: 'pairwise', facility_id: 'toyooka-booking' });
    const wrong = await passCli(['client', 'create', '--name', 'x', '--application-type', 'desktop', '--redirect-uri', 'http://127.0.0.1/cb'], storage.env);
    expect(wrong).toMatchObject({ code: 1, stderr: 'pass: --application-type must be web or native\n' });

    const twoPorts = await passCli(
      ['client', 'create', '--name', '予約 検証', '--facility', 'toyooka-booking', '--redirect-uri', 'http://127.0.0.1:4101/cb', '--redirect-uri', 'http://127.0.0.1:4102/cb', '--json'],
      storage.env,
    );
    expect(twoPorts.code).toBe(0);
    expect(JSON.parse(twoPorts.stdout)).toMatchObject({ redirect_uris: ['http://127.0.0.1:4101/cb', 'http://127.0.0.1:4102/cb'], subject_type: 'pairwise' });

    const one = JSON.parse((await passCli(['client', 'create', '--name', '予約 開発', '--facility', 'toyooka-booking', '--redirect-uri', 'http://127.0.0.1:4101/cb', '--json'], storage.env)).stdout) as { client_id: string };
    const updated = await passCli(['client', 'update', '--client-id', one.client_id, '--redirect-uri', 'http://127.0.0.1:4101/cb', '--redirect-uri', 'http://127.0.0.1:4102/cb', '--json'], storage.env);
    expect(updated.code).toBe(0);
    expect(JSON.parse(updated.stdout)).toMatchObject({ client_id: one.client_id, redirect_uris: ['http://127.0.0.1:4101/cb', 'http://127.0.0.1:4102/cb'] });
    expect(JSON.parse(updated.stdout).client_secret).toBeUndefined();
    // The server reads the client as changed.
    const client = await pass.oidc.host.provider.Client.find(one.client_id);
    expect(client?.redirectUriAllowed('http://127.0.0.1:4102/cb')).toBe(true);

    expect(await passCli(['client', 'update', '--client-id', one.client_id], storage.env)).toMatchObject({ code: 1, stderr: 'pass: give at least one thing to change\n' });
    expect(await passCli(['client', 'update', '--client-id', 'nobody', '--name', 'x'], storage.env)).toMatchObject({ code: 1, stderr: expect.stringContaining('nobody') });
  });
});

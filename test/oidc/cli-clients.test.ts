import { exportJWK, generateKeyPair } from 'jose';
import { createStorage, type TestStorage } from '../helpers/pass.ts';
import { passCli } from '../helpers/cli.ts';
import { storageModes } from '../helpers/services.ts';

const mode = storageModes().includes('postgres') ? 'postgres' : 'embedded';

/** The admin CLI's relying-party commands: private_key_jwt, FAPI, back-channel logout, DCR tokens, resource servers. */
describe(`client and resource-server commands of the admin CLI (${mode})`, () => {
  let storage: TestStorage;
  beforeAll(async () => {
    storage = await createStorage(mode);
    expect((await passCli(['seed'], storage.env)).code).toBe(0);
  });
  afterAll(async () => {
    await storage?.cleanup();
  });

  test('a FAPI 2.0 private_key_jwt client of a facility, with back-channel logout; no secret is made', async () => {
    const { publicKey } = await generateKeyPair('PS256', { extractable: true });
    const jwks = JSON.stringify({ keys: [{ ...(await exportJWK(publicKey)), kid: 'k1', alg: 'PS256', use: 'sig' }] });
    const created = await passCli(
      ['client', 'create', '--name', '市税オンライン', '--facility', 'toyooka-booking', '--redirect-uri', 'https://tax.example/cb',
        '--auth-method', 'private_key_jwt', '--jwks', jwks, '--fapi', '--backchannel-logout-uri', 'https://tax.example/bcl', '--json'],
      storage.env,
    );
    expect(created.stderr).toBe('');
    const client = JSON.parse(created.stdout) as Record<string, unknown>;
    expect(client).toMatchObject({ token_endpoint_auth_method: 'private_key_jwt', pass_fapi: true, backchannel_logout_uri: 'https://tax.example/bcl', facility_id: 'toyooka-booking' });
    expect(client.client_secret).toBeUndefined();

    const secretFapi = await passCli(['client', 'create', '--name', 'x', '--redirect-uri', 'https://x.example/cb', '--fapi'], storage.env);
    expect(secretFapi).toMatchObject({ code: 1, stderr: expect.stringContaining('private_key_jwt') });
    const privateKey = await passCli(['client', 'create', '--name', 'x', '--auth-method', 'private_key_jwt', '--jwks', '{"keys":[{"kty":"EC","d":"secret"}]}'], storage.env);
    expect(privateKey).toMatchObject({ code: 1, stderr: expect.stringContaining('public keys only') });
    expect(privateKey.stderr).not.toContain('secret"');

    const deleted = await passCli(['client', 'delete', '--client-id', String(client.client_id)], storage.env);
    expect(deleted).toMatchObject({ code: 0, stdout: `deleted client ${String(client.client_id)}\n` });
  });

  test('client iat mints an initial access token for a facility; resource-server create and list', async () => {
    const minted = await passCli(['client', 'iat', '--facility', 'toyooka-booking', '--ttl', '3600', '--json'], storage.env);
    expect(JSON.parse(minted.stdout)).toMatchObject({ initial_access_token: expect.stringMatching(/^[A-Za-z0-9_-]{20,}$/), facility_id: 'toyooka-booking' });
    expect(await passCli(['client', 'iat', '--facility', 'nowhere'], storage.env)).toMatchObject({ code: 1, stderr: expect.stringContaining('nowhere') });

    const created = await passCli(['resource-server', 'create', '--identifier', 'https://api.toyooka.example/', '--name', '予約 API', '--scopes', 'read,write', '--ttl', '600', '--json'], storage.env);
    expect(JSON.parse(created.stdout)).toMatchObject({ identifier: 'https://api.toyooka.example/', scopes: ['read', 'write'], tokenFormat: 'jwt', accessTokenTtl: 600 });
    const listed = await passCli(['resource-server', 'list'], storage.env);
    expect(listed.stdout).toContain('https://api.toyooka.example/  予約 API  jwt  [read write]');
  });
});

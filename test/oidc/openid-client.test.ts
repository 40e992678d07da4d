import * as oidc from 'openid-client';
import { createStorage, startPass, type TestStorage } from '../helpers/pass.ts';
import { storageModes } from '../helpers/services.ts';

describe.each(storageModes())('an independent relying party (openid-client) against PASS on %s', (mode) => {
  let storage: TestStorage;
  let pass: Awaited<ReturnType<typeof startPass>>;

  beforeAll(async () => {
    storage = await createStorage(mode);
    pass = await startPass(storage.env);
  });

  afterAll(async () => {
    await pass?.close();
    await storage?.cleanup();
  });

  test('discovers PASS, gets a client_credentials token and introspects it', async () => {
    const registered = await pass.oidc.clients.create({ name: 'resource server', grantTypes: ['client_credentials'] });
    const config = await oidc.discovery(new URL(pass.issuer), registered.clientId, registered.clientSecret, undefined, {
      execute: [oidc.allowInsecureRequests],
    });
    expect(config.serverMetadata().issuer).toBe(pass.issuer);

    const tokens = await oidc.clientCredentialsGrant(config, { scope: 'pass:api' });
    expect(tokens.access_token).toEqual(expect.any(String));
    expect(tokens.token_type.toLowerCase()).toBe('bearer');

    const introspection = await oidc.tokenIntrospection(config, tokens.access_token);
    expect(introspection.active).toBe(true);
    expect(introspection.client_id).toBe(registered.clientId);

    await oidc.tokenRevocation(config, tokens.access_token);
    expect((await oidc.tokenIntrospection(config, tokens.access_token)).active).toBe(false);
  });

  test('a wrong client secret gets invalid_client and no token', async () => {
    const registered = await pass.oidc.clients.create({ name: 'other', grantTypes: ['client_credentials'] });
    const config = await oidc.discovery(new URL(pass.issuer), registered.clientId, 'not-the-secret', undefined, {
      execute: [oidc.allowInsecureRequests],
    });
    await expect(oidc.clientCredentialsGrant(config)).rejects.toMatchObject({ error: 'invalid_client' });
  });
});

import { createStorage, startPass, type TestStorage } from '../helpers/pass.ts';
import { storageModes } from '../helpers/services.ts';
import { authorize, exchangeCode } from '../helpers/browserless.ts';

const REDIRECT = 'http://127.0.0.1:9/cb';

describe.each(storageModes())('state survives a restart of PASS on %s', (mode) => {
  let storage: TestStorage;

  beforeAll(async () => {
    storage = await createStorage(mode);
  });

  afterAll(async () => {
    await storage?.cleanup();
  });

  test('a session and a grant made before the restart are still valid after it', async () => {
    const first = await startPass(storage.env);
    const port = new URL(first.issuer).port;
    const sameAddress = { ...storage.env, PORT: port, ISSUER: first.issuer };
    await first.platform.accounts.create({ email: 'hanako@example.jp', password: 'correct horse battery', verified: true });
    const client = await first.oidc.clients.create({
      clientId: 'restart-app',
      name: 'restart app',
      redirectUris: [REDIRECT],
      tokenEndpointAuthMethod: 'none',
    });
    let flow: Awaited<ReturnType<typeof authorize>>;
    let tokens: Record<string, unknown>;
    try {
      flow = await authorize({ issuer: first.issuer, clientId: client.clientId, redirectUri: REDIRECT, login: 'hanako@example.jp', password: 'correct horse battery' });
      tokens = await exchangeCode(first.issuer, client.clientId, REDIRECT, flow.code, flow.verifier);
      expect(tokens.refresh_token).toEqual(expect.any(String));
    } finally {
      await first.close();
    }

    const second = await startPass(sameAddress);
    try {
      // The grant: its refresh token still works (and rotates).
      const refreshed = await fetch(new URL('/token', second.issuer), {
        method: 'POST',
        body: new URLSearchParams({ grant_type: 'refresh_token', client_id: client.clientId, refresh_token: String(tokens.refresh_token) }),
      });
      expect(refreshed.status).toBe(200);
      const body = (await refreshed.json()) as Record<string, string>;
      expect(body.access_token).toEqual(expect.any(String));
      const userinfo = await fetch(new URL('/me', second.issuer), { headers: { authorization: `Bearer ${body.access_token}` } });
      expect(((await userinfo.json()) as { email: string }).email).toBe('hanako@example.jp');

      // The session: the same browser is signed in without seeing the sign-in page.
      const again = await authorize({ issuer: second.issuer, clientId: client.clientId, redirectUri: REDIRECT, login: 'x', password: 'x', jar: flow.jar, prompt: 'none', scope: 'openid email' });
      expect(again.code).toEqual(expect.any(String));
    } finally {
      await second.close();
    }
  });
});

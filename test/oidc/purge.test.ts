import { createStorage, startPass } from '../helpers/pass.ts';
import { storageModes } from '../helpers/services.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// Where tokens live in PostgreSQL (no Redis), the running server's purger must remove them.
describe.each(storageModes().filter((m) => m !== 'postgres+redis'))('a running PASS purges expired records on %s', (mode) => {
  test('a token with a one-second lifetime is gone from the table soon after it expires', async () => {
    const storage = await createStorage(mode);
    const pass = await startPass({ ...storage.env, CLIENT_CREDENTIALS_TTL_SECONDS: '1', PURGE_INTERVAL_SECONDS: '1' });
    try {
      const client = await pass.oidc.clients.create({ name: 'short-lived', grantTypes: ['client_credentials'] });
      const response = await fetch(new URL('/token', pass.issuer), {
        method: 'POST',
        headers: { authorization: `Basic ${Buffer.from(`${client.clientId}:${client.clientSecret}`).toString('base64')}` },
        body: new URLSearchParams({ grant_type: 'client_credentials' }),
      });
      expect(response.status).toBe(200);
      const count = async () => Number(((await pass.platform.db('oidc_payloads').where({ model: 'ClientCredentials' }).count({ n: '*' })) as Array<{ n: string }>)[0]!.n);
      expect(await count()).toBe(1);
      const deadline = Date.now() + 5000;
      while ((await count()) > 0 && Date.now() < deadline) await sleep(200);
      expect(await count()).toBe(0);
    } finally {
      await pass.close();
      await storage.cleanup();
    }
  });
});

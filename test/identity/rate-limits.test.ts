import { createStorage, startPass, type TestStorage } from '../helpers/pass.ts';
import { TEST_DATABASE_URL, TEST_REDIS_URL } from '../helpers/services.ts';
import { REASON_MESSAGES } from '../../src/identity/interactions/reason-messages.ts';
import { Visitor, REDIRECT, type Pass } from './flow.ts';

const shared = TEST_DATABASE_URL && TEST_REDIS_URL ? describe : describe.skip;

/** Two PASS instances behind one (pretend) proxy, sharing PostgreSQL and Redis, as in production. */
shared('rate limits across two PASS instances sharing one Redis', () => {
  let storage: TestStorage;
  let a: Pass;
  let b: Pass;

  beforeAll(async () => {
    storage = await createStorage('postgres+redis');
    const env = { ...storage.env, TRUST_PROXY: 'true', RATE_LIMIT_PER_IP: '6', RATE_LIMIT_PER_ACCOUNT: '4' };
    [a, b] = await Promise.all([startPass(env), startPass(env)]);
    await a.oidc.clients.create({ clientId: 'limits-rp', name: 'RP', redirectUris: [REDIRECT], tokenEndpointAuthMethod: 'none' });
    await a.platform.accounts.create({ email: 'limited@example.jp', password: 'a sound password', verified: true });
    await a.platform.accounts.create({ email: 'guessed@example.jp', password: 'a sound password', verified: true });
  });

  afterAll(async () => {
    await a?.close();
    await b?.close();
    await storage?.cleanup();
  });

  const tooMany = (lang: 'ja' | 'en') => REASON_MESSAGES['reason.too_many_requests']![lang].replace('{n}', '10');

  async function visitors(ip: string, lang: 'ja' | 'en' = 'ja'): Promise<[Visitor, Visitor]> {
    const headers = { 'x-forwarded-for': ip };
    return [await new Visitor(a.issuer, lang, headers).startSignIn('limits-rp'), await new Visitor(b.issuer, lang, headers).startSignIn('limits-rp')];
  }

  test('sign-in attempts per IP are counted across instances', async () => {
    const [va, vb] = await visitors('203.0.113.10');
    for (let i = 0; i < 6; i += 1) {
      const v = i % 2 ? vb : va;
      await v.post(`/interaction/${v.uid}/login`, { login: `someone${i}@example.jp`, password: 'not the password' });
      expect(v.status).toBe(401);
    }
    await vb.post(`/interaction/${vb.uid}/login`, { login: 'limited@example.jp', password: 'a sound password' });
    expect(vb.status).toBe(429);
    expect(vb.alert()).toBe(tooMany('ja'));
    expect(Number(vb.html.length)).toBeGreaterThan(0);
  });

  test('sign-in attempts per account are counted across instances, whatever the IP', async () => {
    for (let i = 0; i < 4; i += 1) {
      const [va, vb] = await visitors(`198.51.100.${i + 1}`, 'en');
      const v = i % 2 ? vb : va;
      await v.post(`/interaction/${v.uid}/login`, { login: 'GUESSED@example.jp', password: `guess ${i}` });
      expect(v.status).toBe(401);
    }
    const [, vb] = await visitors('198.51.100.99', 'en');
    await vb.post(`/interaction/${vb.uid}/login`, { login: 'guessed@example.jp', password: 'a sound password' });
    expect(vb.status).toBe(429);
    expect(vb.alert()).toBe(tooMany('en'));
  });

  test('sending codes to one address is limited across instances', async () => {
    for (let i = 0; i < 4; i += 1) {
      const [va, vb] = await visitors(`192.0.2.${i + 1}`);
      const v = i % 2 ? vb : va;
      await v.get(`/interaction/${v.uid}/signup`);
      await v.post(`/interaction/${v.uid}/signup`, { email: 'new.resident@example.jp', password: 'hakusan mountain air' });
      expect(v.status).toBe(303);
    }
    const [va] = await visitors('192.0.2.50');
    await va.get(`/interaction/${va.uid}/signup`);
    const before = await a.platform.db('signups').count({ n: '*' });
    await va.post(`/interaction/${va.uid}/signup`, { email: 'new.resident@example.jp', password: 'hakusan mountain air' });
    expect(va.status).toBe(429);
    expect(va.alert()).toBe(tooMany('ja'));
    expect(await a.platform.db('signups').count({ n: '*' })).toEqual(before);
  });
});

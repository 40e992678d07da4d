import { createLocalJWKSet, decodeProtectedHeader, jwtVerify, type JSONWebKeySet } from 'jose';
import { createStorage, startPass, type TestStorage } from '../helpers/pass.ts';
import { storageModes } from '../helpers/services.ts';
import { authorize, exchangeCode } from '../helpers/browserless.ts';
import { passCli } from '../helpers/cli.ts';

const REDIRECT = 'http://127.0.0.1:9/cb';
const USER = { email: 'taro@example.jp', password: 'rotation test password' };
type Pass = Awaited<ReturnType<typeof startPass>>;

async function idToken(pass: Pass): Promise<string> {
  const flow = await authorize({ issuer: pass.issuer, clientId: 'rotation-app', redirectUri: REDIRECT, login: USER.email, password: USER.password, scope: 'openid' });
  const tokens = await exchangeCode(pass.issuer, 'rotation-app', REDIRECT, flow.code, flow.verifier);
  return String(tokens.id_token);
}

async function jwks(pass: Pass): Promise<JSONWebKeySet> {
  return (await (await fetch(new URL('/jwks', pass.issuer))).json()) as JSONWebKeySet;
}

async function eventually<T>(probe: () => Promise<T>, ok: (value: T) => boolean, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (ok(value) || Date.now() > deadline) return value;
    await new Promise((r) => setTimeout(r, 200));
  }
}

const sharedModes = storageModes().filter((m) => m !== 'embedded');

describe.each(sharedModes)('signing key rotation across two running instances on %s', (mode) => {
  let storage: TestStorage;
  let a: Pass;
  let b: Pass;

  beforeAll(async () => {
    storage = await createStorage(mode);
    // Without Redis, nodes notice a rotation by polling; with Redis they are told at once.
    const env = { ...storage.env, KEY_REFRESH_SECONDS: mode === 'postgres' ? '1' : '3600' };
    a = await startPass(env);
    b = await startPass(env);
    await a.platform.accounts.create({ ...USER, verified: true });
    await a.oidc.clients.create({ clientId: 'rotation-app', name: 'rotation', redirectUris: [REDIRECT], tokenEndpointAuthMethod: 'none' });
  });

  afterAll(async () => {
    await a?.close();
    await b?.close();
    await storage?.cleanup();
  });

  test('old tokens verify, new tokens carry the new key, both keys are published, the other instance follows', async () => {
    const before = await idToken(a);
    const oldKid = decodeProtectedHeader(before).kid;
    const published = await jwks(a);
    const next = published.keys.find((k) => k.alg === 'ES256' && k.kid !== oldKid);
    expect(next?.kid).toBeDefined(); // the next key is published before it signs

    const rotated = await passCli(['keys', 'rotate', '--json'], storage.env);
    expect(rotated.stderr).toBe('');
    expect(rotated.code).toBe(0);
    const keys = JSON.parse(rotated.stdout) as Array<{ kid: string; alg: string; status: string }>;
    expect(keys.find((k) => k.alg === 'ES256' && k.status === 'current')?.kid).toBe(next!.kid);
    expect(keys.find((k) => k.kid === oldKid)?.status).toBe('retired');

    // The other instance picks the new key up without a restart.
    const after = await eventually(() => idToken(b), (t) => decodeProtectedHeader(t).kid === next!.kid, 5000);
    expect(decodeProtectedHeader(after).kid).toBe(next!.kid);

    // During the overlap both keys are in the JWKS of every instance, and the old token verifies.
    for (const pass of [a, b]) {
      const set = await eventually(() => jwks(pass), (s) => s.keys.some((k) => k.kid === next!.kid) && s.keys.some((k) => k.kid === oldKid), 5000);
      const kids = set.keys.map((k) => k.kid);
      expect(kids).toEqual(expect.arrayContaining([oldKid, next!.kid]));
      // Each test instance has its own address and so its own issuer; a real cluster shares one.
      await expect(jwtVerify(before, createLocalJWKSet(set), { issuer: a.issuer, audience: 'rotation-app' })).resolves.toBeDefined();
      await expect(jwtVerify(after, createLocalJWKSet(set), { issuer: b.issuer, audience: 'rotation-app' })).resolves.toBeDefined();
    }
    // The instance the CLI ran beside follows the same way (polling here, as nothing tells it at once).
    const fromA = await eventually(() => idToken(a), (t) => decodeProtectedHeader(t).kid === next!.kid, 5000);
    expect(decodeProtectedHeader(fromA).kid).toBe(next!.kid);
  }, 60_000);
});

describe('signing keys on the embedded database', () => {
  let storage: TestStorage;

  beforeAll(async () => {
    storage = await createStorage('embedded');
  });

  afterAll(async () => {
    await storage?.cleanup();
  });

  test('are generated on first start, kept across restarts, and rotated by the CLI beside the running PASS', async () => {
    const first = await startPass(storage.env);
    const kidsBefore = (await jwks(first)).keys.map((k) => k.kid);
    expect(kidsBefore).toHaveLength(4); // current + next, for ES256 and RS256
    // The CLI works beside the running PASS, through its private socket (src/db/embedded-share.ts).
    const rotated = await passCli(['keys', 'rotate'], storage.env);
    expect({ code: rotated.code, stderr: rotated.stderr }).toEqual({ code: 0, stderr: '' });
    expect(rotated.stdout).toMatch(/current\s+ES256/);
    await first.close();

    const second = await startPass(storage.env);
    try {
      const kidsAfter = (await jwks(second)).keys.map((k) => k.kid);
      expect(kidsAfter).toEqual(expect.arrayContaining(kidsBefore));
      expect(kidsAfter).toHaveLength(6); // plus the retired pair, until their overlap ends
    } finally {
      await second.close();
    }
  }, 120_000);
});

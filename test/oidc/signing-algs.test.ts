import { createLocalJWKSet, decodeProtectedHeader, jwtVerify, type JSONWebKeySet } from 'jose';
import { createStorage, startPass, type TestStorage } from '../helpers/pass.ts';
import { storageModes } from '../helpers/services.ts';
import { authorize, exchangeCode } from '../helpers/browserless.ts';

const REDIRECT = 'http://127.0.0.1:9/cb';
const mode = storageModes().includes('postgres') ? 'postgres' : 'embedded';

describe('ID token signing algorithms', () => {
  let storage: TestStorage;
  let pass: Awaited<ReturnType<typeof startPass>>;

  beforeAll(async () => {
    storage = await createStorage(mode);
    pass = await startPass(storage.env);
    await pass.platform.accounts.create({ email: 'alg@example.jp', password: 'algorithm password', verified: true });
  });
  afterAll(async () => {
    await pass?.close();
    await storage?.cleanup();
  });

  test.each([
    ['ES256 by default', undefined, 'ES256'],
    ['RS256 for a relying party that registered it', 'RS256', 'RS256'],
  ])('%s', async (_name, registered, expected) => {
    const clientId = `alg-${expected}-${registered ?? 'default'}`;
    await pass.oidc.clients.create({
      clientId,
      name: clientId,
      redirectUris: [REDIRECT],
      tokenEndpointAuthMethod: 'none',
      ...(registered ? { extra: { id_token_signed_response_alg: registered } } : {}),
    });
    const flow = await authorize({ issuer: pass.issuer, clientId, redirectUri: REDIRECT, login: 'alg@example.jp', password: 'algorithm password', scope: 'openid' });
    const tokens = await exchangeCode(pass.issuer, clientId, REDIRECT, flow.code, flow.verifier);
    const idToken = String(tokens.id_token);
    expect(decodeProtectedHeader(idToken).alg).toBe(expected);
    const jwks = (await (await fetch(new URL('/jwks', pass.issuer))).json()) as JSONWebKeySet;
    const { payload } = await jwtVerify(idToken, createLocalJWKSet(jwks), { issuer: pass.issuer, audience: clientId });
    expect(payload.sub).toEqual(expect.any(String));
  });
});

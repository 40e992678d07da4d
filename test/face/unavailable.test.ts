import { createStorage, startPass, type TestStorage } from '../helpers/pass.ts';
import { tempDir } from '../helpers/services.ts';
import { FACE_MESSAGES } from '../../src/face/messages.ts';
import { faceApi, photo, residentToken, type Pass } from './platform.ts';

// Without model files PASS starts and serves OpenID Connect; face says clearly that it is unavailable.
describe('PASS without face models', () => {
  let storage: TestStorage;
  let pass: Pass;
  const empty = tempDir('pass-no-models-');

  beforeAll(async () => {
    storage = await createStorage('embedded');
    pass = await startPass({ ...storage.env, PASS_MODELS_DIR: empty.path });
  }, 60_000);

  afterAll(async () => {
    await pass?.close();
    await storage?.cleanup();
    empty.remove();
  });

  test('/readyz reports face unavailable with the reason, and PASS is ready', async () => {
    const response = await fetch(new URL('/readyz', pass.issuer));
    const body = (await response.json()) as { status: string; checks: Record<string, { status: string; detail?: string }> };
    expect(response.status).toBe(200);
    expect(body.status).toBe('ready');
    expect(body.checks.face?.status).toBe('unavailable');
    expect(body.checks.face?.detail).toMatch(/missing.*models:fetch/);
  });

  test('discovery is served', async () => {
    const response = await fetch(new URL('/.well-known/openid-configuration', pass.issuer));
    expect(response.status).toBe(200);
    expect(((await response.json()) as { issuer: string }).issuer).toBe(pass.issuer);
  });

  test('the face API answers models_unavailable; status still works', async () => {
    const { token } = await residentToken(pass, 'nomodels@example.jp');
    expect((await faceApi(pass, 'GET', token)).body).toEqual({ available: false, reason: 'models_unavailable', enrolled: false });
    const refused = await faceApi(pass, 'POST', token, await photo('obama', 1));
    expect(refused.status).toBe(503);
    expect(refused.body).toMatchObject({ reason: 'models_unavailable', message: FACE_MESSAGES.models_unavailable });
    expect(refused.headers.get('retry-after')).toBe('30');
    expect((await faceApi(pass, 'DELETE', token)).status).toBe(204);
  });
});

// Redis restarts while residents sign in, facility systems take tokens and kiosks check people in,
// behind two PASS nodes. Redis holds sessions, interactions, access tokens, DPoP replay records and
// rate limits, and carries the nodes' events: PASS must answer clean 503s while it is away, and
// serve again by itself once it is back (ioredis reconnects; the event bus re-subscribes).
import { decodeProtectedHeader } from 'jose';
import { passCli } from '../helpers/cli.ts';
import { NODE_HEADER } from '../helpers/cluster.ts';
import { startDeployment, type Deployment } from './fixture.ts';
import { login, Recorder } from './load.ts';
import { expectCleanRecovery, underLoad } from './outage.ts';
import { basicAuth, expectClean503, onSignInPage, OUTAGE_TEXT } from './probes.ts';

const OUTAGE_MS = 4000;
let deployment: Deployment;

beforeAll(async () => {
  // Keys are never polled: after the restart only Redis pub/sub can bring a rotation to the nodes.
  deployment = await startDeployment({ nodes: 2, kiosks: 2, env: { KEY_REFRESH_SECONDS: '3600' } });
}, 90_000);

afterAll(async () => {
  await deployment?.close();
});

test('PASS answers 503 while Redis restarts and recovers by itself; no check-in lost or doubled', async () => {
  const resident = await onSignInPage(deployment);
  const report = await underLoad(deployment, async () => {
    const downAt = Date.now();
    await deployment.redis.stop();
    // The sign-in page's interaction is in Redis: a clean page saying to try again, not "expired".
    const page = await expectClean503(await resident.post('text/html'));
    expect(page).toContain(OUTAGE_TEXT.ja);
    const json = await resident.post('application/json');
    expect(JSON.parse(await expectClean503(json))).toMatchObject({ error: 'unavailable', reason: 'service_unavailable', message: { ja: expect.any(String), en: expect.any(String) } });
    // client_credentials tokens live in Redis: oidc-provider's error shape.
    const token = await fetch(`${deployment.issuer}/token`, {
      method: 'POST',
      headers: { authorization: basicAuth(deployment), 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials',
      signal: AbortSignal.timeout(10_000),
    });
    expect(JSON.parse(await expectClean503(token))).toEqual({ error: 'temporarily_unavailable', error_description: expect.any(String) });
    await new Promise((r) => setTimeout(r, OUTAGE_MS));
    await deployment.redis.start();
    return { downAt };
  });
  // With the append-only file, the interaction survived the restart: the sign-in goes on.
  expect((await resident.post('text/html')).status).toBe(303);
  expect(report.during.unavailable).toBeGreaterThan(0);
  expectCleanRecovery(report, deployment);
}, 120_000);

test('after the restart the nodes hear each other again: a key rotation reaches both at once', async () => {
  const rotated = await passCli(['keys', 'rotate', '--json'], deployment.env);
  expect(rotated.code).toBe(0);
  const newKid = (JSON.parse(rotated.stdout) as Array<{ kid: string; alg: string; status: string }>).find((k) => k.alg === 'ES256' && k.status === 'current')!.kid;
  for (const node of [0, 1]) {
    let kid: string | undefined;
    for (let i = 0; i < 25 && kid !== newKid; i += 1) {
      if (i) await new Promise((r) => setTimeout(r, 200));
      const tokens = await login(new Recorder(), deployment, deployment.residents[0]!, { scope: 'openid', route: () => ({ [NODE_HEADER]: String(node) }) });
      kid = decodeProtectedHeader(String(tokens?.id_token)).kid;
    }
    expect({ node, kid }).toEqual({ node, kid: newKid });
  }
}, 60_000);

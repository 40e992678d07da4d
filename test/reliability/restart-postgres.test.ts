// PostgreSQL restarts while residents sign in, facility systems take tokens and kiosks check people
// in, behind two PASS nodes. PASS is not restarted: it must answer clean 503s while the database is
// away and serve again by itself once it is back, without losing or doubling an acknowledged check-in.
import { startDeployment, type Deployment } from './fixture.ts';
import { expectCleanRecovery, underLoad } from './outage.ts';
import { expectClean503, onSignInPage, OUTAGE_TEXT } from './probes.ts';

const OUTAGE_MS = 4000;
let deployment: Deployment;

beforeAll(async () => {
  deployment = await startDeployment({ nodes: 2, kiosks: 2 });
}, 90_000);

afterAll(async () => {
  await deployment?.close();
});

test('PASS answers 503 while PostgreSQL restarts and recovers by itself; no check-in lost or doubled', async () => {
  const resident = await onSignInPage(deployment);
  const report = await underLoad(deployment, async () => {
    const downAt = Date.now();
    await deployment.pg.stop('fast');
    // A browser posting the sign-in form gets PASS's page saying to try again, in Japanese first.
    const page = await expectClean503(await resident.post('text/html'));
    expect(page).toContain(OUTAGE_TEXT.ja);
    // An OAuth client gets oidc-provider's error shape (refresh tokens live in PostgreSQL).
    const refresh = await fetch(`${deployment.issuer}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'refresh_token', client_id: deployment.app.clientId, refresh_token: 'x'.repeat(43) }),
      signal: AbortSignal.timeout(10_000),
    });
    expect(JSON.parse(await expectClean503(refresh))).toEqual({ error: 'temporarily_unavailable', error_description: expect.any(String) });
    await new Promise((r) => setTimeout(r, OUTAGE_MS));
    await deployment.pg.start();
    return { downAt };
  });
  // The same sign-in goes on where it stopped once the database is back: the resident only retried.
  const retried = await resident.post('text/html');
  expect(retried.status).toBe(303);
  // The outage was seen: callers were told to come back, not left hanging.
  expect(report.during.unavailable).toBeGreaterThan(0);
  expectCleanRecovery(report, deployment);
}, 120_000);

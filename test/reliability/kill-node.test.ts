// One of two PASS nodes is killed (kill -9: no shutdown, as when its machine dies) while residents
// sign in, facility systems take tokens and kiosks check people in. The proxy routes around it;
// requests that were on the dead node fail at the proxy (502) and are retried by their callers.
// Nothing acknowledged is lost or doubled, and the node, started again, takes its share.
import { startDeployment, type Deployment } from './fixture.ts';
import { expectCleanRecovery, underLoad } from './outage.ts';

let deployment: Deployment;

beforeAll(async () => {
  deployment = await startDeployment({ nodes: 2, kiosks: 2 });
}, 90_000);

afterAll(async () => {
  await deployment?.close();
});

test('the other node serves on after kill -9, the restarted node rejoins; no check-in lost or doubled', async () => {
  const victim = deployment.nodes[0]!;
  const report = await underLoad(
    deployment,
    async () => {
      const downAt = Date.now();
      await victim.kill();
      return { downAt };
    },
    { allowBadGateway: true },
  );
  expect(victim.alive()).toBe(false);
  // While A was dead, every kind of operation went on through B.
  for (const kind of ['login', 'machine', 'checkin'] as const) expect({ kind, within: report.recovery[kind]! < 5000 }).toEqual({ kind, within: true });
  expectCleanRecovery(report, deployment, [deployment.nodes[1]!]);

  const restarted = await deployment.restartNode(0);
  const before = deployment.proxy.served[0] ?? 0;
  for (let i = 0; i < 6; i += 1) expect((await fetch(`${deployment.issuer}/.well-known/openid-configuration`)).status).toBe(200);
  expect((deployment.proxy.served[0] ?? 0) - before).toBeGreaterThan(0);
  expect(restarted.alive()).toBe(true);
}, 120_000);

import path from 'node:path';
import type { BenchContext, Scenario, ScenarioResult } from '../types.ts';
import { startChildServer, type ChildServer } from '../lib/child.ts';
import { compareTargets, type LoadRequest } from '../lib/load.ts';
import { freePort, passCli, startPassProcess } from '../lib/pass-process.ts';
import { REPO_ROOT } from '../lib/services.ts';

const PASS = 'PASS (PostgreSQL + Redis)';
const BARE = 'bare oidc-provider (in-memory)';
/** Enough to keep one server core busy; few enough that autocannon on the other core keeps up. */
const CONNECTIONS = 16;

interface ClientRecord {
  client_id: string;
  client_secret: string;
  [key: string]: unknown;
}

async function createClient(ctx: BenchContext): Promise<ClientRecord> {
  const services = { databaseUrl: ctx.databaseUrl, redisUrl: ctx.redisUrl };
  await passCli(['migrate'], services);
  const out = await passCli(['client', 'create', '--name', 'bench client_credentials', '--grant-types', 'client_credentials', '--json'], services);
  const client = JSON.parse(out) as ClientRecord;
  if (!client.client_id || !client.client_secret) throw new Error(`client create printed no client id and secret: ${out}`);
  return client;
}

async function startBare(client: ClientRecord, nodeArgs: string[]): Promise<ChildServer> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  // The same registered metadata PASS holds, minus PASS's own column.
  const { facility_id: _facility, ...metadata } = client;
  return startChildServer({
    args: [...nodeArgs, path.join(REPO_ROOT, 'bench/bare-provider.ts')],
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH, NODE_ENV: 'test', BARE_PORT: String(port), BARE_CLIENT: JSON.stringify(metadata) },
    url,
    readyUrl: `${url}/.well-known/openid-configuration`,
  });
}

interface Endpoints {
  token: string;
  introspection: string;
}

async function endpoints(server: ChildServer): Promise<Endpoints> {
  const response = await fetch(`${server.url}/.well-known/openid-configuration`);
  const metadata = (await response.json()) as { token_endpoint?: string; introspection_endpoint?: string };
  if (!metadata.token_endpoint || !metadata.introspection_endpoint) throw new Error(`${server.url}: discovery lacks token or introspection endpoint`);
  return { token: metadata.token_endpoint, introspection: metadata.introspection_endpoint };
}

function tokenRequest(token: string, authorization: string): LoadRequest {
  return {
    url: token,
    method: 'POST',
    headers: { authorization, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: 'grant_type=client_credentials',
    connections: CONNECTIONS,
  };
}

/** One grant and its introspection through each server before timing: both must do the real work. */
async function checkServes(label: string, ends: Endpoints, authorization: string): Promise<void> {
  const headers = { authorization, 'content-type': 'application/x-www-form-urlencoded' };
  const granted = await fetch(ends.token, { method: 'POST', headers, body: 'grant_type=client_credentials' });
  const body = (await granted.json()) as { access_token?: string };
  if (!granted.ok || !body.access_token) throw new Error(`${label}: client_credentials grant failed (${granted.status}): ${JSON.stringify(body)}`);
  const introspected = await fetch(ends.introspection, { method: 'POST', headers, body: `token=${encodeURIComponent(body.access_token)}` });
  const info = (await introspected.json()) as { active?: boolean };
  if (info.active !== true) throw new Error(`${label}: the token it issued does not introspect as active: ${JSON.stringify(info)}`);
}

function profileArgs(ctx: BenchContext, name: string): string[] {
  return ctx.profileDir ? ['--cpu-prof', `--cpu-prof-dir=${ctx.profileDir}`, `--cpu-prof-name=${name}-\${pid}.cpuprofile`] : [];
}

const scenario: Scenario = {
  name: 'client-credentials',
  description: 'client_credentials token requests: PASS on PostgreSQL + Redis against a bare oidc-provider, same run',
  async run(ctx: BenchContext): Promise<ScenarioResult> {
    const client = await createClient(ctx);
    const authorization = `Basic ${Buffer.from(`${encodeURIComponent(client.client_id)}:${encodeURIComponent(client.client_secret)}`).toString('base64')}`;
    const servers: ChildServer[] = [];
    try {
      const bare = await startBare(client, profileArgs(ctx, 'bare'));
      servers.push(bare);
      const pass = await startPassProcess({ databaseUrl: ctx.databaseUrl, redisUrl: ctx.redisUrl, nodeArgs: profileArgs(ctx, 'pass') });
      servers.push(pass);
      const [bareEnds, passEnds] = await Promise.all([endpoints(bare), endpoints(pass)]);
      await checkServes(BARE, bareEnds, authorization);
      await checkServes(PASS, passEnds, authorization);

      const { measurements, rounds } = await compareTargets(
        [
          { label: BARE, request: tokenRequest(bareEnds.token, authorization), pid: bare.pid },
          { label: PASS, request: tokenRequest(passEnds.token, authorization), pid: pass.pid },
        ],
        { seconds: ctx.durationSeconds, warmupSeconds: ctx.quick ? 1 : 5, rounds: ctx.rounds, log: ctx.log },
      );
      const [bareM, passM] = measurements as [(typeof measurements)[0], (typeof measurements)[0]];
      const perRound = (label: string) =>
        rounds.filter((r) => r.label === label).map((r) => r.figures.throughput.toFixed(0)).join(', ');
      return {
        name: scenario.name,
        measurements: [passM, bareM],
        ratios: [
          { label: 'PASS / bare oidc-provider', value: passM.throughput / bareM.throughput, goal: 0.8, higherIsBetter: true },
          { label: 'PASS / bare oidc-provider p99 latency', value: passM.p99Ms! / bareM.p99Ms!, higherIsBetter: false },
          // Steadier than req/s on a shared machine; counts the Node process only, not PostgreSQL or Redis.
          ...(passM.cpuMsPerOp && bareM.cpuMsPerOp
            ? [{ label: 'PASS / bare server CPU per request', value: passM.cpuMsPerOp / bareM.cpuMsPerOp, higherIsBetter: false }]
            : []),
        ],
        notes: [
          `POST /token grant_type=client_credentials, client_secret_basic; ${CONNECTIONS} connections, ${ctx.durationSeconds} s per round, median of ${ctx.rounds} alternating rounds`,
          `req/s per round: PASS ${perRound(PASS)}; bare ${perRound(BARE)}`,
        ],
      };
    } finally {
      for (const server of servers.reverse()) await server.stop();
    }
  },
};

export default scenario;

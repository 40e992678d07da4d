// A small PASS deployment for the reliability tests and the soak: its own PostgreSQL and Redis,
// two or more PASS processes behind the test proxy (which is every node's issuer), a facility with
// staff, residents registered there, kiosks provisioned the way the tablet does it, a relying
// party for sign-ins and a facility system for client_credentials.
import { randomUUID } from 'node:crypto';
import { loadConfig } from '../../src/config/load-config.ts';
import { createLogger } from '../../src/core/logger.ts';
import { openPlatform } from '../../src/platform.ts';
import { readCatalog } from '../../src/facilities/facility-service.ts';
import { createProofingPki } from '../../src/identity/proofing/pki.ts';
import { StaffService } from '../../src/staff/staff-service.ts';
import { authorize, exchangeCode } from '../helpers/browserless.ts';
import { passCli } from '../helpers/cli.ts';
import { startNode, startProxy, type PassNode, type Proxy } from '../helpers/cluster.ts';
import { REPO_ROOT } from '../helpers/pass.ts';
import { startPrivatePostgres, startPrivateRedis, type PrivatePostgres, type PrivateRedis } from '../helpers/private-services.ts';
import { approveDevice, PASSWORD, TestKiosk } from '../kiosk/helpers.ts';
import type { LoadTarget } from './load.ts';

export const FACILITY = 'kaga-niconico-park';
const STAFF = 'staff@reliability.example.jp';
const REDIRECT = 'http://127.0.0.1:9/reliability-cb';

export interface Deployment extends LoadTarget {
  pg: PrivatePostgres;
  redis: PrivateRedis;
  proxy: Proxy;
  nodes: PassNode[];
  /** What every node gets: DATABASE_URL, REDIS_URL and the test's extras. */
  env: Record<string, string>;
  /** Starts node `index` again (after a kill), on its old port. */
  restartNode(index: number): Promise<PassNode>;
  close(): Promise<void>;
}

export interface DeploymentOptions {
  nodes?: number;
  kiosks?: number;
  residents?: number;
  /** Extra variables for every node (face models, key refresh…). */
  env?: Record<string, string>;
  /** Node flags and an output listener (node index, chunk), for the soak's GC trace. */
  nodeArgs?: string[];
  onOutput?: (node: number, chunk: string) => void;
  /**
   * Residents are members of the facility's face gallery (their faces are enrolled later, through
   * the API): each is proofed with a virtual card of their own, since only proofed persons enroll a face.
   */
  gallery?: boolean;
}

async function seed(env: Record<string, string>, residents: number, gallery: boolean): Promise<Array<{ email: string; accountId: string }>> {
  const config = loadConfig({ NODE_ENV: 'test', PASS_DEMO_DATA: 'false', LOG_LEVEL: 'silent', ...env }, REPO_ROOT);
  const platform = await openPlatform(config, createLogger('silent'), 'apply');
  try {
    await platform.facilities.importCatalog(readCatalog());
    const staff = await platform.accounts.create({ email: STAFF, password: PASSWORD, verified: true });
    await new StaffService(platform.db).assign({ accountId: staff.id, role: 'facility_staff', facilityId: FACILITY });
    const out: Array<{ email: string; accountId: string }> = [];
    for (let i = 0; i < residents; i += 1) {
      const email = `resident${i}@reliability.example.jp`;
      const account = await platform.accounts.create({ email, password: PASSWORD, verified: true });
      // Registered at the facility, so their QR check-ins are accepted (as bench/scenarios/kiosk-checkin.ts seeds them).
      const personId = randomUUID();
      await platform.db('persons').insert({ id: personId, account_id: account.id, relation: 'self' });
      await platform.db('registrations').insert({ id: randomUUID(), person_id: personId, facility_id: FACILITY, status: 'active', claims: JSON.stringify(['name', 'age']) });
      if (gallery) await platform.db('face_gallery_members').insert({ gallery_id: `facility:${FACILITY}`, person_id: personId });
      out.push({ email, accountId: account.id });
    }
    if (gallery) {
      const { config: c, db, box, log } = platform;
      const cards = (await createProofingPki({ config: c, db, box, log })).dev!;
      for (let i = 0; i < residents; i += 1) await cards.issue(residentFacts(i), { id: residentCard(i) });
    }
    return out;
  } finally {
    await platform.close();
  }
}

const residentCard = (i: number) => `reliability-resident-${i}`;
function residentFacts(i: number) {
  return { name: `加賀　住民${i}`, birthdate: `1980-01-${String(i + 1).padStart(2, '0')}`, sex: '1' as const, address: '石川県加賀市作見町ル２５番地１', prefecture: 'Ishikawa-ken', municipality: 'Kaga-shi' };
}

/** Identity proofing over HTTP, as the app does it, with the resident's virtual card. */
async function proveResident(issuer: string, token: string, cardId: string): Promise<void> {
  const call = async (path: string, body?: unknown) => {
    const response = await fetch(`${issuer}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    const answer = (await response.json()) as Record<string, any>;
    if (!response.ok) throw new Error(`proofing ${path}: ${response.status} ${JSON.stringify(answer)}`);
    return answer;
  };
  const challenge = await call('/api/identity/jpki/challenge');
  const signed = await call(`/api/identity/jpki/dev/cards/${cardId}/sign`, { pin: 'PASS1234', challenge: challenge.challenge });
  const verified = await call('/api/identity/jpki/verify', { challenge_id: challenge.challenge_id, ...signed });
  await call('/api/identity/jpki/confirm', { verification_id: verified.verification_id });
}

async function provisionKiosk(issuer: string, outboxes: string[]): Promise<TestKiosk> {
  const kiosk = await new TestKiosk(issuer).init();
  const auth = await kiosk.deviceAuthorization();
  await approveDevice(issuer, auth.verification_uri_complete, STAFF, PASSWORD, 'allow', outboxes);
  const tokens = await kiosk.token({ grant_type: 'urn:ietf:params:oauth:grant-type:device_code', device_code: auth.device_code });
  if (tokens.status !== 200) throw new Error(`kiosk token: ${JSON.stringify(tokens.body)}`);
  const activated = await kiosk.call('POST', '/api/kiosk/activation', { json: {} });
  if (activated.status !== 201) throw new Error(`kiosk activation: ${activated.status} ${JSON.stringify(activated.body)}`);
  kiosk.id = activated.body.kiosk.id;
  return kiosk;
}

export async function startDeployment(options: DeploymentOptions = {}): Promise<Deployment> {
  const [pg, redis] = await Promise.all([startPrivatePostgres(), startPrivateRedis()]);
  const cleanup: Array<() => Promise<void>> = [() => pg.destroy(), () => redis.destroy()];
  try {
    // The load signs the same few residents in again and again from one address: no rate limit in the way.
    const env = { DATABASE_URL: pg.url, REDIS_URL: redis.url, RATE_LIMIT_PER_ACCOUNT: '1000000', RATE_LIMIT_PER_IP: '1000000', ...options.env };
    const accounts = await seed(env, options.residents ?? 3, options.gallery ?? false);
    const [machineOut, appOut] = await Promise.all([
      passCli(['client', 'create', '--name', 'facility system', '--grant-types', 'client_credentials', '--json'], env),
      passCli(['client', 'create', '--name', 'reliability app', '--client-id', 'reliability-app', '--redirect-uri', REDIRECT, '--auth-method', 'none', '--json'], env),
    ]);
    if (machineOut.code !== 0 || appOut.code !== 0) throw new Error(`client create failed: ${machineOut.stderr} ${appOut.stderr}`);
    const machine = JSON.parse(machineOut.stdout) as { client_id: string; client_secret: string };

    const proxy = await startProxy();
    cleanup.unshift(() => proxy.close());
    const nodeOptions = (i: number) => ({ nodeArgs: options.nodeArgs ?? [], onOutput: (chunk: string) => options.onOutput?.(i, chunk) });
    const nodes = await Promise.all(Array.from({ length: options.nodes ?? 2 }, (_n, i) => startNode(proxy.url, env, undefined, nodeOptions(i))));
    cleanup.unshift(async () => {
      await Promise.all(nodes.map((n) => n.stop()));
    });
    proxy.nodes.push(...nodes);

    const issuer = proxy.url;
    const app = { clientId: 'reliability-app', redirectUri: REDIRECT };
    const residents = [];
    // Each node keeps its own development outbox: the sign-in code is read from whichever sent it.
    const outboxes = nodes.map((n) => n.url);
    for (const account of accounts) {
      // The first sign-in: the password and the e-mail code, the browser remembered (its cookie is kept for the load's sign-ins).
      const flow = await authorize({ issuer, clientId: app.clientId, redirectUri: REDIRECT, login: account.email, password: PASSWORD, scope: 'openid pass:api', resource: `${issuer}/api`, outboxes });
      const tokens = await exchangeCode(issuer, app.clientId, REDIRECT, flow.code, flow.verifier);
      const device = flow.jar.get('pass_device');
      if (!device) throw new Error(`${account.email}: the browser was not remembered`);
      residents.push({ email: account.email, accountId: account.accountId, password: PASSWORD, apiToken: String(tokens.access_token), device });
      if (options.gallery) await proveResident(issuer, String(tokens.access_token), residentCard(residents.length - 1));
    }
    const kiosks: TestKiosk[] = [];
    for (let i = 0; i < (options.kiosks ?? 2); i += 1) kiosks.push(await provisionKiosk(issuer, outboxes));

    return {
      issuer,
      app,
      machine: { clientId: machine.client_id, secret: machine.client_secret },
      residents,
      kiosks,
      pg,
      redis,
      proxy,
      nodes,
      env,
      async restartNode(index) {
        const node = await startNode(proxy.url, env, nodes[index]!.port, nodeOptions(index));
        nodes[index] = node;
        proxy.restore(index, node);
        return node;
      },
      async close() {
        for (const step of cleanup) await step().catch(() => {});
      },
    };
  } catch (error) {
    for (const step of cleanup) await step().catch(() => {});
    throw error;
  }
}

/** Log lines of a node that say it nearly or really crashed: an unhandled error event or rejection. */
export function crashSigns(output: string): string[] {
  return output.split('\n').filter((line) => /uncaught|unhandled|ERR_UNHANDLED|triggerUncaughtException|Unhandled 'error' event/i.test(line));
}

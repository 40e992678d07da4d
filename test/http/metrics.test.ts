// GET /metrics (issue 18): PASS in this process with a METRICS_TOKEN, one QR check-in and one face
// check-in at a provisioned kiosk and one refused proofing step, scraped in the Prometheus text
// format: the check-in counter moves by exactly one per new check-in id (not for a retry), the HTTP
// series carry route patterns rather than raw paths, no id or secret appears in any label, and
// prom-client's process series are there. A scrape without the token is refused; without a token
// /metrics answers loopback only (production: nobody, unless METRICS_OPEN); with PASS_WORKERS=2
// any worker reports the whole node.
import '../face/realm.ts';
import { randomBytes, randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import { createStorage, configFor, startPass, type TestStorage } from '../helpers/pass.ts';
import { storageModes, TEST_DATABASE_URL } from '../helpers/services.ts';
import { startNode, type PassNode } from '../helpers/cluster.ts';
import { provisionKiosk, staffAccount, withFacilities, type Pass, type TestKiosk } from '../kiosk/helpers.ts';
import { proofedResident, register, residentApiToken } from '../kiosk/fixtures.ts';
import { faceEnv, photo } from '../face/platform.ts';
import { metricsAccess, metricsEndpoint, type MetricsAccess } from '../../src/http/metrics.ts';
import { ConfigurationError } from '../../src/core/errors.ts';
import { checkinRefusalClass } from '../../src/checkins/metrics.ts';
import { proofingRefusalClass } from '../../src/identity/proofing/metrics.ts';
import { PassError } from '../../src/core/errors.ts';
import { createLogger } from '../../src/core/logger.ts';

const mode = storageModes().at(-1)!;
const METRICS_TOKEN = randomBytes(32).toString('hex');

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** The Prometheus text format (0.0.4): `name{label="value",…} value`, label values escaped with \\, \" and \n. */
function parse(text: string): { samples: Sample[]; types: Map<string, string> } {
  const samples: Sample[] = [];
  const types = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const type = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (type) types.set(type[1]!, type[2]!);
    if (line.startsWith('#')) continue;
    const head = /^([a-zA-Z_:][a-zA-Z0-9_:]*)/.exec(line);
    if (!head) throw new Error(`not a sample line: ${line}`);
    const labels: Record<string, string> = {};
    let rest = line.slice(head[1]!.length);
    if (rest.startsWith('{')) {
      rest = rest.slice(1);
      const label = /^([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)",?/;
      for (let m = label.exec(rest); m; m = label.exec(rest)) {
        labels[m[1]!] = m[2]!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
        rest = rest.slice(m[0].length);
      }
      if (!rest.startsWith('}')) throw new Error(`bad labels: ${line}`);
      rest = rest.slice(1);
    }
    const value = rest.trim().split(' ')[0]!;
    samples.push({ name: head[1]!, labels, value: value === '+Inf' ? Infinity : value === '-Inf' ? -Infinity : Number(value) });
  }
  return { samples, types };
}

class Scraped {
  readonly samples: Sample[];
  readonly types: Map<string, string>;
  constructor(text: string) {
    ({ samples: this.samples, types: this.types } = parse(text));
  }

  /** The samples of a series whose labels include these. */
  find(name: string, labels: Record<string, string> = {}): Sample[] {
    return this.samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  }

  /** The sum of the matching samples (0 when none). */
  value(name: string, labels: Record<string, string> = {}): number {
    return this.find(name, labels).reduce((sum, s) => sum + s.value, 0);
  }
}

async function scrape(base: string, token: string | undefined = METRICS_TOKEN): Promise<Scraped> {
  const response = await fetch(`${base}/metrics`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  expect(response.headers.get('cache-control')).toBe('no-store');
  return new Scraped(await response.text());
}

describe(`/metrics (${mode})`, () => {
  let storage: TestStorage;
  let pass: Pass;
  let kiosk: TestKiosk;
  let residentToken: string;

  beforeAll(async () => {
    storage = await createStorage(mode);
    pass = await startPass(faceEnv({ ...storage.env, METRICS_TOKEN }));
    await withFacilities(pass);
    await staffAccount(pass, 'staff@niconico.example.jp', 'facility_staff', { facilityId: 'kaga-niconico-park' });
    const resident = await proofedResident(pass);
    await register(pass, resident.personId, 'kaga-niconico-park', ['name']);
    kiosk = await provisionKiosk(pass, 'staff@niconico.example.jp');
    residentToken = await residentApiToken(pass, 'resident@pass.localhost');
  }, 120_000);

  afterAll(async () => {
    await pass?.close();
    await storage?.cleanup();
  });

  const checkinSeries = (s: Scraped) => Object.fromEntries(s.find('pass_checkins_total').map((x) => [JSON.stringify(x.labels), x.value]));

  test('a QR check-in is counted once, by method and result; a retry of its id is not', async () => {
    const qr = await fetch(`${pass.issuer}/api/checkins/qr-token`, { method: 'POST', headers: { authorization: `Bearer ${residentToken}` } });
    expect(qr.status).toBe(201);
    const { token } = (await qr.json()) as { token: string };

    const before = await scrape(pass.issuer);
    const id = randomUUID();
    const first = await kiosk.call('POST', '/api/kiosk/checkins/qr', { json: { id, token } });
    expect(first.body).toMatchObject({ result: 'accepted', method: 'qr', replayed: false });
    const retry = await kiosk.call('POST', '/api/kiosk/checkins/qr', { json: { id, token } });
    expect(retry.body).toMatchObject({ result: 'accepted', replayed: true });
    expect((await kiosk.call('GET', `/api/kiosk/checkins/${id}`)).status).toBe(200);
    const after = await scrape(pass.issuer);

    expect(after.types.get('pass_checkins_total')).toBe('counter');
    const accepted = { method: 'qr', result: 'accepted', reason_class: 'none' };
    expect(after.value('pass_checkins_total', accepted) - before.value('pass_checkins_total', accepted)).toBe(1);
    // Nothing else moved: one new id, one count.
    const moved = Object.entries(checkinSeries(after)).filter(([labels, value]) => value !== (checkinSeries(before)[labels] ?? 0));
    expect(moved.map(([labels]) => JSON.parse(labels))).toEqual([accepted]);

    // The HTTP series name the route pattern, never the path with the check-in's id in it.
    expect(after.types.get('pass_http_request_duration_seconds')).toBe('histogram');
    const byId = { route: '/api/kiosk/checkins/:id', method: 'GET', status_class: '2xx' };
    expect(after.value('pass_http_request_duration_seconds_count', byId) - before.value('pass_http_request_duration_seconds_count', byId)).toBe(1);
    expect(after.value('pass_http_requests_total', byId) - before.value('pass_http_requests_total', byId)).toBe(1);
    const posted = { route: '/api/kiosk/checkins/qr', method: 'POST', status_class: '2xx' };
    expect(after.value('pass_http_requests_total', posted) - before.value('pass_http_requests_total', posted)).toBe(2);
    const buckets = after.find('pass_http_request_duration_seconds_bucket', byId);
    expect(buckets.find((b) => b.labels.le === '+Inf')?.value).toBe(after.value('pass_http_request_duration_seconds_count', byId));
    expect(after.value('pass_http_request_duration_seconds_sum', byId)).toBeGreaterThan(0);
    // oidc-provider's routes and the sign-in pages are patterns too (the kiosk's device grant and the staff's approval).
    expect(after.find('pass_http_requests_total', { route: '/token', method: 'POST' }).length).toBeGreaterThan(0);
    const routes = new Set(after.find('pass_http_requests_total').map((s) => s.labels.route!));
    expect([...routes].filter((r) => r.startsWith('/interaction/')).every((r) => r.includes(':'))).toBe(true);
    for (const route of routes) expect(route === 'unmatched' || route.startsWith('/')).toBe(true);
    for (const sample of after.find('pass_http_requests_total')) {
      expect(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'other']).toContain(sample.labels.method);
      expect(sample.labels.status_class).toMatch(/^[1-5]xx$/);
    }

    // No id, token or secret in any label of any series.
    const secrets = [id, kiosk.id, kiosk.accessToken, token, residentToken, METRICS_TOKEN];
    for (const sample of after.samples) {
      for (const value of Object.values(sample.labels)) {
        for (const secret of secrets) expect(value).not.toContain(secret);
        expect(value).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i);
        expect(value).not.toContain('?');
      }
    }
  });

  test('a face check-in: inference time by stage, the wait, the queue, the PAD outcome and the refusal class', async () => {
    const before = await scrape(pass.issuer);
    const id = randomUUID();
    const answer = await kiosk.call('POST', `/api/kiosk/checkins/face?id=${id}`, { body: await photo('paul_allen', 1), contentType: 'image/jpeg' });
    expect(answer).toMatchObject({ status: 201, body: { result: 'rejected', reason: 'no_match', method: 'face' } });
    const after = await scrape(pass.issuer);

    const rejected = { method: 'face', result: 'rejected', reason_class: 'no_match' };
    expect(after.value('pass_checkins_total', rejected) - before.value('pass_checkins_total', rejected)).toBe(1);
    for (const stage of ['decode', 'detect', 'align', 'embed']) {
      expect(after.value('pass_face_inference_seconds_count', { stage }) - before.value('pass_face_inference_seconds_count', { stage })).toBe(1);
    }
    expect(after.value('pass_face_inference_seconds_sum', { stage: 'embed' })).toBeGreaterThan(0);
    expect(after.value('pass_face_analysis_seconds_count', { operation: 'identify' }) - before.value('pass_face_analysis_seconds_count', { operation: 'identify' })).toBe(1);
    expect(after.value('pass_face_pad_total', { outcome: 'not_checked' }) - before.value('pass_face_pad_total', { outcome: 'not_checked' })).toBe(1);
    expect(after.types.get('pass_face_queue_depth')).toBe('gauge');
    expect(after.value('pass_face_queue_depth')).toBe(0);
    expect(after.value('pass_face_workers', { state: 'busy' }) + after.value('pass_face_workers', { state: 'idle' })).toBe(1);
    // The id went in the query string; the route label has none of it.
    expect(after.find('pass_http_requests_total', { route: '/api/kiosk/checkins/face', method: 'POST', status_class: '2xx' })).toHaveLength(1);
  });

  test('a refused identity proofing step is counted by step and reason class', async () => {
    const before = await scrape(pass.issuer);
    const response = await fetch(`${pass.issuer}/api/identity/jpki/verify`, {
      method: 'POST',
      headers: { authorization: `Bearer ${residentToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ challenge_id: randomBytes(16).toString('base64url'), certificate: 'AAAA', signature: 'AAAA' }),
    });
    expect(response.status).toBe(400);
    const after = await scrape(pass.issuer);
    const refused = { step: 'verify', result: 'refused', reason_class: 'challenge' };
    expect(after.value('pass_identity_proofing_total', refused) - before.value('pass_identity_proofing_total', refused)).toBe(1);
    expect(after.types.get('pass_identity_proofing_total')).toBe('counter');
  });

  test("prom-client's process series and event-loop lag are there", async () => {
    const s = await scrape(pass.issuer);
    for (const name of ['process_cpu_user_seconds_total', 'process_resident_memory_bytes', 'nodejs_eventloop_lag_seconds', 'nodejs_eventloop_lag_p99_seconds', 'nodejs_heap_size_used_bytes']) {
      expect(s.find(name).length).toBeGreaterThan(0);
    }
    expect(s.value('pass_processes')).toBe(1);
  });

  test('a scrape without the token, or with another, is refused', async () => {
    for (const headers of [{}, { authorization: 'Bearer wrong-token-wrong-token-wrong-token' }, { authorization: `Basic ${METRICS_TOKEN}` }, { authorization: `Bearer ${METRICS_TOKEN}x` }]) {
      const response = await fetch(`${pass.issuer}/metrics`, { headers });
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toBe('Bearer realm="metrics"');
      expect(await response.text()).not.toContain('pass_');
    }
    // From loopback too: with a token configured, the token is the only way in.
    expect((await fetch(`${pass.issuer}/metrics?token=${METRICS_TOKEN}`)).status).toBe(401);
    expect((await fetch(`${pass.issuer}/metrics`, { method: 'POST', headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).status).toBe(405);
  });
});

describe('who may read /metrics', () => {
  const production = { production: true, metrics: { token: undefined, open: false } };
  const development = { production: false, metrics: { token: undefined, open: false } };

  test('a token wins; open only when asked; loopback outside production; nobody in production', () => {
    expect(metricsAccess({ ...production, metrics: { token: METRICS_TOKEN, open: false } })).toEqual({ kind: 'token', token: METRICS_TOKEN });
    expect(metricsAccess({ ...production, metrics: { token: undefined, open: true } })).toEqual({ kind: 'open' });
    expect(metricsAccess(production)).toEqual({ kind: 'off' });
    expect(metricsAccess(development)).toEqual({ kind: 'loopback' });
  });

  async function serve(access: MetricsAccess): Promise<{ url: string; close(): Promise<void> }> {
    const app = new Koa();
    app.use(async (ctx, next) => {
      Object.defineProperty(ctx.state, 'log', { value: createLogger('silent') });
      await next();
    });
    app.use(metricsEndpoint(access, async () => ({ contentType: 'text/plain; version=0.0.4; charset=utf-8', body: 'pass_processes 1\n' })));
    const server = http.createServer(app.callback());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise((r) => server.close(() => r())) };
  }

  test('loopback: a scraper on this machine, not a request a proxy passed on', async () => {
    const server = await serve({ kind: 'loopback' });
    try {
      expect((await fetch(`${server.url}/metrics`)).status).toBe(200);
      for (const header of ['x-forwarded-for', 'forwarded', 'x-real-ip']) {
        const proxied = await fetch(`${server.url}/metrics`, { headers: { [header]: header === 'forwarded' ? 'for=198.51.100.7' : '198.51.100.7' } });
        expect(proxied.status).toBe(403);
      }
    } finally {
      await server.close();
    }
  });

  test('off (production without a token): /metrics is not served at all', async () => {
    const server = await serve({ kind: 'off' });
    try {
      expect((await fetch(`${server.url}/metrics`)).status).toBe(404);
    } finally {
      await server.close();
    }
  });

  test('the configuration: a token is long, and open with a token is a contradiction', () => {
    expect(configFor({ METRICS_TOKEN }).metrics).toEqual({ token: METRICS_TOKEN, open: false });
    expect(configFor({ METRICS_OPEN: 'true' }).metrics).toEqual({ token: undefined, open: true });
    expect(() => configFor({ METRICS_TOKEN: 'short' })).toThrow(ConfigurationError);
    expect(() => configFor({ METRICS_TOKEN, METRICS_OPEN: 'true' })).toThrow(/METRICS_OPEN/);
  });

  test('refusal classes are a fixed set', () => {
    expect(['no_match', 'too_dark', 'corrupt_image', 'challenge_expired', 'qr_expired', 'whatever'].map(checkinRefusalClass)).toEqual([
      'no_match',
      'face_quality',
      'face_image',
      'card_invalid',
      'qr_expired',
      'other',
    ]);
    expect(
      [
        new PassError('invalid_input', 'challenge_invalid', 'x'),
        new PassError('forbidden', 'untrusted_chain', 'x'),
        new PassError('forbidden', 'certificate_revoked', 'x'),
        new PassError('unavailable', 'revocation_unavailable', 'x'),
        new PassError('conflict', 'already_registered', 'x'),
        new PassError('invalid_input', 'malformed_certificate', 'x'),
        new Error('boom'),
      ].map(proofingRefusalClass),
    ).toEqual(['challenge', 'certificate_refused', 'certificate_revoked', 'revocation_unavailable', 'identity_conflict', 'invalid_input', 'error']);
  });
});

// Several workers share the port: whichever answers /metrics reports them all (the primary gathers them).
(TEST_DATABASE_URL ? describe : describe.skip)('/metrics with PASS_WORKERS=2', () => {
  let storage: TestStorage;
  let node: PassNode;

  beforeAll(async () => {
    storage = await createStorage('postgres');
    const port = await (await import('../helpers/pass.ts')).freePort();
    node = await startNode(`http://127.0.0.1:${port}`, { ...storage.env, PASS_WORKERS: '2', METRICS_TOKEN, FACE_WORKERS: '1' }, port, { readyWithinMs: 90_000 });
  }, 120_000);

  afterAll(async () => {
    await node?.stop();
    await storage?.cleanup();
  });

  /** A request on a connection of its own: the cluster hands connections to the workers in turn. */
  const healthz = (url: string) =>
    new Promise<number>((resolve, reject) => {
      http.get(`${url}/healthz`, { agent: false }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      }).on('error', reject);
    });

  test('any worker reports the whole node', async () => {
    // Both workers listening, and both answering the primary.
    const deadline = Date.now() + 60_000;
    while ((await scrape(node.url)).value('pass_processes') !== 2) {
      if (Date.now() > deadline) throw new Error('the second worker did not report');
      await new Promise((r) => setTimeout(r, 250));
    }
    const route = { route: '/healthz', method: 'GET', status_class: '2xx' };
    const before = (await scrape(node.url)).value('pass_http_requests_total', route);
    for (let i = 0; i < 10; i += 1) expect(await healthz(node.url)).toBe(200);
    // Every scrape, whichever worker answers it, has all ten (each worker alone would have about five).
    for (let i = 0; i < 4; i += 1) {
      const s = await scrape(node.url);
      expect(s.value('pass_http_requests_total', route) - before).toBe(10);
      expect(s.value('pass_processes')).toBe(2);
    }
  }, 120_000);
});

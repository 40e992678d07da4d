/**
 * Live alerts across nodes: a kiosk's refused check-in, made through the real kiosk API on node A,
 * reaches a Manager event stream on node B within 2 seconds (PostgreSQL + Redis; one embedded node
 * where those are not available). A stream carries only the events of its staff member's
 * facilities (another facility's stream is a 403; Sakai's events never reach Kaga's staff);
 * acknowledgements are stored once (who, when) and reach every other open stream; a stream resumes
 * from Last-Event-ID; and an open stream does not hold the server's shutdown.
 */
import { randomUUID } from 'node:crypto';
import { createStorage, type TestStorage } from '../helpers/pass.ts';
import { storageModes } from '../helpers/services.ts';
import { csrfOf, request } from '../helpers/browserless.ts';
import { provisionKiosk, type TestKiosk } from '../kiosk/helpers.ts';
import { api, managerSession, staffTokens, staffWorld, STAFF } from './helpers.ts';
import { managerNodes, type TwoNodes } from './nodes.ts';
import { SseClient } from './sse.ts';

const mode = storageModes().at(-1)!;
const crossNode = mode === 'postgres+redis';

describe(`live alerts (${crossNode ? 'kiosk on node A, Manager on node B, PostgreSQL + Redis' : 'one embedded node'})`, () => {
  let storage: TestStorage;
  let nodes: TwoNodes;
  let staffIds: Awaited<ReturnType<typeof staffWorld>>;
  let niconicoKiosk: TestKiosk;
  let sakaiKiosk: TestKiosk;
  const tokens: Record<string, string> = {};
  const streams: SseClient[] = [];

  beforeAll(async () => {
    storage = await createStorage(mode);
    nodes = await managerNodes(storage.env, crossNode);
    staffIds = await staffWorld(nodes.managerNode);
    niconicoKiosk = await provisionKiosk(nodes.managerNode, STAFF.niconico.email, 'kaga-niconico-park');
    sakaiKiosk = await provisionKiosk(nodes.managerNode, STAFF.sakai.email, 'sakai-kids-park');
    Object.assign(tokens, await staffTokens(nodes.managerNode));
  }, 120_000);

  afterAll(async () => {
    for (const stream of streams) stream.close();
    await nodes?.close();
    await storage?.cleanup();
  });

  async function stream(who: string, query = '', headers: Record<string, string> = {}): Promise<SseClient> {
    const client = await SseClient.open(`${nodes.issuer}/api/manager/alerts/stream${query}`, { authorization: `Bearer ${tokens[who]}`, ...headers });
    streams.push(client);
    return client;
  }

  /** A QR code that is not PASS's, shown to a kiosk: refused, recorded, an alert. */
  async function refusedQr(kiosk: TestKiosk): Promise<{ id: string; answeredAt: number; startedAt: number }> {
    const id = randomUUID();
    const startedAt = Date.now();
    const answer = await kiosk.call('POST', '/api/kiosk/checkins/qr', { json: { id, token: 'not-a-pass-qr-code' } });
    expect(answer).toMatchObject({ status: 201, body: { result: 'rejected', reason: 'qr_invalid' } });
    return { id, startedAt, answeredAt: Date.now() };
  }

  test('a refused kiosk check-in reaches the open streams of its facility within 2 seconds, and no other', async () => {
    const niconico = await stream('niconico');
    const sakai = await stream('sakai');
    const admin = await stream('kagaAdmin');
    expect(niconico.status).toBe(200);
    expect(niconico.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(niconico.headers.get('cache-control')).toBe('no-store');

    const failure = await refusedQr(niconicoKiosk);
    const event = await niconico.waitFor((e) => e.event === 'failure' && e.data.id === failure.id, 2000);
    const latency = event.receivedAt - failure.startedAt;
    expect(latency).toBeLessThan(2000);
    expect(event.data).toEqual({
      id: failure.id,
      facilityId: 'kaga-niconico-park',
      kioskId: niconicoKiosk.id,
      kioskName: expect.any(String),
      method: 'qr',
      reason: 'qr_invalid',
      at: expect.any(String),
      thumbnail: false,
      ack: null,
    });
    expect(event.id).toBe(event.data.at);
    await admin.waitFor((e) => e.data.id === failure.id, 2000);

    const sakaiFailure = await refusedQr(sakaiKiosk);
    await sakai.waitFor((e) => e.data.id === sakaiFailure.id, 2000);
    // Give the other streams every chance to (wrongly) receive Sakai's event.
    await new Promise((r) => setTimeout(r, 300));
    for (const client of [niconico, admin]) {
      expect(client.events.some((e) => e.data.id === sakaiFailure.id)).toBe(false);
      expect(client.events.every((e) => ['kaga-niconico-park', 'kaga-library', 'kaga-medical-center', 'kaga-kinjo-shelter'].includes(e.data.facilityId))).toBe(true);
    }
    expect(sakai.events.some((e) => e.data.id === failure.id)).toBe(false);
    expect(sakai.events.every((e) => e.data.facilityId === 'sakai-kids-park')).toBe(true);
    console.info(`refused check-in → Manager stream${crossNode ? ' on another node' : ''}: ${latency} ms`);
  });

  test("another facility's stream is a 403 with nothing in it, in the API and the console", async () => {
    const refused = await stream('niconico', '?facility=sakai-kids-park');
    await refused.ended;
    expect(refused.status).toBe(403);
    expect(refused.events).toEqual([]);
    const { jar } = await managerSession(nodes.issuer, STAFF.niconico.email);
    const response = await request(jar, `${nodes.issuer}/manager/alerts/stream?facility=sakai-kids-park`, { headers: { accept: 'text/event-stream' } });
    expect(response.status).toBe(403);
    expect(await response.text()).not.toContain('sakai');
    const list = await api(nodes.managerNode, tokens.niconico!, '/api/manager/alerts?facility=sakai-kids-park');
    expect(list.status).toBe(403);
    expect(list.body.alerts).toBeUndefined();
  });

  test('an acknowledgement is stored once, with who and when, and reaches every other open page', async () => {
    const watcher = await stream('kagaAdmin');
    const failure = await refusedQr(niconicoKiosk);
    await watcher.waitFor((e) => e.data.id === failure.id, 2000);

    // Sakai's staff cannot acknowledge Kaga's alert, and nothing changes.
    expect(await api(nodes.managerNode, tokens.sakai!, `/api/manager/alerts/${failure.id}/ack`, { method: 'POST' })).toMatchObject({ status: 403, body: { reason: 'facility_not_permitted' } });
    expect(await nodes.managerNode.platform.db('manager_alert_acks').where({ checkin_id: failure.id }).first()).toBeUndefined();

    // The console's form: refused without its CSRF token, accepted with it.
    const { jar } = await managerSession(nodes.issuer, STAFF.niconico.email);
    const page = await (await request(jar, `${nodes.issuer}/manager/alerts/`)).text();
    expect(page).toContain(`data-alert="${failure.id}"`);
    const forged = await request(jar, `${nodes.issuer}/manager/alerts/${failure.id}/ack`, { method: 'POST', body: new URLSearchParams({ csrf: 'forged' }) });
    expect(forged.status).toBe(403);
    const before = Date.now();
    const acked = await request(jar, `${nodes.issuer}/manager/alerts/${failure.id}/ack`, { method: 'POST', body: new URLSearchParams({ csrf: csrfOf(page) }) });
    expect(acked.status).toBe(303);

    const row = await nodes.managerNode.platform.db('manager_alert_acks').where({ checkin_id: failure.id }).first();
    expect(row).toMatchObject({ facility_id: 'kaga-niconico-park', acked_by_account_id: staffIds.niconico });
    expect(new Date(row.acked_at).getTime()).toBeGreaterThanOrEqual(before - 1000);
    const ack = await watcher.waitFor((e) => e.event === 'ack' && e.data.id === failure.id, 2000);
    expect(ack.data).toEqual({ id: failure.id, facilityId: 'kaga-niconico-park', by: STAFF.niconico.email, at: new Date(row.acked_at).toISOString() });

    // A second acknowledgement leaves the first one in place.
    const again = await api(nodes.managerNode, tokens.kagaAdmin!, `/api/manager/alerts/${failure.id}/ack`, { method: 'POST' });
    expect(again.body.alert.ack).toEqual({ by: STAFF.niconico.email, at: new Date(row.acked_at).toISOString() });
    expect(await nodes.managerNode.platform.db('manager_alert_acks').where({ checkin_id: failure.id })).toHaveLength(1);

    const open = await api(nodes.managerNode, tokens.niconico!, '/api/manager/alerts?status=open');
    expect(open.body.alerts.some((a: any) => a.id === failure.id)).toBe(false);
    const all = await api(nodes.managerNode, tokens.niconico!, '/api/manager/alerts?status=all');
    expect(all.body.alerts.find((a: any) => a.id === failure.id)).toMatchObject({ ack: { by: STAFF.niconico.email } });
  });

  test('a reconnecting stream gets what it missed (Last-Event-ID)', async () => {
    const mark = new Date(Date.now() - 1).toISOString();
    const missed = await refusedQr(niconicoKiosk);
    const resumed = await stream('niconico', '', { 'last-event-id': mark });
    const event = await resumed.waitFor((e) => e.data.id === missed.id, 2000);
    expect(event.data.reason).toBe('qr_invalid');
  });

  test('an open stream does not hold shutdown', async () => {
    const open = await stream('niconico');
    await new Promise((r) => setTimeout(r, 100));
    const started = Date.now();
    await nodes.managerNode.close();
    const took = Date.now() - started;
    await open.ended;
    expect(took).toBeLessThan(3000);
    console.info(`shutdown with an open Manager stream: ${took} ms`);
  });
});

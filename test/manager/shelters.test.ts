/**
 * The shelter dashboard: a check-in or check-out at a shelter kiosk, made through the real kiosk
 * API on node A, reaches the dashboard's event stream on node B within 2 seconds (PostgreSQL +
 * Redis; one embedded node where those are not available), with counts only — never a name;
 * check-ins elsewhere do not. The roster shows who is inside, as the check-in showed them; a
 * municipal admin gets the city-wide totals; the periodic report's CSV opens in Excel and
 * round-trips Japanese names, with formulas defused. Staff of another facility get a 403 and no
 * data from the JSON, the CSV, the stream and the console pages; roster reads and exports are audited.
 */
import { randomUUID } from 'node:crypto';
import { createStorage, type TestStorage } from '../helpers/pass.ts';
import { storageModes } from '../helpers/services.ts';
import { request } from '../helpers/browserless.ts';
import { FactsReader } from '../../src/claims/facts.ts';
import { api as residentApi, TARO } from '../jpki/proofing-helpers.ts';
import { provisionKiosk, type TestKiosk } from '../kiosk/helpers.ts';
import type { FamilyEnv } from '../households/family-helpers.ts';
import { parseCsv, readExcelCsv } from './csv.ts';
import { api, managerSession, managerToken, STAFF, staffMember, staffTokens, staffWorld } from './helpers.ts';
import { checkIn, familyEnvOn, proofed, register, TRICK, type Resident } from './fixtures.ts';
import { managerNodes, type TwoNodes } from './nodes.ts';
import { SseClient } from './sse.ts';

const mode = storageModes().at(-1)!;
const crossNode = mode === 'postgres+redis';
const SHELTER = 'kaga-kinjo-shelter';
const SHELTER_STAFF = 'staff@kinjo.example.jp';

describe(`shelter dashboard (${crossNode ? 'kiosk on node A, Manager on node B, PostgreSQL + Redis' : 'one embedded node'})`, () => {
  let storage: TestStorage;
  let nodes: TwoNodes;
  let env: FamilyEnv;
  let kiosk: TestKiosk;
  let taro: Resident;
  let trick: Resident;
  const tokens: Record<string, string> = {};
  const streams: SseClient[] = [];

  beforeAll(async () => {
    storage = await createStorage(mode);
    nodes = await managerNodes(storage.env, crossNode);
    const manager = nodes.managerNode;
    await staffWorld(manager);
    await staffMember(manager, SHELTER_STAFF, 'facility_staff', { facilityId: SHELTER });
    env = await familyEnvOn(manager, storage);
    taro = await proofed(env, 'taro@example.jp', TARO, 'sh-taro');
    trick = await proofed(env, 'trick@example.jp', TRICK, 'sh-trick');
    await register(env, taro.token, SHELTER, taro.personId, ['name', 'age', 'address']);
    await register(env, trick.token, SHELTER, trick.personId, ['name', 'age', 'address']);
    await register(env, taro.token, 'kaga-niconico-park', taro.personId, ['name', 'age', 'resident_of', 'guardian']);
    kiosk = await provisionKiosk(manager, SHELTER_STAFF, SHELTER);
    tokens.shelter = await managerToken(manager, SHELTER_STAFF);
    Object.assign(tokens, await staffTokens(manager));
  }, 150_000);

  afterAll(async () => {
    for (const stream of streams) stream.close();
    await nodes?.close();
    await storage?.cleanup();
  });

  async function stream(who: string, query = ''): Promise<SseClient> {
    const client = await SseClient.open(`${nodes.issuer}/api/manager/shelters/stream${query}`, { authorization: `Bearer ${tokens[who]}` });
    streams.push(client);
    return client;
  }

  /** The resident's QR code at the shelter's kiosk (the kiosk API on node A). */
  async function atKiosk(who: Resident, direction: 'in' | 'out'): Promise<number> {
    const token = (await residentApi(env, who.token, 'POST', '/api/checkins/qr-token')).body.token as string;
    const startedAt = Date.now();
    const answer = await kiosk.call('POST', '/api/kiosk/checkins/qr', { json: { id: randomUUID(), token, direction } });
    expect(answer.body).toMatchObject({ result: 'accepted', direction });
    return startedAt;
  }

  test('a check-in and a check-out at the shelter kiosk reach the open dashboard within 2 seconds, counts only', async () => {
    const staff = await stream('shelter');
    const city = await stream('kagaAdmin');
    expect(staff.status).toBe(200);
    expect(staff.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    await staff.waitFor((e) => e.event === 'ready');
    await city.waitFor((e) => e.event === 'ready');

    const inAt = await atKiosk(taro, 'in');
    const arrived = await staff.waitFor((e) => e.event === 'occupancy' && e.data.occupancy === 1, 2000);
    expect(arrived.receivedAt - inAt).toBeLessThan(2000);
    expect(arrived.data).toEqual({ facilityId: SHELTER, occupancy: 1, direction: 'in', at: expect.any(String) });
    const total = await city.waitFor((e) => e.event === 'occupancy' && e.data.occupancy === 1, 2000);
    expect(total.data.totals).toEqual([{ municipalityCode: '172065', occupancy: 1, shelters: 1 }]);

    const outAt = await atKiosk(taro, 'out');
    const left = await staff.waitFor((e) => e.event === 'occupancy' && e.data.direction === 'out', 2000);
    expect(left.receivedAt - outAt).toBeLessThan(2000);
    expect(left.data.occupancy).toBe(0);

    // A check-in at a facility that is no shelter of theirs is no event for them.
    await checkIn(env, 'kaga-niconico-park', taro.personId);
    await new Promise((r) => setTimeout(r, 500));
    expect(staff.events.filter((e) => e.event === 'occupancy').map((e) => e.data.facilityId)).toEqual([SHELTER, SHELTER]);
    expect(JSON.stringify([...staff.events, ...city.events])).not.toMatch(/加賀|太郎|HYPERLINK/);
  });

  test('the roster shows who is inside; a municipal admin sees the city-wide totals; reads are audited', async () => {
    await atKiosk(taro, 'in');
    await atKiosk(trick, 'in');
    const city = await api(nodes.managerNode, tokens.kagaAdmin!, '/api/manager/shelters');
    expect(city.status).toBe(200);
    expect(city.body.shelters).toEqual([{ id: SHELTER, municipalityCode: '172065', name: { ja: '避難所 錦城小学校', en: expect.any(String) }, occupancy: 2, lastActivityAt: expect.any(String) }]);
    expect(city.body.totals).toEqual([{ municipalityCode: '172065', name: { ja: '加賀市', en: 'Kaga City' }, shelters: 1, occupancy: 2, emergency: false }]);
    const staffView = await api(nodes.managerNode, tokens.shelter!, '/api/manager/shelters');
    expect(staffView.body.totals).toEqual([]);

    const before = (await nodes.managerNode.platform.db('audit_log').where({ action: 'manager.shelter_roster_read' })).length;
    const roster = await api(nodes.managerNode, tokens.shelter!, `/api/manager/shelters/${SHELTER}/roster`);
    expect(roster.status).toBe(200);
    expect(roster.body.shelter.occupancy).toBe(2);
    expect(roster.body.people).toEqual([
      { checkinId: expect.any(String), name: '加賀　太郎', age: expect.any(Number), method: 'qr', kiosk: 'PASS Face', since: expect.any(String), anonymous: false },
      { checkinId: expect.any(String), name: TRICK.name, age: expect.any(Number), method: 'qr', kiosk: 'PASS Face', since: expect.any(String), anonymous: false },
    ]);
    const audits = (await nodes.managerNode.platform.db('audit_log').where({ action: 'manager.shelter_roster_read' }).orderBy('id')) as Array<Record<string, any>>;
    expect(audits).toHaveLength(before + 1);
    expect(audits.at(-1)).toMatchObject({ facility_id: SHELTER });
  });

  test('the periodic report CSV opens in Excel and round-trips Japanese names', async () => {
    const response = await fetch(`${nodes.issuer}/api/manager/shelters/report.csv`, { headers: { authorization: `Bearer ${tokens.kagaAdmin}` } });
    const { text, rows } = await readExcelCsv(response, /^attachment; filename="shelters-all-\d{4}-\d{2}-\d{2}\.csv"$/);
    expect(rows[0]).toEqual(['避難所', '氏名', '年齢', '入所日時', '方法', 'キオスク', '備考', '作成日時']);
    expect(rows).toHaveLength(3);
    // The names in the file are the verified identities', byte for byte.
    const facts = new FactsReader(nodes.managerNode.platform.db, nodes.managerNode.platform.box);
    const taroName = (await facts.identity(taro.personId))!.claims.name;
    const taroRow = rows.find((r) => r[1] === taroName)!;
    expect(taroRow).toEqual(['避難所 錦城小学校', '加賀　太郎', expect.stringMatching(/^\d+$/), expect.stringMatching(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/), 'QRコード', 'PASS Face', '', expect.any(String)]);
    // A formula is text: an apostrophe before it, quoted because of its quotes.
    expect(text).toContain(`"'=HYPERLINK(""http://evil.example"")"`);
    expect(rows.some((r) => r[1] === `'=HYPERLINK("http://evil.example")`)).toBe(true);
    const english = await api(nodes.managerNode, tokens.shelter!, `/api/manager/shelters/report.csv?facility=${SHELTER}&lang=en`);
    expect(parseCsv(english.text.replace(/^\uFEFF/, ''))[0]).toEqual(['Shelter', 'Name', 'Age', 'Checked in at', 'Method', 'Kiosk', 'Note', 'Report made at']);
    expect((await nodes.managerNode.platform.db('audit_log').where({ action: 'manager.shelter_report_exported' })).length).toBe(2);
  });

  test('staff of another facility get a 403 and no data: JSON, CSV, stream and console', async () => {
    for (const path of [`/api/manager/shelters/${SHELTER}/roster`, `/api/manager/shelters/report.csv?facility=${SHELTER}`, `/api/manager/shelters/stream?facility=${SHELTER}`]) {
      const refused = await api(nodes.managerNode, tokens.sakai!, path, { headers: { accept: 'text/event-stream, application/json' } });
      expect(refused.status).toBe(403);
      expect(refused.body).toMatchObject({ reason: 'facility_not_permitted', message: { ja: expect.any(String), en: expect.any(String) } });
      expect(refused.text).not.toMatch(/加賀　太郎|HYPERLINK|occupancy/);
    }
    const none = await api(nodes.managerNode, tokens.niconico!, '/api/manager/shelters');
    expect(none.body).toEqual({ shelters: [], totals: [] });
    expect((await api(nodes.managerNode, tokens.niconico!, '/api/manager/shelters/stream')).body.reason).toBe('not_a_shelter');
    expect((await api(nodes.managerNode, tokens.niconico!, '/api/manager/shelters/kaga-niconico-park/roster')).body.reason).toBe('not_a_shelter');
    const empty = await api(nodes.managerNode, tokens.niconico!, '/api/manager/shelters/report.csv');
    expect(parseCsv(empty.text.replace(/^\uFEFF/, ''))).toHaveLength(1);

    const { jar } = await managerSession(nodes.issuer, STAFF.sakai.email);
    for (const path of [`/manager/shelters/${SHELTER}`, `/manager/shelters/${SHELTER}/roster-table`, `/manager/shelters/report.csv?facility=${SHELTER}`]) {
      const response = await request(jar, `${nodes.issuer}${path}`);
      const html = await response.text();
      expect(response.status).toBe(403);
      expect(html).not.toMatch(/加賀　太郎|HYPERLINK/);
    }
    const consoleStream = await request(jar, `${nodes.issuer}/manager/shelters/stream?facility=${SHELTER}`, { headers: { accept: 'text/event-stream' } });
    expect(consoleStream.status).toBe(403);
    expect(await consoleStream.text()).not.toContain('occupancy');
    const overview = await request(jar, `${nodes.issuer}/manager/shelters/`);
    expect(await overview.text()).toContain('担当する避難所はありません');
  });

  test('the console passes the stream on to the browser', async () => {
    const { jar } = await managerSession(nodes.issuer, SHELTER_STAFF);
    const client = await SseClient.open(`${nodes.issuer}/manager/shelters/stream?facility=${SHELTER}`, { cookie: jar.header() });
    streams.push(client);
    expect(client.status).toBe(200);
    await client.waitFor((e) => e.event === 'ready');
    const startedAt = await atKiosk(taro, 'out');
    const event = await client.waitFor((e) => e.event === 'occupancy' && e.data.direction === 'out', 2000);
    expect(event.receivedAt - startedAt).toBeLessThan(2000);
    expect(event.data).toMatchObject({ facilityId: SHELTER, occupancy: 1 });
  });
});

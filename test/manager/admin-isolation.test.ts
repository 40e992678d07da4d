/**
 * Facility A's staff and admins cannot read or change facility B's data in PASS Manager's
 * management, analytics and shelter screens: every endpoint, asked about another facility (or its
 * kiosk, relying party, staff, municipality), answers 403 with nothing of B in the body — JSON,
 * CSV, event stream and console page alike — and B is unchanged afterwards. The same holds for a
 * municipal admin and a facility of another municipality.
 */
import { createStorage, startPass, type TestStorage } from '../helpers/pass.ts';
import { storageModes } from '../helpers/services.ts';
import { request, type CookieJar } from '../helpers/browserless.ts';
import { provisionKiosk, runtime } from '../kiosk/helpers.ts';
import { api, managerSession, managerToken, STAFF, staffMember, staffWorld, type Pass } from './helpers.ts';

const mode = storageModes().at(-1)!;
const SAKAI = 'sakai-kids-park';
const PARK = 'kaga-niconico-park';
const SAKAI_ADMIN = 'admin@sakai-kids.example.jp';
const PARK_ADMIN = 'admin@niconico.example.jp';

describe(`isolation between facilities in the management, analytics and shelter APIs (${mode})`, () => {
  let storage: TestStorage;
  let pass: Pass;
  let ids: Record<string, string>;
  let sakaiClient: { clientId: string; clientSecret: string };
  let sakaiKiosk: string;
  /** Everything of Sakai that must never show up in an answer to Kaga. */
  let secrets: string[];
  const tokens: Record<string, string> = {};
  const jars: Record<string, CookieJar> = {};

  beforeAll(async () => {
    storage = await createStorage(mode);
    pass = await startPass(storage.env);
    ids = await staffWorld(pass);
    for (const [email, facilityId] of [
      [SAKAI_ADMIN, SAKAI],
      [PARK_ADMIN, PARK],
    ] as const) {
      ids[email] = await staffMember(pass, email, 'facility_admin', { facilityId });
    }
    const sakai = await managerToken(pass, SAKAI_ADMIN);
    const made = await api(pass, sakai, `/api/manager/admin/facilities/${SAKAI}/clients`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'さかいキッズパーク 受付', clientId: 'sakai-reception', redirectUris: ['https://sakai.example.jp/cb'], claims: ['name'] }),
    });
    sakaiClient = { clientId: made.body.client.clientId, clientSecret: made.body.clientSecret };
    sakaiKiosk = (await provisionKiosk(pass, STAFF.sakai.email, SAKAI)).id;
    secrets = ['sakai-reception', sakaiClient.clientSecret, sakaiKiosk, STAFF.sakai.email, SAKAI_ADMIN, 'さかい', 'Sakai'];
    for (const [key, email] of [
      ['parkStaff', STAFF.niconico.email],
      ['parkAdmin', PARK_ADMIN],
      ['kagaAdmin', STAFF.kagaAdmin.email],
    ] as const) {
      tokens[key] = await managerToken(pass, email);
      jars[key] = (await managerSession(pass.issuer, email)).jar;
    }
  }, 120_000);

  afterAll(async () => {
    await pass?.close();
    await storage?.cleanup();
  });

  const json = (body: unknown) => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const endpoints = (): Array<[string, string, RequestInit?]> => [
    ['facility', `/api/manager/admin/facilities/${SAKAI}`],
    ['claim policy', `/api/manager/admin/facilities/${SAKAI}/claim-policy`, json({ required: ['name'], optional: [], purposeJa: 'x', purposeEn: 'x', retentionDays: 1 })],
    ['kiosk display', `/api/manager/admin/facilities/${SAKAI}/kiosk-display`],
    ['kiosk display change', `/api/manager/admin/facilities/${SAKAI}/kiosk-display`, json({ name: 'full_name', age: 'always' })],
    ['kiosks', `/api/manager/admin/facilities/${SAKAI}/kiosks`],
    ['kiosk preview', `/api/manager/admin/facilities/${SAKAI}/kiosks/preview`, json({ userCode: 'BCDF-GHJK' })],
    ['kiosk approval', `/api/manager/admin/facilities/${SAKAI}/kiosks/approve`, json({ userCode: 'BCDF-GHJK' })],
    ['kiosk denial', `/api/manager/admin/facilities/${SAKAI}/kiosks/deny`, json({ userCode: 'BCDF-GHJK' })],
    ['kiosk revocation', `/api/manager/admin/kiosks/${sakaiKiosk}/revoke`, { method: 'POST' }],
    ['relying parties', `/api/manager/admin/facilities/${SAKAI}/clients`],
    ['registration', `/api/manager/admin/facilities/${SAKAI}/clients`, json({ name: 'x', redirectUris: ['https://x.example/cb'], claims: ['name'] })],
    ['relying party', `/api/manager/admin/clients/${sakaiClient.clientId}`],
    ['its claims', `/api/manager/admin/clients/${sakaiClient.clientId}/claims`, json({ claims: [] })],
    ['its secret', `/api/manager/admin/clients/${sakaiClient.clientId}/secret`, { method: 'POST' }],
    ['its keys', `/api/manager/admin/clients/${sakaiClient.clientId}/keys`, json({ jwksUri: 'https://evil.example/jwks' })],
    ['staff', `/api/manager/admin/facilities/${SAKAI}/staff`],
    ['assignment', `/api/manager/admin/facilities/${SAKAI}/staff`, json({ email: STAFF.niconico.email, role: 'facility_admin' })],
    ['removal', `/api/manager/admin/facilities/${SAKAI}/staff/${ids.sakai}`, { method: 'DELETE' }],
    ['municipal admins', '/api/manager/admin/municipalities/182109/admins'],
    ['new municipal admin', '/api/manager/admin/municipalities/182109/admins', json({ email: STAFF.niconico.email })],
    ['municipal admin removal', `/api/manager/admin/municipalities/182109/admins/${ids.sakai}`, { method: 'DELETE' }],
    ['analytics', `/api/manager/analytics?facility=${SAKAI}`],
    ['roster', `/api/manager/shelters/${SAKAI}/roster`],
    ['shelter CSV', `/api/manager/shelters/report.csv?facility=${SAKAI}`],
    ['shelter stream', `/api/manager/shelters/stream?facility=${SAKAI}`, { headers: { accept: 'text/event-stream' } }],
  ];

  test.each(['parkStaff', 'parkAdmin', 'kagaAdmin'])('%s: every endpoint about Sakai is a 403 with nothing of Sakai in it', async (who) => {
    const answers: string[] = [];
    for (const [name, path, init] of endpoints()) {
      const answer = await api(pass, tokens[who]!, path, init);
      answers.push(`${name}: ${answer.status} ${answer.body.reason}`);
      expect([name, answer.status]).toEqual([name, 403]);
      expect(['facility_not_permitted', 'municipal_admin_required', 'admin_required']).toContain(answer.body.reason);
      expect(answer.body.message).toEqual({ ja: expect.any(String), en: expect.any(String) });
      for (const secret of secrets) expect([name, answer.text.includes(secret)]).toEqual([name, false]);
    }
    expect(answers).toHaveLength(endpoints().length);
  });

  test.each(['parkStaff', 'parkAdmin', 'kagaAdmin'])('%s: the console pages about Sakai are a 403 with nothing of Sakai in them', async (who) => {
    for (const path of [
      `/manager/facilities/${SAKAI}`,
      `/manager/clients/${sakaiClient.clientId}`,
      `/manager/analytics/?facility=${SAKAI}`,
      `/manager/analytics/report?facility=${SAKAI}`,
      `/manager/shelters/${SAKAI}`,
      `/manager/shelters/report.csv?facility=${SAKAI}`,
    ]) {
      const response = await request(jars[who]!, `${pass.issuer}${path}`);
      // The page's own address (in its language switch) is what was asked, not data.
      const text = (await response.text()).replaceAll(path.split('?')[0]!, '');
      expect([path, response.status]).toEqual([path, 403]);
      for (const secret of secrets) expect([path, text.includes(secret)]).toEqual([path, false]);
    }
    // Screens that take a facility from the query fall back to the staff member's own, never Sakai's.
    for (const path of [`/manager/kiosks/?facility=${SAKAI}`, `/manager/staff/?facility=${SAKAI}`]) {
      const text = await (await request(jars[who]!, `${pass.issuer}${path}`)).text();
      for (const secret of secrets) expect([path, text.includes(secret)]).toEqual([path, false]);
    }
  });

  test('Sakai is unchanged', async () => {
    expect((await pass.oidc.clients.find(sakaiClient.clientId))!.clientSecret).toBe(sakaiClient.clientSecret);
    expect((await runtime(pass).kiosks.find(sakaiKiosk))!.revokedAt).toBeUndefined();
    expect((await runtime(pass).staff.assignments(ids.sakai!)).map((a) => a.facilityId)).toEqual([SAKAI]);
    expect((await runtime(pass).staff.assignments(ids.niconico!)).map((a) => a.facilityId)).toEqual([PARK]);
    expect((await pass.platform.facilities.policies.find(SAKAI))!.retentionDays).toBe(365);
    expect(await pass.platform.db('manager_facility_settings').where({ facility_id: SAKAI }).first()).toBeUndefined();
    expect((await pass.platform.db('audit_log').where('action', 'like', 'manager.%').whereNot({ action: 'manager.client_registered' }).where({ facility_id: SAKAI })).length).toBe(0);
  });
});

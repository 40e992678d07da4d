/**
 * A facility's clients are checked against the facility's subject-type policy when they are
 * registered (issue #6): by the admin CLI, the admin API and Dynamic Client Registration alike.
 * subject_type=public where the policy requires pairwise is invalid_client_metadata; so is a
 * sector_identifier_uri or a redirect host outside the facility's sector.
 */
import * as oidc from 'openid-client';
import { createStorage, startPass, type TestStorage } from '../helpers/pass.ts';
import { passCli } from '../helpers/cli.ts';
import { storageModes } from '../helpers/services.ts';
import { demoClients } from '../../src/demo/seed.ts';
import { readCatalog } from '../../src/facilities/facility-service.ts';
import { codeParams, insecure, walk, type Pass } from './rp.ts';

// The CLI runs beside the server: PostgreSQL (the embedded database is single-process).
const mode = storageModes().find((m) => m !== 'embedded');
const run = mode ? describe : describe.skip;

const POLICY = { required: ['name'], optional: [], purposeJa: '試験のため。', purposeEn: 'For tests.', retentionDays: 30 };

run(`facility clients against the facility's subject-type policy (${mode})`, () => {
  let storage: TestStorage;
  let pass: Pass;
  let adminApi: (path: string, body: unknown) => Promise<{ status: number; body: Record<string, any> }>;

  beforeAll(async () => {
    storage = await createStorage(mode!);
    pass = await startPass(storage.env);
    const catalog = readCatalog();
    // Two more facilities: one whose policy allows public subjects, one whose sector is a host.
    catalog.facilities.push(
      { id: 'toyooka-open-data', municipalityCode: '282090', kind: 'other', nameJa: 'オープンデータ', nameEn: 'Open data', claimPolicy: { ...POLICY, subjectType: 'public' } },
      { id: 'toyooka-hall', municipalityCode: '282090', kind: 'other', nameJa: '市民会館', nameEn: 'City hall', claimPolicy: { ...POLICY, sector: 'hall.toyooka.example', subjectType: 'pairwise' } },
    );
    await pass.platform.facilities.importCatalog(catalog);
    // PASS Manager's client: seeded by its capability where that runs, else made here.
    if (!(await pass.oidc.clients.find('pass-manager'))) await pass.oidc.clients.create(demoClients(pass.issuer).find((c) => c.clientId === 'pass-manager')!);
    const manager = await pass.oidc.clients.find('pass-manager');
    const config = await oidc.discovery(new URL(pass.issuer), 'pass-manager', undefined, oidc.ClientSecretBasic(manager!.clientSecret!), insecure);
    const admin = await pass.platform.accounts.create({ email: 'admin@city.toyooka.example', password: 'kinosaki onsen 2026', role: 'admin', verified: true });
    const { params, verifier, state, nonce } = await codeParams(`${pass.issuer}/manager/callback`, 'openid admin');
    const { callback } = await walk(oidc.buildAuthorizationUrl(config, { ...params, resource: `${pass.issuer}/api` }), `${pass.issuer}/manager/callback`, admin);
    const token = (await oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce })).access_token;
    adminApi = async (path, body) => {
      const response = await fetch(`${pass.issuer}/api/admin${path}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
      return { status: response.status, body: (await response.json()) as Record<string, any> };
    };
  }, 60_000);

  afterAll(async () => {
    await pass?.close();
    await storage?.cleanup();
  });

  const clientsNamed = async (name: string) => (await pass.platform.db('oidc_clients').whereRaw("metadata->>'client_name' = ?", [name]).count({ n: '*' }))[0]!.n;

  test('admin API: public subjects only where the policy allows them; pairwise by default', async () => {
    const refused = await adminApi('/clients', { client_name: '予約 public', facility_id: 'toyooka-booking', redirect_uris: ['https://booking.toyooka.example/cb'], subject_type: 'public' });
    expect(refused).toMatchObject({ status: 400, body: { reason: 'invalid_client_metadata', error_description: expect.stringContaining('pairwise') } });
    expect(Number(await clientsNamed('予約 public'))).toBe(0);

    const pairwise = await adminApi('/clients', { client_name: '予約 default', facility_id: 'toyooka-booking', redirect_uris: ['https://booking.toyooka.example/cb'] });
    expect(pairwise).toMatchObject({ status: 201, body: { subject_type: 'pairwise', facility_id: 'toyooka-booking' } });

    const open = await adminApi('/clients', { client_name: 'オープンデータ public', facility_id: 'toyooka-open-data', redirect_uris: ['https://data.toyooka.example/cb'], subject_type: 'public' });
    expect(open).toMatchObject({ status: 201, body: { subject_type: 'public' } });
    // A client of no facility is not a facility's business.
    expect((await adminApi('/clients', { client_name: '市 public', redirect_uris: ['https://city.example/cb'], subject_type: 'public' })).status).toBe(201);
  });

  test('admin CLI: redirect hosts outside a host sector are refused; inside it the client is made', async () => {
    const outside = await passCli(['client', 'create', '--name', '会館 外', '--facility', 'toyooka-hall', '--redirect-uri', 'https://evil.example/cb'], storage.env);
    expect(outside).toMatchObject({ code: 1, stderr: expect.stringContaining('hall.toyooka.example') });
    expect(Number(await clientsNamed('会館 外'))).toBe(0);
    const inside = await passCli(['client', 'create', '--name', '会館 予約', '--facility', 'toyooka-hall', '--redirect-uri', 'https://reserve.hall.toyooka.example/cb', '--json'], storage.env);
    expect(inside.code).toBe(0);
    expect(JSON.parse(inside.stdout)).toMatchObject({ subject_type: 'pairwise', facility_id: 'toyooka-hall' });
  });

  test('Dynamic Client Registration: the token\'s facility policy decides; refusals are invalid_client_metadata', async () => {
    const minted = await adminApi('/initial-access-tokens', { facility_id: 'toyooka-booking', ttl_seconds: 600 });
    const register = async (metadata: Record<string, unknown>) => {
      const response = await fetch(`${pass.issuer}/reg`, {
        method: 'POST',
        headers: { authorization: `Bearer ${minted.body.initial_access_token}`, 'content-type': 'application/json' },
        body: JSON.stringify(metadata),
      });
      return { status: response.status, body: (await response.json()) as Record<string, any> };
    };
    const publicOne = await register({ client_name: 'DCR public', redirect_uris: ['https://app.toyooka.example/cb'], subject_type: 'public' });
    expect(publicOne).toMatchObject({ status: 400, body: { error: 'invalid_client_metadata', error_description: expect.stringContaining('pairwise') } });
    const sectorUri = await register({ client_name: 'DCR sector', redirect_uris: ['https://app.toyooka.example/cb'], subject_type: 'pairwise', sector_identifier_uri: 'https://other.example/sector.json' });
    expect(sectorUri).toMatchObject({ status: 400, body: { error: 'invalid_client_metadata', error_description: expect.stringContaining('sector_identifier_uri') } });
    expect(Number(await clientsNamed('DCR public')) + Number(await clientsNamed('DCR sector'))).toBe(0);

    // Without subject_type, a facility's client is pairwise (the registration default would be public).
    const plain = await register({ client_name: 'DCR default', redirect_uris: ['https://app.toyooka.example/cb'] });
    expect(plain).toMatchObject({ status: 201, body: { subject_type: 'pairwise' } });
    expect(await pass.oidc.clients.find(plain.body.client_id)).toMatchObject({ facilityId: 'toyooka-booking', metadata: expect.objectContaining({ subject_type: 'pairwise' }) });

    const hall = await adminApi('/initial-access-tokens', { facility_id: 'toyooka-hall', ttl_seconds: 600 });
    const hallRegister = async (uri: string) =>
      (await fetch(`${pass.issuer}/reg`, {
        method: 'POST',
        headers: { authorization: `Bearer ${hall.body.initial_access_token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ client_name: 'DCR hall', redirect_uris: [uri] }),
      })).status;
    expect(await hallRegister('https://hall.evil.example/cb')).toBe(400);
    expect(await hallRegister('https://hall.toyooka.example/cb')).toBe(201);
  });
});

// The resident's data export (docs/data-rights.md, format pass-data-export v1), through the API with
// their access token: everything PASS keeps about them and their household member, and nothing
// secret — no face template bytes, password hash, tokens, card key or sealed values.
import '../face/realm.ts';
import { storageModes } from '../helpers/services.ts';
import { faceEnv } from '../face/platform.ts';
import { api, stopEnv, type Env } from '../jpki/proofing-helpers.ts';
import type { TestKiosk } from '../kiosk/helpers.ts';
import { residentWithEverything, startPrivacyEnv, type Resident } from './fixtures.ts';

const mode = storageModes()[0]!;

describe(`data export (${mode})`, () => {
  let env: Env & { kiosk: TestKiosk };
  let taro: Resident;

  beforeAll(async () => {
    env = await startPrivacyEnv(mode, faceEnv({}));
    taro = await residentWithEverything(env, 'taro.export@example.jp', 'export-taro');
  }, 120_000);

  afterAll(async () => {
    await stopEnv(env);
  });

  test('the export holds the account, both persons, facts, face metadata, registrations, releases, check-ins, grants and audit', async () => {
    const response = await fetch(`${env.pass.issuer}/api/privacy/export`, { headers: { authorization: `Bearer ${taro.token}` } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-disposition')).toMatch(/^attachment; filename="pass-data-\d{4}-\d{2}-\d{2}\.json"$/);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const data = (await response.json()) as Record<string, any>;
    expect(data).toMatchObject({ format: 'pass-data-export', version: 1, issuer: env.pass.issuer, account: { id: taro.accountId, email: 'taro.export@example.jp', email_verified: true, phone_number: expect.stringMatching(/^\+8190/) } });

    const self = data.persons.find((p: any) => p.relation === 'self');
    const father = data.persons.find((p: any) => p.relation === 'parent');
    expect(self).toMatchObject({
      id: taro.personId,
      verified_identity: { method: 'jpki_signature', claims: { name: '加賀　太郎', birthdate: '1980-02-17', address: { formatted: expect.stringContaining('加賀市') } } },
      face: { enrolled: true, model: expect.any(String), galleries: expect.arrayContaining([expect.objectContaining({ gallery: 'facility:kaga-library' })]) },
      my_number_card_link: { linked: true, linked_at: expect.any(String) },
    });
    expect(self.identity_history).toEqual([expect.objectContaining({ current: true, certificate: expect.objectContaining({ serial_number: expect.any(String) }), revocation: expect.objectContaining({ status: 'good' }) })]);
    expect(self.registrations.map((r: any) => [r.facility_id, r.status, r.consented_claims])).toEqual(
      expect.arrayContaining([
        ['kaga-library', 'active', ['name', 'resident_of']],
        ['toyooka-booking', 'active', ['name', 'email']],
      ]),
    );
    expect(self.registrations[0].history[0]).toMatchObject({ event: expect.any(String), claims: expect.any(Array), at: expect.any(String) });
    expect(self.check_ins).toEqual([expect.objectContaining({ id: taro.checkinId, facility_id: 'kaga-library', method: 'qr', result: 'accepted', shown_to_facility: expect.objectContaining({ name: '太郎' }) })]);
    expect(father).toMatchObject({ id: taro.memberId, verified_identity: { claims: { name: '加賀　一郎' } }, registrations: [expect.objectContaining({ facility_id: 'kaga-library' })] });
    expect(data.household).toMatchObject({ representative: true, members: expect.arrayContaining([expect.objectContaining({ person_id: taro.memberId, relation: 'parent' })]) });

    // Who got what, when: the booking site received the consented claims at the login.
    expect(data.claim_releases).toEqual(expect.arrayContaining([expect.objectContaining({ person_id: taro.personId, client_id: 'toyooka-booking', facility_id: 'toyooka-booking', claims: expect.arrayContaining(['name', 'email']), at: expect.any(String) })]));
    expect(data.grants.map((g: any) => g.client_id)).toEqual(expect.arrayContaining(['toyooka-booking', 'city-rp', 'pass-app-test']));
    expect(data.grants.find((g: any) => g.client_id === 'city-rp')).toMatchObject({ scope: expect.stringContaining('openid'), granted_at: expect.any(String) });
    expect(data.sign_in_history.length).toBeGreaterThan(0);
    expect(data.sign_in_history[0]).toMatchObject({ event: expect.any(String), at: expect.any(String) });
    const actions = data.audit.map((a: any) => a.action);
    expect(actions).toEqual(expect.arrayContaining(['household.member_added']));
    expect(data.audit.every((a: any) => ['self', 'other', null].includes(a.actor))).toBe(true);

    // The export itself is audited; the next one shows it.
    const again = (await api(env, taro.token, 'GET', '/api/privacy/export')).body;
    expect(again.audit.map((a: any) => a.action)).toContain('privacy.data_exported');
  });

  test('nothing secret: no template bytes, password hash, tokens, card key or sealed values', async () => {
    const text = await (await fetch(`${env.pass.issuer}/api/privacy/export`, { headers: { authorization: `Bearer ${taro.token}` } })).text();
    const { db } = env.pass.platform;
    const template = (await db('face_templates').where({ person_id: taro.personId }).first('template')) as { template: Uint8Array };
    expect(env.pass.provided.face?.available).toBe(true);
    const bytes = Buffer.from(template.template);
    const secrets: Record<string, string> = {
      'template (base64)': bytes.toString('base64').slice(20, 60),
      'template (hex)': bytes.toString('hex').slice(40, 120),
      'password hash': ((await db('accounts').where({ id: taro.accountId }).first('password_hash')) as { password_hash: string }).password_hash,
      'API token': taro.token,
      'refresh token': taro.rp.refreshToken,
      'access token': taro.rp.accessToken,
      'card key': ((await db('card_links').where({ person_id: taro.personId }).first('card_key')) as { card_key: string }).card_key,
      'sealed facts': ((await db('identity_verifications').where({ person_id: taro.personId }).first('claims_sealed')) as { claims_sealed: string }).claims_sealed.slice(0, 40),
    };
    for (const [what, secret] of Object.entries(secrets)) expect({ what, found: text.includes(secret) }).toEqual({ what, found: false });
    expect(text).not.toMatch(/"(template|password_hash|code_hash|data_sealed|claims_sealed|card_key|client_secret)"/);
  });

  test('refusals: no token; a malformed deletion request changes nothing', async () => {
    expect((await fetch(`${env.pass.issuer}/api/privacy/export`)).status).toBe(401);
    const clientOnly = await fetch(`${env.pass.issuer}/api/privacy/deletion`, { method: 'POST', headers: { authorization: `Bearer ${taro.token}`, 'content-type': 'application/json' }, body: '{"password": 5, "confirm": true}' });
    expect(clientOnly.status).toBe(400);
    expect(await clientOnly.json()).toMatchObject({ reason: 'invalid_request', message: { ja: expect.any(String), en: expect.any(String) } });
    expect(await env.pass.platform.db('accounts').where({ id: taro.accountId }).first('id')).toBeDefined();
  });
});

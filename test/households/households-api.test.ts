/**
 * Households end to end: a representative proofed with the signature certificate adds a child
 * (text-input-support AP, 4-digit PIN) and a parent (signature certificate); the household rules
 * refuse, with a clear reason and nothing changed, what they must; everything is audited.
 */
import { storageModes } from '../helpers/services.ts';
import { addMember, api, familyRows, HANAKO, ICHIRO, proofedResident, SORA, startFamilyEnv, stopEnv, TARO, verifyMember, type FamilyEnv } from './family-helpers.ts';
import { newAccount, appToken } from '../jpki/proofing-helpers.ts';

// The rules are the database's (PGlite's single connection, PostgreSQL's pool): the two ends suffice.
const modes = storageModes().filter((_m, i, all) => i === 0 || i === all.length - 1);

describe.each(modes)('households on %s', (mode) => {
  let env: FamilyEnv;
  let taro: { accountId: string; token: string };
  let hanako: { accountId: string; token: string };
  let childId: string;

  beforeAll(async () => {
    env = await startFamilyEnv(mode);
    taro = await proofedResident(env, 'taro@example.jp', TARO, 'taro');
    hanako = await proofedResident(env, 'hanako@example.jp', HANAKO, 'hanako-card');
    await env.text.issue(SORA, { id: 'sora-text' });
    await env.cards.issue(ICHIRO, { id: 'ichiro' });
  }, 120_000);

  afterAll(async () => {
    await stopEnv(env);
  });

  test('an account not proofed with the signature certificate cannot represent a household', async () => {
    await newAccount(env, 'plain@example.jp');
    const token = await appToken(env, 'plain@example.jp');
    const refused = await api(env, token, 'POST', '/api/households/members/challenge', { method: 'jpki_text_ap' });
    expect(refused).toMatchObject({ status: 403, body: { reason: 'not_proofed', message: { ja: expect.stringContaining('署名用電子証明書') } } });
  });

  test('the representative adds a child with the text-input-support AP, marked lower assurance', async () => {
    const before = await familyRows(env);
    const verified = await verifyMember(env, taro.token, 'child', { text: 'sora-text' });
    expect(verified.status).toBe(200);
    expect(verified.body).toMatchObject({ relation: 'child', method: 'jpki_text_ap', assurance: 'low', claims: { name: '加賀　そら', birthdate: '2019-05-01' } });
    expect(verified.body.claims.gender).toBeUndefined();
    // Nothing is stored before the representative confirms.
    expect(await familyRows(env)).toEqual(before);
    const added = await api(env, taro.token, 'POST', '/api/households/members/confirm', { verification_id: verified.body.verification_id });
    expect(added).toMatchObject({ status: 201, body: { relation: 'child' } });
    childId = added.body.person_id as string;

    const household = await api(env, taro.token, 'GET', '/api/households/me');
    expect(household.body.representative).toBe(true);
    expect(household.body.members).toEqual([
      expect.objectContaining({ relation: 'representative', name: '加賀　太郎', assurance: 'high' }),
      expect.objectContaining({ person_id: childId, relation: 'child', name: '加賀　そら', assurance: 'low', method: 'jpki_text_ap', face_enrolled: false }),
    ]);
  });

  test('a wrong 4-digit PIN is counted by the card and changes nothing else', async () => {
    const id = await env.text.issue({ ...SORA, name: '加賀　うみ', birthdate: '2021-08-08' });
    const wrong = await verifyMember(env, taro.token, 'child', { text: id, pin: '9999' });
    expect(wrong).toMatchObject({ status: 400, body: { reason: 'wrong_pin', attempts_left: 2 } });
  });

  test('the representative adds a parent with their own signature certificate', async () => {
    const added = await addMember(env, taro.token, 'parent', { signature: 'ichiro' });
    expect(added).toMatchObject({ status: 201, body: { relation: 'parent', claims: { name: '加賀　一郎' } } });
    const household = await api(env, taro.token, 'GET', '/api/households/me');
    expect(household.body.members.map((m: { relation: string }) => m.relation)).toEqual(['representative', 'child', 'parent']);
  });

  test('a second household cannot take a member, nor someone with their own PASS ID', async () => {
    const before = await familyRows(env);
    const taken = await addMember(env, hanako.token, 'child', { text: 'sora-text' });
    expect(taken).toMatchObject({ status: 409, body: { reason: 'already_in_household', message: { ja: expect.any(String), en: expect.stringContaining('only one') } } });
    const own = await addMember(env, hanako.token, 'parent', { signature: 'taro' });
    expect(own).toMatchObject({ status: 409, body: { reason: 'has_own_account' } });
    expect(await familyRows(env)).toEqual(before);
  });

  test('impossible relationships and the wrong card application are refused', async () => {
    const before = await familyRows(env);
    await env.cards.issue({ ...ICHIRO, name: '若井　健', birthdate: '2001-04-04' }, { id: 'young-adult' });
    expect((await addMember(env, taro.token, 'parent', { signature: 'young-adult' })).body.reason).toBe('impossible_relationship');
    await env.cards.issue({ ...ICHIRO, name: '加賀　年上', birthdate: '1970-01-01' }, { id: 'older-child' });
    expect((await addMember(env, taro.token, 'child', { signature: 'older-child' })).body.reason).toBe('impossible_relationship');
    const adultText = await env.text.issue({ name: '加賀　大人', address: SORA.address, birthdate: '1999-01-01', sex: '1' });
    expect((await addMember(env, taro.token, 'child', { text: adultText })).body.reason).toBe('wrong_method');
    expect((await addMember(env, taro.token, 'child', { signature: 'taro' })).body.reason).toBe('is_self');
    expect(await familyRows(env)).toEqual(before);
  });

  test('malformed input and replayed challenges change nothing', async () => {
    const before = await familyRows(env);
    expect((await api(env, taro.token, 'POST', '/api/households/members/verify', { method: 'jpki_text_ap', relation: 'cousin' })).body.reason).toBe('invalid_request');
    expect((await api(env, taro.token, 'DELETE', '/api/households/members/not-a-uuid')).body.reason).toBe('invalid_request');
    expect((await api(env, taro.token, 'POST', '/api/households/members/confirm', { verification_id: 'AAAAAAAAAAAAAAAAAAAAAA' })).body.reason).toBe('verification_expired');
    expect(await familyRows(env)).toEqual(before);
  });

  test('only the representative removes a member; the removal is audited', async () => {
    const before = await familyRows(env);
    const refused = await api(env, hanako.token, 'DELETE', `/api/households/members/${childId}`);
    expect(refused).toMatchObject({ status: 403, body: { reason: 'not_representative', message: { ja: expect.stringContaining('代表者') } } });
    expect(await familyRows(env)).toEqual(before);
    const self = (await api(env, taro.token, 'GET', '/api/households/me')).body.members[0].person_id as string;
    expect((await api(env, taro.token, 'DELETE', `/api/households/members/${self}`)).body.reason).toBe('cannot_remove_representative');

    const removed = await api(env, taro.token, 'DELETE', `/api/households/members/${childId}`);
    expect(removed.status).toBe(200);
    expect(await env.pass.platform.db('persons').where({ id: childId }).first()).toBeUndefined();
    const audit = await api(env, taro.token, 'GET', '/api/households/audit');
    expect(audit.body.entries.map((e: { action: string }) => e.action)).toEqual(
      expect.arrayContaining(['household.created', 'household.member_added', 'household.member_removed']),
    );
    expect(audit.body.entries.find((e: { action: string }) => e.action === 'household.member_removed')).toMatchObject({ person_id: childId, by_self: true });
    // The child can now join another household.
    expect((await addMember(env, hanako.token, 'child', { text: 'sora-text' })).status).toBe(201);
  });
});

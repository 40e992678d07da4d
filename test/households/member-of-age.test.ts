/**
 * A household member who comes of age moves to an account of their own (issue #6): they sign up,
 * prove themselves with their own signature certificate, and claim their person record — the same
 * person id, so registrations, the face template and the proofing history follow — leaving the
 * household; the representative can no longer act for them; the move is audited. Refused, with
 * nothing changed: a card whose basic four differ from the member's, a card of nobody's member, a
 * child under 15, an account already proofed as someone, a replayed confirmation.
 */
import '../face/realm.ts';
import { storageModes } from '../helpers/services.ts';
import { faceEnv, photo } from '../face/platform.ts';
import { readCatalog } from '../../src/facilities/facility-service.ts';
import { addMember, api, familyRows, HANAKO, ICHIRO, proofedResident, SORA, TARO, type FamilyEnv } from './family-helpers.ts';
import { appToken, newAccount, startEnv, stopEnv, type ApiResult } from '../jpki/proofing-helpers.ts';
import type { ResidentFacts } from '../../src/jpki/dev-ca.ts';

const mode = storageModes().at(-1)!;
/** 16 years old on the day these tests run (2010): a child with a signature certificate of their own. */
const KEN: ResidentFacts = { ...TARO, name: '加賀　健', birthdate: '2010-01-10', sex: '1' };

describe(`a member who comes of age claims their own record (${mode})`, () => {
  let env: FamilyEnv;
  let taro: { accountId: string; token: string };
  let kenId: string;
  let ichiroId: string;

  beforeAll(async () => {
    const base = await startEnv(mode, faceEnv({}));
    await base.pass.platform.facilities.importCatalog(readCatalog());
    env = Object.assign(base, { text: base.pass.provided.households!.devTextCards! });
    taro = await proofedResident(env, 'taro@example.jp', TARO, 'taro');
    await env.cards.issue(KEN, { id: 'ken' });
    await env.cards.issue(ICHIRO, { id: 'ichiro' });
    await env.text.issue(SORA, { id: 'sora-text' });
    kenId = (await addMember(env, taro.token, 'child', { signature: 'ken' })).body.person_id as string;
    ichiroId = (await addMember(env, taro.token, 'parent', { signature: 'ichiro' })).body.person_id as string;
    await addMember(env, taro.token, 'child', { text: 'sora-text' });
    // The representative registered Ken at the park and enrolled his face.
    const registered = await api(env, taro.token, 'POST', '/api/registrations', { facility_id: 'kaga-niconico-park', person_id: kenId, claims: ['name', 'age', 'resident_of', 'guardian'] });
    expect(registered.status).toBe(201);
    const face = await fetch(new URL(`/api/households/members/${kenId}/face`, env.pass.issuer), {
      method: 'POST',
      headers: { authorization: `Bearer ${taro.token}`, 'content-type': 'image/jpeg' },
      body: await photo('obama', 1),
    });
    expect(face.status).toBe(201);
  }, 120_000);

  afterAll(async () => stopEnv(env));

  /** What the member's own app does: challenge, their card signs it, verify. */
  async function verifyClaim(token: string, cardId: string): Promise<ApiResult> {
    const challenge = await api(env, token, 'POST', '/api/households/claim/challenge');
    if (challenge.status !== 200) return challenge;
    const { card, signPin } = await env.cards.open(cardId);
    const bytes = new Uint8Array(Buffer.from(challenge.body.challenge as string, 'base64'));
    const read = await card.read('signature', signPin, bytes);
    return api(env, token, 'POST', '/api/households/claim/verify', {
      challenge_id: challenge.body.challenge_id,
      certificate: Buffer.from(read.certificate).toString('base64'),
      signature: Buffer.from(read.signature).toString('base64'),
    });
  }

  async function ownAccount(email: string): Promise<string> {
    await newAccount(env, email);
    return appToken(env, email);
  }

  test('Ken (16) signs up, proves himself and takes his record: registrations, face and history follow; the household lets go', async () => {
    const token = await ownAccount('ken@example.jp');
    const verified = await verifyClaim(token, 'ken');
    expect(verified).toMatchObject({ status: 200, body: { relation: 'child', claims: { name: '加賀　健', birthdate: '2010-01-10' } } });
    const confirmed = await api(env, token, 'POST', '/api/households/claim/confirm', { verification_id: verified.body.verification_id });
    expect(confirmed).toMatchObject({ status: 200, body: { person_id: kenId, registrations_kept: 1 } });

    // The same person, now the account's own.
    const account = (await env.pass.platform.db('accounts').where({ email: 'ken@example.jp' }).first('id')) as { id: string };
    expect(await env.pass.platform.db('persons').where({ id: kenId }).first('account_id', 'relation')).toEqual({ account_id: account.id, relation: 'self' });
    const registrations = await api(env, token, 'GET', '/api/registrations');
    expect(registrations.body.registrations).toEqual([expect.objectContaining({ person_id: kenId, relation: 'self', facility_id: 'kaga-niconico-park', status: 'active' })]);
    expect((await api(env, token, 'GET', '/api/face/enrollment')).body).toMatchObject({ enrolled: true });
    const identity = await api(env, token, 'GET', '/api/identity/jpki/verification');
    expect(identity.body).toMatchObject({ verified: true, claims: { name: '加賀　健' } });
    expect(identity.body.history).toHaveLength(2);

    // The representative can no longer act for him.
    const household = await api(env, taro.token, 'GET', '/api/households/me');
    expect(household.body.members.map((m: { person_id: string }) => m.person_id)).not.toContain(kenId);
    expect((await api(env, taro.token, 'GET', '/api/registrations')).body.registrations.map((r: { person_id: string }) => r.person_id)).not.toContain(kenId);
    expect(await api(env, taro.token, 'DELETE', `/api/households/members/${kenId}`)).toMatchObject({ status: 404, body: { reason: 'not_member' } });
    expect(await api(env, taro.token, 'POST', '/api/registrations', { facility_id: 'kaga-library', person_id: kenId, claims: ['name', 'resident_of'] })).toMatchObject({ status: 404, body: { reason: 'not_member' } });
    const parkRegistration = registrations.body.registrations[0].id as string;
    expect(await api(env, taro.token, 'POST', `/api/registrations/${parkRegistration}/withdraw`)).toMatchObject({ status: 404, body: { reason: 'registration_not_found' } });
    expect(await api(env, taro.token, 'GET', `/api/households/members/${kenId}/face`)).toMatchObject({ status: 404 });

    // Audited, for the household and for Ken.
    for (const who of [taro.token, token]) {
      const audit = await api(env, who, 'GET', '/api/households/audit');
      expect(audit.body.entries).toEqual(expect.arrayContaining([expect.objectContaining({ action: 'household.member_left', person_id: kenId, details: expect.objectContaining({ relation: 'child', registrationsKept: 1 }) })]));
    }
    // The confirmation cannot be replayed.
    expect(await api(env, token, 'POST', '/api/households/claim/confirm', { verification_id: verified.body.verification_id })).toMatchObject({ status: 400, body: { reason: 'verification_expired' } });
  });

  test('refused with nothing changed: other basic four, nobody\'s member, under 15, an account already proofed', async () => {
    const before = await familyRows(env);
    // Ichiro's name, birthdate and sex, but another address: not the member's basic four.
    await env.cards.issue({ ...ICHIRO, address: '石川県加賀市山中温泉本町２－１' }, { id: 'ichiro-elsewhere' });
    const ichiro = await ownAccount('ichiro@example.jp');
    expect(await verifyClaim(ichiro, 'ichiro-elsewhere')).toMatchObject({ status: 403, body: { reason: 'member_facts_mismatch', message: { ja: expect.stringContaining('基本4情報') } } });
    // Hanako is nobody's household member.
    await env.cards.issue(HANAKO, { id: 'hanako' });
    expect(await verifyClaim(await ownAccount('hanako@example.jp'), 'hanako')).toMatchObject({ status: 404, body: { reason: 'no_member_to_claim' } });
    // Sora is 7: a signature certificate for her (only a development CA would issue one) is not enough.
    await env.cards.issue({ ...SORA, sex: '3', prefecture: 'Ishikawa-ken', municipality: 'Kaga-shi' }, { id: 'sora-sign' });
    expect(await verifyClaim(await ownAccount('sora@example.jp'), 'sora-sign')).toMatchObject({ status: 403, body: { reason: 'not_of_age' } });
    // Taro's own account is Taro: it cannot take anyone's record.
    expect(await api(env, taro.token, 'POST', '/api/households/claim/challenge')).toMatchObject({ status: 409, body: { reason: 'account_already_proofed' } });
    expect(await familyRows(env)).toEqual(before);
    expect(await env.pass.platform.db('household_members').where({ person_id: ichiroId }).first('relation')).toEqual({ relation: 'parent' });

    // With his own card, Ichiro (an adult member) moves too.
    const verified = await verifyClaim(ichiro, 'ichiro');
    expect(verified).toMatchObject({ status: 200, body: { relation: 'parent' } });
    expect(await api(env, ichiro, 'POST', '/api/households/claim/confirm', { verification_id: verified.body.verification_id })).toMatchObject({ status: 200, body: { person_id: ichiroId } });
    expect(await env.pass.platform.db('household_members').where({ person_id: ichiroId }).first()).toBeUndefined();
  });
});

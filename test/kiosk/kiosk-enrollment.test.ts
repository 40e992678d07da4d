/**
 * Kiosk-assisted enrollment at the API (issue 16), with real PostgreSQL/Redis (or PGlite), the real
 * face models, PASS's development JPKI CA and text-AP issuer, and the card read over the real APDU
 * sequence from the simulator. The representative pre-registers their mother from the PASS app; at a
 * kiosk her card, PIN and live face finish it, after she saw whose household she joins (the preview)
 * and confirmed. A stranger's face is refused `face_not_card_holder` with nothing stored; a day later
 * the pre-registration has expired; bad card data, a revoked card, a replayed challenge, a kiosk that
 * is not set up, another household's pre-registration, and a final step without the member's
 * confirmation (or with one of another kiosk, card or pre-registration) are each refused with their
 * reason and nothing changed.
 */
import '../face/realm.ts';
import { randomUUID } from 'node:crypto';
import { createStorage, startPass, type TestStorage } from '../helpers/pass.ts';
import { storageModes } from '../helpers/services.ts';
import { faceEnv } from '../face/platform.ts';
import { request } from '../helpers/browserless.ts';
import { callApi, managerSession, managerToken, STAFF, staffWorld } from '../manager/helpers.ts';
import { demoCard, proofedResident } from './fixtures.ts';
import { apiToken, approveDevice, provisionKiosk, TestKiosk, type Pass } from './helpers.ts';
import { facesAvailable, frameOf, memberCard, proofedAccount, readForEnrollment, TOME } from './kiosk-enrollment-helpers.ts';
import { ApduChannel, readAuthenticationProof } from '../../src/card/index.ts';
import type { IssuedSimulatedCard } from '../../src/card/simulator/index.ts';

// The SQL is the store's own (PGlite's single connection, PostgreSQL's pool): the two ends suffice.
const modes = storageModes().filter((_m, i, all) => i === 0 || i === all.length - 1);
const run = facesAvailable() ? describe.each(modes) : describe.skip.each(modes);
const DAY = 24 * 3600_000;

run('kiosk-assisted enrollment at the API (%s)', (mode) => {
  let storage: TestStorage;
  let pass: Pass;
  let kiosk: TestKiosk;
  let taro: { accountId: string; personId: string; token: string };
  let card: IssuedSimulatedCard;
  let own: Uint8Array;
  let stranger: Uint8Array;

  const app = (token: string, method: string, path: string, json?: unknown) => callApi(pass, token, path, json, method);
  const preregister = (token: string, body: Record<string, unknown>) => app(token, 'POST', '/api/households/preregistrations', body);
  const count = async (table: string) => Number(((await pass.platform.db(table).count({ n: '*' })) as Array<{ n: string }>)[0]!.n);
  const stored = async () => ({ persons: await count('persons'), identities: await count('person_identities'), templates: await count('face_templates'), cards: await count('card_links') });
  /** What the kiosk page sends to the preview: the card read without the photo. */
  const previewOf = (read: Awaited<ReturnType<typeof readForEnrollment>>, challengeId: string) => ({ challengeId, authentication: read.authentication, textAp: read.textAp, surface: { birthdate: read.surface.birthdate, sex: read.surface.sex } });
  /**
   * The kiosk page's whole attempt: a challenge, the card read with it, the preview of the honest read
   * and the member's 「はい」 (its refusal is the answer), the frame. `edit` changes only the final body,
   * so the final step is held to its own checks; `confirmation: null` sends none.
   */
  const attempt = async (live: Uint8Array, options: { with?: IssuedSimulatedCard; pin?: string; edit?: (body: Record<string, any>) => void; by?: TestKiosk; confirmation?: string | null } = {}) => {
    const at = options.by ?? kiosk;
    const challenge = await at.call('POST', '/api/kiosk/enrollments/challenges');
    expect(challenge.status).toBe(201);
    const read = await readForEnrollment((options.with ?? card).card, challenge.body.challenge, options.pin);
    let confirmation = options.confirmation ?? undefined;
    if (options.confirmation === undefined) {
      const preview = await at.call('POST', '/api/kiosk/enrollments/preview', { json: previewOf(read, challenge.body.challengeId) });
      if (preview.status !== 200) return { body: {}, answer: preview };
      confirmation = preview.body.confirmation;
    }
    const body: Record<string, any> = { challengeId: challenge.body.challengeId, ...(confirmation ? { confirmation } : {}), ...read, live: Buffer.from(live).toString('base64') };
    options.edit?.(body);
    return { body, answer: await at.call('POST', '/api/kiosk/enrollments', { json: body }) };
  };
  const auditCount = () => count('audit_log');

  beforeAll(async () => {
    storage = await createStorage(mode);
    pass = await startPass(faceEnv(storage.env));
    await staffWorld(pass);
    const resident = await proofedResident(pass);
    taro = { ...resident, token: await apiToken(pass, 'resident@pass.localhost') };
    kiosk = await provisionKiosk(pass, STAFF.niconico.email);
    card = await memberCard(pass, TOME, 'obama/1.jpg');
    own = await frameOf('obama/2.jpg');
    stranger = await frameOf('biden/2.jpg');
  }, 300_000);

  afterAll(async () => {
    await pass?.close();
    await storage?.cleanup();
  });

  test('the representative pre-registers their mother; staff of the municipality see it pending, with its expiry', async () => {
    const bad = await preregister(taro.token, { relation: 'parent', name: '加賀　トメ', birthdate: '2001-01-01' });
    expect(bad).toMatchObject({ status: 400, body: { reason: 'impossible_relationship' } });
    const created = await preregister(taro.token, { relation: 'parent', name: '加賀 トメ', birthdate: TOME.birthdate });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ relation: 'parent', name: '加賀 トメ', state: 'pending' });
    expect(new Date(created.body.expires_at).getTime() - new Date(created.body.created_at).getTime()).toBe(DAY);
    expect(await preregister(taro.token, { relation: 'parent', name: '加賀トメ', birthdate: TOME.birthdate })).toMatchObject({ status: 409, body: { reason: 'preregistration_exists' } });

    const staff = await callApi(pass, await managerToken(pass, STAFF.niconico.email), '/api/manager/preregistrations');
    expect(staff.status).toBe(200);
    expect(staff.body.preregistrations).toEqual([expect.objectContaining({ id: created.body.id, municipality_code: '172065', name: '加賀 トメ', state: 'pending', expires_at: created.body.expires_at })]);
    const elsewhere = await callApi(pass, await managerToken(pass, STAFF.sakai.email), '/api/manager/preregistrations');
    expect(elsewhere.body.preregistrations).toEqual([]);
    // PASS Manager's page of them.
    const { jar } = await managerSession(pass.issuer, STAFF.niconico.email);
    const page = await request(jar, `${pass.issuer}/manager/preregistrations/`);
    const html = await page.text();
    expect(page.status).toBe(200);
    expect(html).toContain('カード登録の事前受付');
    expect(html).toMatch(/data-testid="preregistration" data-state="pending"[\s\S]*加賀 トメ/);
  });

  test('a wrong PIN is the card\'s answer at the kiosk, with the tries left; nothing reaches PASS', async () => {
    card.card.insert();
    const challenge = await kiosk.call('POST', '/api/kiosk/enrollments/challenges');
    const refused = await readAuthenticationProof(new ApduChannel(card.card, { timeoutMs: 5000 }), { pin: '9999', challenge: Buffer.from(challenge.body.challenge, 'base64') }).catch((e: unknown) => e);
    expect(refused).toMatchObject({ reason: 'wrong_pin', details: { attempts_left: 2 } });
    // The right PIN afterwards resets the counter, as the card does.
    expect((await readForEnrollment(card.card, challenge.body.challenge)).surface.birthdate).toBe('19500401');
  });

  test("a stranger's face with her card: refused face_not_card_holder, nothing stored, the pre-registration still pending", async () => {
    const before = await stored();
    const { body, answer } = await attempt(stranger);
    expect(answer).toMatchObject({ status: 403, body: { reason: 'face_not_card_holder', message: { ja: expect.any(String), en: expect.any(String) } } });
    expect(await stored()).toEqual(before);
    // The challenge was used up: the same answer again is a replay.
    const replay = await kiosk.call('POST', '/api/kiosk/enrollments', { json: body });
    expect(replay).toMatchObject({ status: 400, body: { reason: 'challenge_expired' } });
    const list = await app(taro.token, 'GET', '/api/households/preregistrations');
    expect(list.body.preregistrations).toEqual([expect.objectContaining({ state: 'pending' })]);
  });

  test('bad card data is refused with its reason and nothing stored', async () => {
    const before = await stored();
    const broken = await attempt(own, {
      edit: (b) => {
        const ef0003 = Buffer.from(b.textAp.ef0003, 'base64');
        ef0003[ef0003.length - 5]! ^= 0xff;
        b.textAp.ef0003 = ef0003.toString('base64');
      },
    });
    expect(broken.answer).toMatchObject({ status: 403, body: { reason: 'text_ap_invalid' } });
    const otherBirthdate = await attempt(own, { edit: (b) => (b.surface.birthdate = '19500402') });
    expect(otherBirthdate.answer).toMatchObject({ status: 403, body: { reason: 'card_data_mismatch' } });
    const notJ2k = await attempt(own, { edit: (b) => (b.surface.photo = Buffer.from('not a photo').toString('base64')) });
    expect(notJ2k.answer).toMatchObject({ status: 403, body: { reason: 'card_data_mismatch' } });
    const garbage = await kiosk.call('POST', '/api/kiosk/enrollments', { json: { challengeId: 'x', live: '***' } });
    expect(garbage).toMatchObject({ status: 400, body: { reason: 'invalid_request' } });
    expect(await stored()).toEqual(before);
  });

  test("a revoked card's certificate is refused (the development CRL) at the preview and at the final step, nothing stored", async () => {
    const before = await stored();
    const lost = await demoCard(pass, 'kaga-jiro-lost');
    // The lost card signs the challenge itself; her text AP and photo go with it.
    const challenge = await kiosk.call('POST', '/api/kiosk/enrollments/challenges');
    lost.insert();
    const proof = await readAuthenticationProof(new ApduChannel(lost, { timeoutMs: 5000 }), { pin: '1234', challenge: Buffer.from(challenge.body.challenge, 'base64') });
    const read = await readForEnrollment(card.card, challenge.body.challenge);
    const authentication = { certificate: Buffer.from(proof.certificate).toString('base64'), signature: Buffer.from(proof.signature).toString('base64') };
    const previewed = await kiosk.call('POST', '/api/kiosk/enrollments/preview', { json: { ...previewOf(read, challenge.body.challengeId), authentication } });
    expect(previewed).toMatchObject({ status: 403, body: { reason: 'card_revoked' } });
    // Her own card confirmed; a kiosk page made hostile swaps the lost card in for the final step.
    const honest = await kiosk.call('POST', '/api/kiosk/enrollments/preview', { json: previewOf(read, challenge.body.challengeId) });
    expect(honest.status).toBe(200);
    const revoked = await kiosk.call('POST', '/api/kiosk/enrollments', {
      json: { challengeId: challenge.body.challengeId, confirmation: honest.body.confirmation, ...read, authentication, live: Buffer.from(own).toString('base64') },
    });
    expect(revoked).toMatchObject({ status: 403, body: { reason: 'card_revoked' } });
    expect(await stored()).toEqual(before);
  });

  test('the preview says whose household she would join, stores nothing and leaves the challenge for the final step', async () => {
    const before = { ...(await stored()), audit: await auditCount() };
    const challenge = await kiosk.call('POST', '/api/kiosk/enrollments/challenges');
    const read = await readForEnrollment(card.card, challenge.body.challenge);
    const [pending] = (await app(taro.token, 'GET', '/api/households/preregistrations')).body.preregistrations as Array<Record<string, any>>;
    const preview = await kiosk.call('POST', '/api/kiosk/enrollments/preview', { json: previewOf(read, challenge.body.challengeId) });
    expect(preview).toMatchObject({ status: 200, body: { representative: { name: '加賀　太郎' }, relation: 'parent', expiresAt: pending!.expires_at, confirmation: expect.stringMatching(/^[\w-]{43}$/) } });
    // Asked again over the same challenge: the same answer, so the challenge was not spent.
    const again = await kiosk.call('POST', '/api/kiosk/enrollments/preview', { json: previewOf(read, challenge.body.challengeId) });
    expect(again).toMatchObject({ status: 200, body: { representative: { name: '加賀　太郎' } } });
    expect(again.body.confirmation).not.toBe(preview.body.confirmation);
    expect({ ...(await stored()), audit: await auditCount() }).toEqual(before);
    expect(await app(taro.token, 'GET', '/api/households/preregistrations')).toMatchObject({ body: { preregistrations: [expect.objectContaining({ id: pending!.id, state: 'pending' })] } });

    // Her card's text AP with a broken signature over the challenge, or data that is not what J-LIS signed: refused.
    const flip = (b64: string, at: number) => {
      const bytes = Buffer.from(b64, 'base64');
      bytes[at]! ^= 0x01;
      return bytes.toString('base64');
    };
    const badSignature = previewOf(read, challenge.body.challengeId);
    badSignature.textAp = { ...badSignature.textAp, signature: flip(badSignature.textAp.signature, 10) };
    expect(await kiosk.call('POST', '/api/kiosk/enrollments/preview', { json: badSignature })).toMatchObject({ status: 403, body: { reason: 'text_ap_invalid' } });
    const badFacts = previewOf(read, challenge.body.challengeId);
    badFacts.textAp = { ...badFacts.textAp, ef0002: flip(badFacts.textAp.ef0002, Buffer.from(badFacts.textAp.ef0002, 'base64').length - 3) };
    expect(await kiosk.call('POST', '/api/kiosk/enrollments/preview', { json: badFacts })).toMatchObject({ status: 403, body: { reason: 'text_ap_invalid' } });
    const otherSex = { ...previewOf(read, challenge.body.challengeId), surface: { birthdate: read.surface.birthdate, sex: '1' } };
    expect(await kiosk.call('POST', '/api/kiosk/enrollments/preview', { json: otherSex })).toMatchObject({ status: 403, body: { reason: 'card_data_mismatch', details: { field: 'sex' } } });
    // The photo stays on the kiosk until she confirmed.
    const withPhoto = { ...previewOf(read, challenge.body.challengeId), surface: read.surface };
    expect(await kiosk.call('POST', '/api/kiosk/enrollments/preview', { json: withPhoto })).toMatchObject({ status: 400, body: { reason: 'invalid_request' } });
    // Another kiosk cannot preview over this kiosk's challenge.
    const other = await provisionKiosk(pass, STAFF.niconico.email);
    expect(await other.call('POST', '/api/kiosk/enrollments/preview', { json: previewOf(read, challenge.body.challengeId) })).toMatchObject({ status: 400, body: { reason: 'challenge_expired' } });
    expect({ ...(await stored()), audit: await auditCount() }).toEqual(before);
  });

  test('the final step without her confirmation, or with one of another kiosk, challenge or card, is refused and stores nothing', async () => {
    const before = await stored();
    const refused = { status: 403, body: { reason: 'kiosk_enrollment_not_confirmed', message: { ja: expect.stringContaining('確認'), en: expect.any(String) } } };
    expect((await attempt(own, { confirmation: null })).answer).toMatchObject(refused);
    expect((await attempt(own, { confirmation: 'A'.repeat(43) })).answer).toMatchObject(refused);

    // Confirmed at another kiosk, over that kiosk's challenge.
    const other = await provisionKiosk(pass, STAFF.niconico.email);
    const elsewhere = await other.call('POST', '/api/kiosk/enrollments/challenges');
    const elsewhereRead = await readForEnrollment(card.card, elsewhere.body.challenge);
    const confirmedElsewhere = await other.call('POST', '/api/kiosk/enrollments/preview', { json: previewOf(elsewhereRead, elsewhere.body.challengeId) });
    expect(confirmedElsewhere.status).toBe(200);
    expect((await attempt(own, { confirmation: confirmedElsewhere.body.confirmation })).answer).toMatchObject(refused);

    // Confirmed at this kiosk over an earlier challenge: one confirmation is one attempt's.
    const earlier = await kiosk.call('POST', '/api/kiosk/enrollments/challenges');
    const earlierRead = await readForEnrollment(card.card, earlier.body.challenge);
    const confirmedEarlier = await kiosk.call('POST', '/api/kiosk/enrollments/preview', { json: previewOf(earlierRead, earlier.body.challengeId) });
    expect((await attempt(own, { confirmation: confirmedEarlier.body.confirmation })).answer).toMatchObject(refused);

    // Her other card (a card re-issued with the same facts): the same pre-registration, but not the card she confirmed with.
    const second = await memberCard(pass, TOME, 'obama/1.jpg');
    const challenge = await kiosk.call('POST', '/api/kiosk/enrollments/challenges');
    const confirmedWithFirst = await kiosk.call('POST', '/api/kiosk/enrollments/preview', { json: previewOf(await readForEnrollment(card.card, challenge.body.challenge), challenge.body.challengeId) });
    expect(confirmedWithFirst.status).toBe(200);
    const secondRead = await readForEnrollment(second.card, challenge.body.challenge);
    const swapped = await kiosk.call('POST', '/api/kiosk/enrollments', { json: { challengeId: challenge.body.challengeId, confirmation: confirmedWithFirst.body.confirmation, ...secondRead, live: Buffer.from(own).toString('base64') } });
    expect(swapped).toMatchObject(refused);
    expect(await pass.platform.db('audit_log').where({ action: 'household.kiosk_enrollment_refused' }).whereRaw("details->>'reason' = ?", ['kiosk_enrollment_not_confirmed'])).toHaveLength(1);

    // A confirmation is used up by the attempt that sent it, refused or not.
    const used = await attempt(own, { edit: (b) => (b.surface.birthdate = '19500402') });
    expect(used.answer).toMatchObject({ status: 403, body: { reason: 'card_data_mismatch' } });
    expect((await attempt(own, { confirmation: used.body.confirmation })).answer).toMatchObject(refused);
    expect(await stored()).toEqual(before);
    expect((await app(taro.token, 'GET', '/api/households/preregistrations')).body.preregistrations).toEqual([expect.objectContaining({ state: 'pending' })]);
  });

  test('a kiosk that is not set up, or no kiosk token, cannot enroll; a challenge is its own kiosk\'s', async () => {
    const unset = await new TestKiosk(pass.issuer).init();
    const auth = await unset.deviceAuthorization();
    await approveDevice(pass.issuer, auth.verification_uri_complete, STAFF.niconico.email);
    expect((await unset.token({ grant_type: 'urn:ietf:params:oauth:grant-type:device_code', device_code: auth.device_code })).status).toBe(200);
    expect(await unset.call('POST', '/api/kiosk/enrollments/challenges')).toMatchObject({ status: 403, body: { reason: 'kiosk_not_activated' } });
    const anonymous = await fetch(`${pass.issuer}/api/kiosk/enrollments/challenges`, { method: 'POST' });
    expect(anonymous.status).toBe(401);

    const other = await provisionKiosk(pass, STAFF.niconico.email);
    const challenge = await other.call('POST', '/api/kiosk/enrollments/challenges');
    const read = await readForEnrollment(card.card, challenge.body.challenge);
    const crossed = await kiosk.call('POST', '/api/kiosk/enrollments', { json: { challengeId: challenge.body.challengeId, ...read, live: Buffer.from(own).toString('base64') } });
    expect(crossed).toMatchObject({ status: 400, body: { reason: 'challenge_expired' } });
  });

  test("another household cannot cancel this one's pre-registration", async () => {
    await proofedAccount(pass, 'jiro@example.jp', { name: '加賀　次郎', birthdate: '1975-05-05', sex: '1', address: '石川県加賀市作見町ル２５番地１' });
    const jiro = await apiToken(pass, 'jiro@example.jp');
    const [mine] = (await app(taro.token, 'GET', '/api/households/preregistrations')).body.preregistrations as Array<{ id: string }>;
    expect(await app(jiro, 'DELETE', `/api/households/preregistrations/${mine!.id}`)).toMatchObject({ status: 404, body: { reason: 'preregistration_not_found' } });
    expect((await app(jiro, 'GET', '/api/households/preregistrations')).body.preregistrations).toEqual([]);
    expect((await app(taro.token, 'GET', '/api/households/preregistrations')).body.preregistrations).toEqual([expect.objectContaining({ id: mine!.id, state: 'pending' })]);

    // Her other son names her too: a person joins one household only, so the kiosk asks the family to agree.
    const theirs = await preregister(jiro, { relation: 'parent', name: TOME.name, birthdate: TOME.birthdate });
    expect(theirs.status).toBe(201);
    const before = await stored();
    expect((await attempt(own)).answer).toMatchObject({ status: 409, body: { reason: 'preregistration_ambiguous' } });
    expect(await stored()).toEqual(before);
    expect((await app(jiro, 'DELETE', `/api/households/preregistrations/${theirs.body.id}`)).status).toBe(204);
  });

  test('a pre-registration swapped in after she confirmed (another household\'s now) is refused; she joins only the household she saw', async () => {
    const jiro = await apiToken(pass, 'jiro@example.jp');
    const challenge = await kiosk.call('POST', '/api/kiosk/enrollments/challenges');
    const read = await readForEnrollment(card.card, challenge.body.challenge);
    const confirmed = await kiosk.call('POST', '/api/kiosk/enrollments/preview', { json: previewOf(read, challenge.body.challengeId) });
    expect(confirmed.body.representative.name).toBe('加賀　太郎');
    // Between her 「はい」 and the camera: her son's pre-registration is cancelled and another household names her.
    const [mine] = (await app(taro.token, 'GET', '/api/households/preregistrations')).body.preregistrations as Array<{ id: string }>;
    expect((await app(taro.token, 'DELETE', `/api/households/preregistrations/${mine!.id}`)).status).toBe(204);
    const theirs = await preregister(jiro, { relation: 'parent', name: TOME.name, birthdate: TOME.birthdate });
    expect(theirs.status).toBe(201);
    try {
      const before = await stored();
      const answer = await kiosk.call('POST', '/api/kiosk/enrollments', { json: { challengeId: challenge.body.challengeId, confirmation: confirmed.body.confirmation, ...read, live: Buffer.from(own).toString('base64') } });
      expect(answer).toMatchObject({ status: 403, body: { reason: 'kiosk_enrollment_not_confirmed' } });
      expect(await stored()).toEqual(before);
      expect((await app(jiro, 'GET', '/api/households/preregistrations')).body.preregistrations).toEqual([expect.objectContaining({ id: theirs.body.id, state: 'pending' })]);
      const audit = (await pass.platform.db('audit_log').where({ action: 'household.kiosk_enrollment_refused' }).whereRaw("details->>'preregistrationId' = ?", [theirs.body.id])) as Array<{ details: unknown }>;
      expect(audit.map((a) => (typeof a.details === 'string' ? JSON.parse(a.details) : a.details))).toEqual([expect.objectContaining({ reason: 'kiosk_enrollment_not_confirmed', confirmedPreregistrationId: mine!.id, sameCard: true })]);
    } finally {
      expect((await app(jiro, 'DELETE', `/api/households/preregistrations/${theirs.body.id}`)).status).toBe(204);
      expect((await preregister(taro.token, { relation: 'parent', name: TOME.name, birthdate: TOME.birthdate })).status).toBe(201);
    }
  });

  test("a face the face service refuses to enroll (already her son's): the member is undone, the pre-registration reopened", async () => {
    const face = pass.provided.face!;
    await face.enroll(taro.personId, await frameOf('obama/3.jpg'));
    try {
      const before = await stored();
      const { answer } = await attempt(own);
      expect(answer).toMatchObject({ status: 409, body: { reason: 'face_belongs_to_other_person' } });
      expect(await stored()).toEqual(before);
      expect((await app(taro.token, 'GET', '/api/households/me')).body.members).toHaveLength(1);
      expect((await app(taro.token, 'GET', '/api/households/preregistrations')).body.preregistrations).toEqual([expect.objectContaining({ state: 'pending', person_id: null })]);
      expect(await pass.platform.db('audit_log').where({ action: 'household.kiosk_enrollment_undone' })).toHaveLength(1);
    } finally {
      await face.remove(taro.personId);
    }
  });

  test('her own face: proofed as a member of the household, face enrolled, card linked, pre-registration completed', async () => {
    const { answer } = await attempt(own);
    expect(answer).toMatchObject({ status: 201, body: { result: 'enrolled', person: { name: 'トメ' }, household: { representative: '加賀　太郎' }, relation: 'parent', cardLinked: true } });
    const household = await app(taro.token, 'GET', '/api/households/me');
    const member = (household.body.members as Array<Record<string, any>>).find((m) => m.relation === 'parent');
    expect(member).toMatchObject({ name: '加賀　トメ', birthdate: TOME.birthdate, method: 'jpki_text_ap', assurance: 'low', face_enrolled: true });
    expect(await pass.platform.db('card_links').where({ person_id: member!.person_id, linked_via: 'text_ap' }).first()).toBeDefined();
    expect((await app(taro.token, 'GET', '/api/households/preregistrations')).body.preregistrations).toEqual([expect.objectContaining({ state: 'completed', person_id: member!.person_id })]);
    // The audit log is append-only: the undone attempt above keeps its entries; this member has one.
    const audit = (await pass.platform.db('audit_log').where({ action: 'household.member_enrolled_at_kiosk', person_id: member!.person_id })) as Array<Record<string, any>>;
    expect(audit).toHaveLength(1);
    // The card photo is compared and dropped: no stored row holds JPEG 2000.
    expect(JSON.stringify(audit)).not.toMatch(/photo/);
    // Done once: the card again finds nothing pending.
    expect((await attempt(own)).answer).toMatchObject({ status: 404, body: { reason: 'preregistration_not_found' } });
  });

  test('a day later the pre-registration has expired, at the kiosk and in the app', async () => {
    const father = { ...TOME, name: '加賀　五郎', birthdate: '1948-08-08', sex: '1' as const };
    const created = await preregister(taro.token, { relation: 'parent', name: father.name, birthdate: father.birthdate });
    expect(created.status).toBe(201);
    const goro = await memberCard(pass, father, 'obama/1.jpg');
    const preregistrations = pass.provided.households!.preregistrations;
    const real = preregistrations.now;
    preregistrations.now = () => new Date(real().getTime() + DAY + 1000);
    try {
      const before = await stored();
      const { answer } = await attempt(own, { with: goro });
      expect(answer).toMatchObject({ status: 410, body: { reason: 'preregistration_expired', message: { ja: expect.stringContaining('24時間') } } });
      expect(await stored()).toEqual(before);
      const list = await app(taro.token, 'GET', '/api/households/preregistrations');
      expect(list.body.preregistrations).toEqual(expect.arrayContaining([expect.objectContaining({ id: created.body.id, state: 'expired' })]));
      // An expired one no longer counts: the representative may pre-register again.
      expect((await preregister(taro.token, { relation: 'parent', name: father.name, birthdate: father.birthdate })).status).toBe(201);
    } finally {
      preregistrations.now = real;
    }
  });

  test('the representative cancels a pending pre-registration; at most three are pending', async () => {
    const list = (await app(taro.token, 'GET', '/api/households/preregistrations')).body.preregistrations as Array<{ id: string; state: string }>;
    const pending = list.filter((p) => p.state === 'pending');
    expect(pending.length).toBeGreaterThan(0);
    for (const p of pending) expect((await app(taro.token, 'DELETE', `/api/households/preregistrations/${p.id}`)).status).toBe(204);
    expect(await app(taro.token, 'DELETE', `/api/households/preregistrations/${pending[0]!.id}`)).toMatchObject({ status: 409, body: { reason: 'preregistration_closed' } });
    const completed = list.find((p) => p.state === 'completed');
    expect(completed).toBeDefined();
    expect(await app(taro.token, 'DELETE', `/api/households/preregistrations/${completed!.id}`)).toMatchObject({ status: 409, body: { reason: 'preregistration_closed' } });
    expect(await app(taro.token, 'DELETE', `/api/households/preregistrations/${randomUUID()}`)).toMatchObject({ status: 404 });
    for (const [i, birthdate] of ['1940-01-01', '1941-01-01', '1942-01-01'].entries()) {
      expect((await preregister(taro.token, { relation: 'parent', name: `加賀　祖${i}`, birthdate })).status).toBe(201);
    }
    expect(await preregister(taro.token, { relation: 'parent', name: '加賀　祖3', birthdate: '1943-01-01' })).toMatchObject({ status: 409, body: { reason: 'preregistration_limit' } });
  });
});

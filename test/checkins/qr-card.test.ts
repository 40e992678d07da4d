// QR code and card check-in at a kiosk: the PASS app's signed QR code (accepted once; replayed,
// expired and forged codes refused), the My Number Card's user-authentication certificate (a
// linked card checks in its person, another card anonymously, a revoked card is refused),
// idempotent retries, and a failure event for every refusal.
import { randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, SignJWT, decodeProtectedHeader } from 'jose';
import { createStorage, startPass, type TestStorage } from '../helpers/pass.ts';
import { storageModes } from '../helpers/services.ts';
import { provisionKiosk, runtime, staffAccount, withFacilities, type Pass, type TestKiosk } from '../kiosk/helpers.ts';
import { failureEvents, plainResident, proofedResident, readDemoCard, register, residentApiToken } from '../kiosk/fixtures.ts';

const mode = storageModes().at(-1)!;

describe(`QR and card check-in (${mode})`, () => {
  let storage: TestStorage;
  let pass: Pass;
  let kiosk: TestKiosk;
  let resident: { accountId: string; personId: string };
  let events: Array<Record<string, string>>;
  let residentToken: string;

  beforeAll(async () => {
    storage = await createStorage(mode);
    pass = await startPass(storage.env);
    await withFacilities(pass);
    await staffAccount(pass, 'staff@niconico.example.jp', 'facility_staff', { facilityId: 'kaga-niconico-park' });
    resident = await proofedResident(pass);
    await register(pass, resident.personId, 'kaga-niconico-park', ['name', 'age', 'resident_of']);
    kiosk = await provisionKiosk(pass, 'staff@niconico.example.jp');
    residentToken = await residentApiToken(pass, 'resident@pass.localhost');
    events = await failureEvents(pass);
  }, 90_000);

  // Test files share one Redis and its event bus: only this kiosk's failures are this test's.
  const ours = () => events.filter((e) => e.kioskId === kiosk.id);

  afterAll(async () => {
    await pass?.close();
    await storage?.cleanup();
  });

  async function qrToken(token = residentToken): Promise<string> {
    const response = await fetch(`${pass.issuer}/api/checkins/qr-token`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
    expect(response.status).toBe(201);
    const body = (await response.json()) as { token: string; ttlSeconds: number };
    expect(body.ttlSeconds).toBeLessThanOrEqual(60);
    return body.token;
  }

  const qr = (id: string, token: string) => kiosk.call('POST', '/api/kiosk/checkins/qr', { json: { id, token } });
  const rows = (id: string) => pass.platform.db('checkins').where({ id });

  test('a QR code checks the resident in once; the facility sees only what was consented', async () => {
    const token = await qrToken();
    const id = randomUUID();
    const first = await qr(id, token);
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ id, result: 'accepted', method: 'qr', replayed: false, message: { ja: 'チェックインしました。' } });
    // An adult under the default kiosk display policy: the given name only, no age (issue 15).
    expect(first.body.person).toEqual({ name: '太郎', resident: true });
    // The kiosk retries (lost answer): same answer, one record.
    const again = await qr(id, token);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ id, result: 'accepted', replayed: true, recordedAt: first.body.recordedAt });
    const concurrent = await Promise.all(Array.from({ length: 8 }, () => qr(id, token)));
    expect(concurrent.every((a) => a.body.result === 'accepted')).toBe(true);
    expect(await rows(id)).toHaveLength(1);
    expect((await rows(id))[0]).toMatchObject({ person_id: resident.personId, kiosk_id: kiosk.id, result: 'accepted' });
  });

  test('replayed, expired and forged QR codes are refused, recorded and reported to staff', async () => {
    const token = await qrToken();
    expect((await qr(randomUUID(), token)).body.result).toBe('accepted');
    const replayId = randomUUID();
    const replay = await qr(replayId, token);
    expect(replay.body).toMatchObject({ result: 'rejected', reason: 'qr_replayed', message: { ja: expect.stringContaining('すでに使われて') } });
    expect(replay.body.person).toBeUndefined();

    const { qr: tokens } = runtime(pass);
    const expired = (await tokens.issue(resident.personId, new Date(Date.now() - 5 * 60_000))).token;
    expect((await qr(randomUUID(), expired)).body.reason).toBe('qr_expired');

    // Forged: signed by another key under PASS's key id; a payload swapped to another person; junk.
    const { kid } = decodeProtectedHeader(token);
    const { privateKey, publicKey } = await generateKeyPair('ES256');
    await exportJWK(publicKey);
    const forged = await new SignJWT({ sub: resident.personId, jti: randomUUID() })
      .setProtectedHeader({ alg: 'ES256', kid: kid!, typ: 'pass-checkin+jwt' })
      .setIssuer(pass.issuer)
      .setAudience('pass-kiosk')
      .setIssuedAt()
      .setExpirationTime('30s')
      .sign(privateKey);
    const other = await plainResident(pass, 'other@example.jp');
    const [h, p, s] = (await qrToken()).split('.');
    const payload = JSON.parse(Buffer.from(p!, 'base64url').toString()) as Record<string, unknown>;
    const swapped = `${h}.${Buffer.from(JSON.stringify({ ...payload, sub: other.personId })).toString('base64url')}.${s}`;
    for (const bad of [forged, swapped, 'not.a.jwt', `${h}.${p}.`]) {
      const answer = await qr(randomUUID(), bad);
      expect({ status: answer.status, reason: answer.body.reason }).toEqual({ status: 201, reason: 'qr_invalid' });
    }
    expect(ours().filter((e) => e.method === 'qr').map((e) => e.reason)).toEqual(['qr_replayed', 'qr_expired', 'qr_invalid', 'qr_invalid', 'qr_invalid', 'qr_invalid']);
    expect(ours().find((e) => e.id === replayId)).toMatchObject({ facilityId: 'kaga-niconico-park', kioskId: kiosk.id });
  });

  test('a resident not registered at the facility is refused', async () => {
    await plainResident(pass, 'visitor@example.jp');
    const token = await qrToken(await residentApiToken(pass, 'visitor@example.jp'));
    const answer = await qr(randomUUID(), token);
    expect(answer.body).toMatchObject({ result: 'rejected', reason: 'not_registered' });
    expect(ours().at(-1)).toMatchObject({ reason: 'not_registered', method: 'qr' });
  });

  async function cardCheckin(cardId: string, pin = '1234', challengeOverride?: { challengeId: string; challenge: string }) {
    const challenge = (challengeOverride ?? (await kiosk.call('POST', '/api/kiosk/card/challenges')).body) as { challengeId: string; challenge: string };
    const signed = await readDemoCard(pass, cardId, challenge.challenge, pin);
    if (signed.status !== 200) return { signed };
    const answer = await kiosk.call('POST', '/api/kiosk/checkins/card', { json: { id: randomUUID(), challengeId: challenge.challengeId, ...signed.body } });
    return { signed, answer, challenge };
  }

  test('card-only check-in: a linked card checks in its person, another card anonymously', async () => {
    const dev = pass.provided.proofing!.pki.dev!;
    await runtime(pass).cards.link(resident.personId, (await dev.open('kaga-taro')).card.readAuthenticationCertificate());
    const linked = await cardCheckin('kaga-taro');
    expect(linked.answer!.body).toMatchObject({ result: 'accepted', method: 'card', person: { name: '太郎' } });
    expect((await rows(linked.answer!.body.id))[0]).toMatchObject({ person_id: resident.personId, method: 'card' });

    const anonymous = await cardCheckin('kaga-hanako');
    expect(anonymous.answer!.body).toMatchObject({ result: 'accepted', method: 'card', anonymous: true });
    const row = (await rows(anonymous.answer!.body.id))[0];
    expect(row.person_id).toBeNull();
    expect(row.card_key).toMatch(/^[0-9a-f]{64}$/);

    // A challenge is single use.
    const reused = await cardCheckin('kaga-hanako', '1234', anonymous.challenge);
    expect(reused.answer!.body).toMatchObject({ result: 'rejected', reason: 'challenge_expired' });
    // A wrong PIN never reaches PASS's verification: the card refuses.
    expect((await cardCheckin('kaga-sora', '0000')).signed.body.reason).toBe('wrong_pin');
  });

  test('a revoked card is refused and staff are told', async () => {
    const revoked = await cardCheckin('kaga-jiro-lost');
    expect(revoked.answer!.body).toMatchObject({ result: 'rejected', reason: 'card_revoked', message: { ja: expect.stringContaining('失効') } });
    // A card revoked after it was used is refused from then on.
    const dev = pass.provided.proofing!.pki.dev!;
    await dev.revoke('kaga-hanako');
    expect((await cardCheckin('kaga-hanako')).answer!.body.reason).toBe('card_revoked');
    expect(ours().filter((e) => e.method === 'card').map((e) => e.reason)).toEqual(['challenge_expired', 'card_revoked', 'card_revoked']);
  });
});

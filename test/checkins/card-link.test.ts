// Linking a My Number Card for card-only check-in, over HTTP with the development virtual card: a
// resident proofed with the card's signature certificate alone (as before issue 15) has the same
// card sign PASS's link challenge, in one session, with its user-authentication key (4-digit PIN)
// and its signature key (which shows the card is the resident's own). From then on a card-only
// check-in at a kiosk is recorded against that person and their registration, not anonymously. A
// copied certificate, a used challenge, an unproofed account and a revoked card are refused.
import { storageModes } from '../helpers/services.ts';
import { api, newAccount, appToken, startEnv, stopEnv, TARO, HANAKO, type Env } from '../jpki/proofing-helpers.ts';
import { provisionKiosk, staffAccount, withFacilities, type TestKiosk } from '../kiosk/helpers.ts';
import { cardCheckin as kioskCardCheckin, register } from '../kiosk/fixtures.ts';

const mode = storageModes().at(-1)!;

describe(`linking a My Number Card for card check-in (${mode})`, () => {
  let env: Env;
  let kiosk: TestKiosk;
  let token: string;
  let personId: string;

  beforeAll(async () => {
    env = await startEnv(mode);
    await withFacilities(env.pass);
    await staffAccount(env.pass, 'staff@niconico.example.jp', 'facility_staff', { facilityId: 'kaga-niconico-park' });
    await env.cards.issue(TARO, { id: 'link-taro' });
    await env.cards.issue(HANAKO, { id: 'link-hanako' });
    // A renewed card of the same person (a card for another person cannot be linked at all).
    await env.cards.issue(TARO, { id: 'link-taro-new' });
    const accountId = await newAccount(env, 'taro.link@example.jp');
    token = await appToken(env, 'taro.link@example.jp');
    // Identity proofing over HTTP: the virtual card signs with its signature key (sign PIN).
    const challenge = await api(env, token, 'POST', '/api/identity/jpki/challenge');
    const signed = await api(env, token, 'POST', '/api/identity/jpki/dev/cards/link-taro/sign', { pin: 'PASS1234', challenge: challenge.body.challenge });
    const verified = await api(env, token, 'POST', '/api/identity/jpki/verify', { challenge_id: challenge.body.challenge_id, ...signed.body });
    const confirmed = await api(env, token, 'POST', '/api/identity/jpki/confirm', { verification_id: verified.body.verification_id });
    expect(confirmed.status).toBe(200);
    personId = confirmed.body.person_id;
    expect((await env.pass.platform.db('persons').where({ id: personId }).first()).account_id).toBe(accountId);
    await register(env.pass, personId, 'kaga-niconico-park', ['name', 'age']);
    kiosk = await provisionKiosk(env.pass, 'staff@niconico.example.jp');
  }, 90_000);

  afterAll(async () => {
    await stopEnv(env);
  });

  /** What the PASS app does: a link challenge, the (virtual) card signs it with both keys after both PINs, PASS links. */
  async function link(cardId: string, withToken = token, tamper?: (signed: { certificate: string; signature: string }) => Promise<void>) {
    const challenge = await api(env, withToken, 'POST', '/api/checkins/card-link/challenge');
    expect(challenge.status).toBe(201);
    const read = await api(env, withToken, 'POST', `/api/identity/jpki/dev/cards/${cardId}/sign`, { pin: 'PASS1234', auth_pin: '1234', challenge: challenge.body.challenge });
    expect(read.status).toBe(200);
    const proof = { ...(read.body.authentication as { certificate: string; signature: string }), signatureProof: { certificate: read.body.certificate, signature: read.body.signature } };
    await tamper?.(proof);
    const answer = await api(env, withToken, 'POST', '/api/checkins/card-link', { challengeId: challenge.body.challengeId, ...proof });
    return { answer, challengeId: challenge.body.challengeId as string, proof };
  }

  const cardCheckin = (cardId: string) => kioskCardCheckin(env.pass, kiosk, cardId);

  test('before linking the card checks in anonymously; after, as the resident with what the registration shows', async () => {
    expect((await api(env, token, 'GET', '/api/checkins/card-link')).body).toEqual({ linked: false, cards: [] });
    const before = await cardCheckin('link-taro');
    expect(before.answer.body).toMatchObject({ result: 'accepted', method: 'card', anonymous: true });
    expect(before.row.person_id).toBeNull();

    const { answer } = await link('link-taro');
    expect(answer).toMatchObject({ status: 201, body: { linked: true, linkedAt: expect.any(String) } });
    expect((await api(env, token, 'GET', '/api/checkins/card-link')).body).toMatchObject({ linked: true });

    const after = await cardCheckin('link-taro');
    // The kiosk's default display policy: an adult's given name, no age (issue 15).
    expect(after.answer.body).toMatchObject({ result: 'accepted', method: 'card', person: { name: '太郎' } });
    expect(after.answer.body.person.age).toBeUndefined();
    expect(after.answer.body.anonymous).toBeUndefined();
    expect(after.row).toMatchObject({ person_id: personId, result: 'accepted', method: 'card' });
    expect(after.row.card_key).toMatch(/^[0-9a-f]{64}$/);
  });

  test('a copied certificate, a used challenge and an unproofed account are refused; nothing is linked', async () => {
    const links = async () => env.pass.platform.db('card_links').orderBy('created_at').select('person_id', 'card_key');
    const before = await links();
    // Hanako's certificate with a signature made by Taro's card: possession of the certificate is not enough.
    const copied = await link('link-taro', token, async (proof) => {
      const { card } = await env.cards.open('link-hanako');
      proof.certificate = Buffer.from(card.readAuthenticationCertificate()).toString('base64');
    });
    expect(copied.answer).toMatchObject({ status: 400, body: { reason: 'card_invalid', message: { ja: expect.any(String), en: expect.any(String) } } });
    // A link challenge works once.
    const reused = await api(env, token, 'POST', '/api/checkins/card-link', { challengeId: copied.challengeId, ...copied.proof });
    expect(reused).toMatchObject({ status: 400, body: { reason: 'challenge_expired' } });
    // An account that has not proofed its identity cannot link a card.
    await newAccount(env, 'nobody@example.jp');
    const stranger = await appToken(env, 'nobody@example.jp');
    expect((await link('link-hanako', stranger)).answer).toMatchObject({ status: 403, body: { reason: 'not_proofed', message: { ja: expect.stringContaining('本人確認') } } });
    // Malformed input changes nothing either.
    expect((await api(env, token, 'POST', '/api/checkins/card-link', { challengeId: 'x', certificate: '%%%', signature: '' })).status).toBe(400);
    expect(await links()).toEqual(before);
  });

  test('a new card replaces the link; a revoked card is refused at linking and at the kiosk', async () => {
    const { answer } = await link('link-taro-new');
    expect(answer.status).toBe(201);
    // One current card; the replaced one stays listed (issue 15) and no longer matches.
    expect(Number((await env.pass.platform.db('card_links').where({ person_id: personId }).whereNull('replaced_at').count({ n: '*' }))[0]!.n)).toBe(1);
    expect((await api(env, token, 'GET', '/api/checkins/card-link')).body.cards.map((c: { status: string }) => c.status)).toEqual(['current', 'replaced']);
    expect((await cardCheckin('link-taro')).answer.body.anonymous).toBe(true);
    expect((await cardCheckin('link-taro-new')).row.person_id).toBe(personId);

    await env.cards.revoke('link-taro-new');
    const refusedLink = await link('link-taro-new');
    expect(refusedLink.answer).toMatchObject({ status: 403, body: { reason: 'card_revoked', message: { ja: expect.stringContaining('失効') } } });
    const refusedCheckin = await cardCheckin('link-taro-new');
    expect(refusedCheckin.answer.body).toMatchObject({ result: 'rejected', reason: 'card_revoked' });
    expect(refusedCheckin.row.person_id).toBeNull();

    // Unlinking: the card is anonymous again.
    expect((await api(env, token, 'DELETE', '/api/checkins/card-link')).body).toEqual({ linked: false });
    expect(await env.pass.platform.db('card_links').where({ person_id: personId }).first()).toBeUndefined();
  });
});

// One card, one person (issue 15), over HTTP with the development virtual cards. At proofing the
// app reads both certificates of one card in one session and both keys sign PASS's challenge: the
// card is the person's card from then on, and a card-only check-in finds them with no link step.
// A later link needs proof that the card is the person's own — the same card's signature key, or
// its text-input-support AP — so 花子 cannot link 太郎's card, nor a pair made of two cards: each is
// refused `card_other_person`, audited, and nothing is linked. A newer card replaces the old one,
// which stays listed and no longer checks anyone in.
import { createHash } from 'node:crypto';
import { storageModes } from '../helpers/services.ts';
import { api, appToken, b64, newAccount, startEnv, stopEnv, HANAKO, TARO, type ApiResult, type Env } from '../jpki/proofing-helpers.ts';
import { provisionKiosk, staffAccount, withFacilities, type TestKiosk } from '../kiosk/helpers.ts';
import { cardCheckin as kioskCardCheckin, register } from '../kiosk/fixtures.ts';

const mode = storageModes().at(-1)!;

interface CardRead {
  certificate: string;
  signature: string;
  authentication: { certificate: string; signature: string };
}

describe(`one card, one person (${mode})`, () => {
  let env: Env;
  let kiosk: TestKiosk;
  const people: Record<'taro' | 'hanako', { token: string; personId: string }> = {} as never;

  beforeAll(async () => {
    env = await startEnv(mode);
    await withFacilities(env.pass);
    await staffAccount(env.pass, 'staff@bind.example.jp', 'facility_staff', { facilityId: 'kaga-niconico-park' });
    for (const [id, facts] of [['bind-taro', TARO], ['bind-taro-renewed', TARO], ['bind-taro-text', TARO], ['bind-hanako', HANAKO]] as const) await env.cards.issue(facts, { id });
    kiosk = await provisionKiosk(env.pass, 'staff@bind.example.jp');
  }, 90_000);

  afterAll(async () => {
    await stopEnv(env);
  });

  /** The card in one session: both PINs, both keys sign the challenge, both certificates are read. */
  async function readCard(token: string, cardId: string, challenge: string): Promise<CardRead> {
    const read = await api(env, token, 'POST', `/api/identity/jpki/dev/cards/${cardId}/sign`, { pin: 'PASS1234', auth_pin: '1234', challenge });
    expect(read.status).toBe(200);
    return read.body as CardRead;
  }

  /** Proofing as the app does it, with both keys of one card, or the signature key of one and the user-authentication key of another. */
  async function proveWith(token: string, signCard: string, authCard = signCard): Promise<{ verified: ApiResult; confirmed: ApiResult }> {
    const challenge = await api(env, token, 'POST', '/api/identity/jpki/challenge');
    const sign = await readCard(token, signCard, challenge.body.challenge);
    const auth = authCard === signCard ? sign : await readCard(token, authCard, challenge.body.challenge);
    const verified = await api(env, token, 'POST', '/api/identity/jpki/verify', {
      challenge_id: challenge.body.challenge_id, certificate: sign.certificate, signature: sign.signature, authentication: auth.authentication,
    });
    const confirmed = await api(env, token, 'POST', '/api/identity/jpki/confirm', { verification_id: verified.body.verification_id });
    return { verified, confirmed };
  }

  /** A later link on the card page: the user-authentication proof, with the signature proof of `signCard` (none: `null`). */
  async function linkWith(token: string, authCard: string, signCard: string | null = authCard): Promise<ApiResult> {
    const challenge = await api(env, token, 'POST', '/api/checkins/card-link/challenge');
    const auth = await readCard(token, authCard, challenge.body.challenge);
    const sign = signCard === authCard ? auth : signCard ? await readCard(token, signCard, challenge.body.challenge) : undefined;
    return api(env, token, 'POST', '/api/checkins/card-link', {
      challengeId: challenge.body.challengeId,
      ...auth.authentication,
      ...(sign ? { signatureProof: { certificate: sign.certificate, signature: sign.signature } } : {}),
    });
  }

  const cardCheckin = (cardId: string) => kioskCardCheckin(env.pass, kiosk, cardId);

  const links = () => env.pass.platform.db('card_links').orderBy(['person_id', 'card_key']).select('person_id', 'card_key', 'linked_via', 'replaced_at');
  const audit = (action: string, personId: string) => env.pass.platform.db('audit_log').where({ action, person_id: personId }).orderBy('id').select('actor_account_id', 'details');

  test('proofing with both keys makes the card the person\'s: the kiosk finds them with no link step', async () => {
    for (const [who, email, card] of [['taro', 'taro.bind@example.jp', 'bind-taro'], ['hanako', 'hanako.bind@example.jp', 'bind-hanako']] as const) {
      const accountId = await newAccount(env, email);
      const token = await appToken(env, email);
      const { verified, confirmed } = await proveWith(token, card);
      expect(verified.body.card).toEqual({ read: true, linked: true });
      expect(confirmed).toMatchObject({ status: 200, body: { status: 'bound', card_linked: true } });
      people[who] = { token, personId: confirmed.body.person_id as string };
      await register(env.pass, people[who].personId, 'kaga-niconico-park', ['name']);
      // The user-authentication certificate's facts are kept as the person's card.
      const authDer = (await env.cards.open(card)).card.readAuthenticationCertificate();
      const row = await env.pass.platform.db('card_links').where({ person_id: people[who].personId }).first();
      expect(row).toMatchObject({ linked_via: 'proofing', replaced_at: null, fingerprint: createHash('sha256').update(authDer).digest('hex'), serial_number: expect.stringMatching(/^[0-9A-Fa-f]+$/) });
      expect(row.not_after.getTime()).toBeGreaterThan(row.not_before.getTime());
      expect(await audit('identity.card_linked', people[who].personId)).toEqual([{ actor_account_id: accountId, details: expect.objectContaining({ via: 'proofing' }) }]);
    }
    const taro = await cardCheckin('bind-taro');
    expect(taro.answer.body).toMatchObject({ result: 'accepted', method: 'card' });
    expect(taro.answer.body.anonymous).toBeUndefined();
    expect(taro.row).toMatchObject({ person_id: people.taro.personId, result: 'accepted' });
    expect((await cardCheckin('bind-hanako')).row.person_id).toBe(people.hanako.personId);
  });

  test("花子 cannot link 太郎's card, nor a pair of two cards: refused card_other_person, audited, nothing stored", async () => {
    const before = await links();
    // 太郎's card, both keys: a proof that it is 太郎's, not 花子's.
    const other = await linkWith(people.hanako.token, 'bind-taro');
    expect(other).toMatchObject({
      status: 403,
      body: { reason: 'card_other_person', message: { ja: expect.stringContaining('ご本人のもの'), en: expect.stringContaining('could not be shown to be yours') } },
    });
    // 花子's own signature key with 太郎's user-authentication key: two cards, not one.
    expect(await linkWith(people.hanako.token, 'bind-taro', 'bind-hanako')).toMatchObject({ status: 403, body: { reason: 'card_other_person' } });
    // The user-authentication key alone (the flow before issue 15) proves possession, not the person.
    expect(await linkWith(people.hanako.token, 'bind-taro', null)).toMatchObject({ status: 403, body: { reason: 'card_other_person' } });
    expect(await links()).toEqual(before);
    const refusals = await audit('identity.card_link_refused', people.hanako.personId);
    expect(refusals.map((r) => r.details.why)).toEqual(['other_person', 'not_one_card', 'no_proof']);
    expect(refusals.every((r) => r.details.reason === 'card_other_person')).toBe(true);

    // Nor at proofing: 花子's signature key with 太郎's card leaves the cards as they were.
    const mixed = await proveWith(people.hanako.token, 'bind-hanako', 'bind-taro');
    expect(mixed.verified.body.card).toEqual({ read: true, linked: false, why: 'issuance' });
    expect(mixed.confirmed).toMatchObject({ status: 200, body: { status: 'updated', card_linked: false } });
    expect(await links()).toEqual(before);

    // 太郎's card at the kiosk is still 太郎, never 花子.
    const checkin = await cardCheckin('bind-taro');
    expect(checkin.row.person_id).toBe(people.taro.personId);
    expect(JSON.stringify(checkin.answer.body)).not.toContain('花子');
  });

  test('a renewed card replaces the old one, which stays listed and no longer checks in; the text-input-support AP shows the person too', async () => {
    const renewed = await linkWith(people.taro.token, 'bind-taro-renewed');
    expect(renewed).toMatchObject({ status: 201, body: { linked: true, card: { status: 'current', linkedVia: 'signature' } } });
    const listed = await api(env, people.taro.token, 'GET', '/api/checkins/card-link');
    expect(listed.body.cards.map((c: { status: string; linkedVia: string }) => [c.status, c.linkedVia])).toEqual([['current', 'signature'], ['replaced', 'proofing']]);
    expect(listed.body.cards[1]).toMatchObject({ replacedAt: expect.any(String), serialNumber: expect.any(String), notAfter: expect.any(String) });
    expect((await cardCheckin('bind-taro')).answer.body.anonymous).toBe(true);
    expect((await cardCheckin('bind-taro-renewed')).row.person_id).toBe(people.taro.personId);

    // The 券面事項入力補助AP: J-LIS-signed basic four read in the same session, with the user-authentication proof.
    const textCards = env.pass.provided.households!.devTextCards!;
    await textCards.issue({ name: TARO.name, address: TARO.address, birthdate: TARO.birthdate, sex: '1' }, { id: 'bind-taro-text-ap' });
    const viaTextAp = async (token: string) => {
      const challenge = await api(env, token, 'POST', '/api/checkins/card-link/challenge');
      const auth = await readCard(token, 'bind-taro-text', challenge.body.challenge);
      const read = await textCards.read('bind-taro-text-ap', '1234', new Uint8Array(Buffer.from(challenge.body.challenge as string, 'base64')));
      return api(env, token, 'POST', '/api/checkins/card-link', {
        challengeId: challenge.body.challengeId,
        ...auth.authentication,
        textAp: { ef0002: b64(read.ef0002), ef0003: b64(read.ef0003), ef0004: b64(read.ef0004), ef0007: b64(read.ef0007), signature: b64(read.challengeSignature) },
      });
    };
    expect(await viaTextAp(people.hanako.token)).toMatchObject({ status: 403, body: { reason: 'card_other_person' } });
    expect(await viaTextAp(people.taro.token)).toMatchObject({ status: 201, body: { card: { status: 'current', linkedVia: 'text_ap' } } });
    expect((await cardCheckin('bind-taro-text')).row.person_id).toBe(people.taro.personId);
    expect((await cardCheckin('bind-taro-renewed')).answer.body.anonymous).toBe(true);

    // A revoked card stops matching: refused at the kiosk, and listed as revoked.
    await env.cards.revoke('bind-taro-text');
    expect((await cardCheckin('bind-taro-text')).answer.body).toMatchObject({ result: 'rejected', reason: 'card_revoked' });
    const afterRevocation = await api(env, people.taro.token, 'GET', '/api/checkins/card-link');
    expect(afterRevocation.body).toMatchObject({ linked: false });
    expect(afterRevocation.body.cards.map((c: { status: string }) => c.status)).toEqual(['revoked', 'replaced', 'replaced']);
  });
});

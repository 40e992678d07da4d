/**
 * The proofing API end to end, in every storage mode: a real access token for the PASS API (code
 * flow with resource `${issuer}/api`), virtual cards from the installation's development CA, and
 * a relying party receiving the verified facts with verified_claims.
 */
import { storageModes } from '../helpers/services.ts';
import { authorize, exchangeCode } from '../helpers/browserless.ts';
import { startPass } from '../helpers/pass.ts';
import { seedJpkiDemo, DEMO_PROOFED_ACCOUNT } from '../../src/identity/proofing/index.ts';
import {
  api, appToken, b64, countRows, HANAKO, newAccount, PASSWORD, prove, proveAndConfirm, RP_REDIRECT, startEnv, stopEnv, TARO,
} from './proofing-helpers.ts';
import type { Env } from './proofing-helpers.ts';
import { TARO_CLAIMS } from './fixtures.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function decodeJwt(jwt: string): Record<string, any> {
  return JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, any>;
}

const VERIFIED_CLAIMS_REQUEST = {
  verification: {
    trust_framework: null,
    time: null,
    evidence: [{ type: { value: 'electronic_signature' }, issuer: null, serial_number: null, created_at: null }],
  },
  claims: { name: null, family_name: null, given_name: null, birthdate: null, gender: null, address: null },
};

describe.each(storageModes())('identity proofing API on %s', (mode) => {
  let env: Env;
  let taroToken: string;
  let evidence: () => Promise<number>;

  beforeAll(async () => {
    env = await startEnv(mode, { JPKI_CHALLENGE_TTL_SECONDS: '2' });
    await env.cards.issue(TARO, { id: 'taro' });
    await env.cards.issue(HANAKO, { id: 'hanako' });
    await newAccount(env, 'taro@example.jp');
    taroToken = await appToken(env, 'taro@example.jp');
    evidence = async () => (await countRows(env, 'identity_verifications')) + (await countRows(env, 'person_identities'));
  }, 120_000);

  afterAll(async () => {
    await stopEnv(env);
  });

  test('the API needs an access token for the PASS API', async () => {
    const none = await fetch(new URL('/api/identity/jpki/challenge', env.pass.issuer), { method: 'POST' });
    expect(none.status).toBe(401);
    // A token for userinfo (no resource) is not a PASS API token.
    const flow = await authorize({ issuer: env.pass.issuer, clientId: 'city-rp', redirectUri: RP_REDIRECT, login: 'taro@example.jp', password: PASSWORD, scope: 'openid' });
    const tokens = await exchangeCode(env.pass.issuer, 'city-rp', RP_REDIRECT, flow.code, flow.verifier);
    expect((await api(env, String(tokens.access_token), 'POST', '/api/identity/jpki/challenge')).status).toBe(401);
  });

  test('readiness reports the trust anchors and the CRLs', async () => {
    const ready = (await (await fetch(new URL('/readyz', env.pass.issuer))).json()) as { checks: Record<string, { status: string; detail?: string }> };
    expect(ready.checks.jpki).toMatchObject({ status: 'ok', detail: expect.stringContaining('development') });
  });

  test('a resident proves identity with the card, confirms the facts, and the person is bound', async () => {
    const challenge = await api(env, taroToken, 'POST', '/api/identity/jpki/challenge');
    expect(challenge.status).toBe(200);
    const bytes = Buffer.from(challenge.body.challenge as string, 'base64').toString('utf8');
    expect(bytes.split('\n')[0]).toBe('PASS-JPKI-CHALLENGE/1');
    expect(bytes).toContain('client=pass-app-test');
    expect(challenge.body.digest_info).toEqual(expect.any(String));

    const { card, signPin } = await env.cards.open('taro');
    const raw = new Uint8Array(Buffer.from(challenge.body.challenge as string, 'base64'));
    // The card read as a reader does it: APDUs to the simulated card.
    const read = await card.read('signature', signPin, raw);
    const verified = await api(env, taroToken, 'POST', '/api/identity/jpki/verify', {
      challenge_id: challenge.body.challenge_id,
      certificate: b64(read.certificate),
      signature: b64(read.signature),
    });
    expect(verified.status).toBe(200);
    expect(verified.body.claims).toEqual(TARO_CLAIMS);
    expect(verified.body.reverification).toBe(false);
    // Not bound until the resident confirms.
    expect((await api(env, taroToken, 'GET', '/api/identity/jpki/verification')).body.verified).toBe(false);
    expect(await evidence()).toBe(0);

    const confirmed = await api(env, taroToken, 'POST', '/api/identity/jpki/confirm', { verification_id: verified.body.verification_id });
    expect(confirmed.status).toBe(200);
    expect(confirmed.body.status).toBe('bound');
    const again = await api(env, taroToken, 'POST', '/api/identity/jpki/confirm', { verification_id: verified.body.verification_id });
    expect(again.body.reason).toBe('verification_expired');

    const status = await api(env, taroToken, 'GET', '/api/identity/jpki/verification');
    expect(status.body.verified).toBe(true);
    expect(status.body.claims.name).toBe('加賀　太郎');
    expect(status.body.history).toHaveLength(1);
    expect(status.body.history[0]).toMatchObject({ revocation: { status: 'good', method: 'crl' }, current: true });
    expect(await env.pass.platform.db('persons').where({ id: confirmed.body.person_id, relation: 'self' }).first()).toBeDefined();
  });

  test('a challenge is single use, belongs to its account and expires', async () => {
    const challenge = await api(env, taroToken, 'POST', '/api/identity/jpki/challenge');
    const { card, signPin } = await env.cards.open('taro');
    const raw = new Uint8Array(Buffer.from(challenge.body.challenge as string, 'base64'));
    const read = await card.read('signature', signPin, raw);
    const body = { challenge_id: challenge.body.challenge_id, certificate: b64(read.certificate), signature: b64(read.signature) };

    // Bad input changes nothing: the challenge is still there afterwards.
    const bad = await api(env, taroToken, 'POST', '/api/identity/jpki/verify', { ...body, signature: 'not base64!' });
    expect(bad).toMatchObject({ status: 400, body: { reason: 'invalid_request' } });

    // Another account cannot use it.
    await newAccount(env, 'other@example.jp');
    const otherToken = await appToken(env, 'other@example.jp');
    expect((await api(env, otherToken, 'POST', '/api/identity/jpki/verify', body)).body.reason).toBe('challenge_invalid');

    const first = await api(env, taroToken, 'POST', '/api/identity/jpki/verify', body);
    expect(first.status).toBe(200);
    expect(first.body.reverification).toBe(true);
    const reused = await api(env, taroToken, 'POST', '/api/identity/jpki/verify', body);
    expect(reused).toMatchObject({ status: 400, body: { reason: 'challenge_invalid', message: { ja: expect.any(String), en: expect.any(String) } } });

    const late = await api(env, taroToken, 'POST', '/api/identity/jpki/challenge');
    await sleep(2600);
    const lateRaw = new Uint8Array(Buffer.from(late.body.challenge as string, 'base64'));
    const expired = await api(env, taroToken, 'POST', '/api/identity/jpki/verify', {
      ...body,
      challenge_id: late.body.challenge_id,
      signature: b64(await card.signChallenge('signature', signPin, lateRaw)),
    });
    expect(expired.body.reason).toBe('challenge_invalid');
  });

  test('a wrong signature and a revoked card are refused, and nothing is stored', async () => {
    await newAccount(env, 'hanako@example.jp');
    const token = await appToken(env, 'hanako@example.jp');
    const before = await evidence();

    const tampered = await prove(env, token, 'hanako', (p) => {
      p.signature = p.signature.slice();
      p.signature[p.signature.length - 1]! ^= 0x01;
    });
    expect(tampered).toMatchObject({ status: 403, body: { reason: 'signature_invalid' } });

    const { card, signPin } = await env.cards.open('hanako');
    const another = await card.signChallenge('signature', signPin, new TextEncoder().encode('another challenge'));
    const overAnother = await prove(env, token, 'hanako', (p) => {
      p.signature = another;
    });
    expect(overAnother.body.reason).toBe('signature_invalid');

    const garbage = await prove(env, token, 'hanako', (p) => {
      p.certificate = p.certificate.slice(0, 100);
    });
    expect(garbage).toMatchObject({ status: 400, body: { reason: 'malformed_certificate' } });

    await env.cards.issue({ ...HANAKO, name: '加賀　夏子', birthdate: '1990-08-01' }, { id: 'natsuko-lost' });
    await env.cards.revoke('natsuko-lost', 'keyCompromise');
    const revoked = await prove(env, token, 'natsuko-lost');
    expect(revoked).toMatchObject({ status: 403, body: { reason: 'certificate_revoked' } });
    expect(revoked.body.message.ja).toContain('失効');

    expect(await evidence()).toBe(before);
    expect((await api(env, token, 'GET', '/api/identity/jpki/verification')).body.verified).toBe(false);
  });

  test("another person's card cannot replace the bound person", async () => {
    const before = await evidence();
    const refused = await prove(env, taroToken, 'hanako');
    expect(refused).toMatchObject({ status: 403, body: { reason: 'identity_mismatch' } });
    expect(refused.body.message.en).toContain('another person');
    expect(await evidence()).toBe(before);
    const status = await api(env, taroToken, 'GET', '/api/identity/jpki/verification');
    expect(status.body.claims.name).toBe('加賀　太郎');
  });

  test('the same person re-verifies after moving; the history is kept', async () => {
    await env.cards.issue({ ...TARO, address: '石川県加賀市大聖寺地方町１－２－３' }, { id: 'taro-moved' });
    await env.cards.revoke('taro', 'affiliationChanged');
    expect((await prove(env, taroToken, 'taro')).body.reason).toBe('certificate_revoked');

    const moved = await prove(env, taroToken, 'taro-moved');
    expect(moved.status).toBe(200);
    expect(moved.body.reverification).toBe(true);
    const confirmed = await api(env, taroToken, 'POST', '/api/identity/jpki/confirm', { verification_id: moved.body.verification_id });
    expect(confirmed.body.status).toBe('updated');

    const status = await api(env, taroToken, 'GET', '/api/identity/jpki/verification');
    expect(status.body.claims.address.formatted).toBe('石川県加賀市大聖寺地方町１－２－３');
    expect(status.body.history).toHaveLength(2);
    expect(status.body.history.filter((h: { current: boolean }) => h.current)).toHaveLength(1);
    expect(new Set(status.body.history.map((h: { serial_number: string }) => h.serial_number)).size).toBe(2);
  });

  test('one person cannot hold two PASS IDs, even with a renewed card or after moving', async () => {
    await newAccount(env, 'taro2@example.jp');
    const token = await appToken(env, 'taro2@example.jp');
    await env.cards.issue(TARO, { id: 'taro-renewed' });
    const before = await evidence();
    for (const cardId of ['taro-renewed', 'taro-moved']) {
      const refused = await proveAndConfirm(env, token, cardId);
      expect(refused).toMatchObject({ status: 409, body: { reason: 'already_registered', recovery: 'sign_in_or_reset_password' } });
      expect(refused.body.message.ja).toContain('パスワードを再設定');
      expect(JSON.stringify(refused.body)).not.toContain('taro@example.jp');
    }
    expect(await evidence()).toBe(before);
  });

  test('two accounts confirming the same person at once: only the first is bound', async () => {
    const sora = { ...TARO, name: '加賀　そら', birthdate: '2001-05-01', sex: '3' as const };
    await env.cards.issue(sora, { id: 'sora-1' });
    await env.cards.issue(sora, { id: 'sora-2' });
    await newAccount(env, 'sora1@example.jp');
    await newAccount(env, 'sora2@example.jp');
    const [t1, t2] = [await appToken(env, 'sora1@example.jp'), await appToken(env, 'sora2@example.jp')];
    const [v1, v2] = [await prove(env, t1, 'sora-1'), await prove(env, t2, 'sora-2')];
    expect([v1.status, v2.status]).toEqual([200, 200]);
    const results = await Promise.all([
      api(env, t1, 'POST', '/api/identity/jpki/confirm', { verification_id: v1.body.verification_id }),
      api(env, t2, 'POST', '/api/identity/jpki/confirm', { verification_id: v2.body.verification_id }),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
    expect(results.find((r) => r.status === 409)!.body.reason).toBe('already_registered');
    // Sex code 3: no gender claim.
    expect(results.find((r) => r.status === 200)!.body.claims.gender).toBeUndefined();
  });

  test('a relying party with consent receives the facts and verified_claims in the ID token and userinfo', async () => {
    const discovery = (await (await fetch(new URL('/.well-known/openid-configuration', env.pass.issuer))).json()) as Record<string, any>;
    const trustFramework = `${env.pass.issuer}/ida/trust_framework/jpki_sign`;
    // The text-input-support AP framework (children's proofs, issue #6) is listed beside it.
    expect(discovery.trust_frameworks_supported).toEqual(expect.arrayContaining([trustFramework]));
    expect(discovery.evidence_supported).toEqual(expect.arrayContaining(['electronic_signature']));
    expect(discovery.claims_in_verified_claims_supported).toEqual(expect.arrayContaining(['name', 'birthdate', 'address']));
    expect(discovery.claims_supported).toContain('verified_claims');
    expect(discovery.claims_parameter_supported).toBe(true);

    const { issuer } = env.pass;
    const flow = await authorize({
      issuer, clientId: 'city-rp', redirectUri: RP_REDIRECT, login: 'taro@example.jp', password: PASSWORD,
      scope: 'openid profile address',
      claims: { id_token: { verified_claims: VERIFIED_CLAIMS_REQUEST }, userinfo: { verified_claims: { ...VERIFIED_CLAIMS_REQUEST, verification: { trust_framework: null } } } },
    });
    const tokens = await exchangeCode(issuer, 'city-rp', RP_REDIRECT, flow.code, flow.verifier);
    const idToken = decodeJwt(String(tokens.id_token));
    expect(idToken.verified_claims.verification.trust_framework).toBe(trustFramework);
    expect(idToken.verified_claims.verification.evidence[0]).toMatchObject({
      type: 'electronic_signature',
      signature_type: `${issuer}/ida/signature_type/jpki_sign_rsa2048_sha256`,
      serial_number: expect.stringMatching(/^[0-9A-F]+$/),
    });
    expect(idToken.verified_claims.claims).toMatchObject({ name: '加賀　太郎', birthdate: '1980-02-17', gender: 'male' });
    expect(idToken.verified_claims.claims.address.formatted).toBe('石川県加賀市大聖寺地方町１－２－３');

    const userinfo = (await (await fetch(new URL('/me', issuer), { headers: { authorization: `Bearer ${String(tokens.access_token)}` } })).json()) as Record<string, any>;
    expect(userinfo).toMatchObject({ name: '加賀　太郎', family_name: '加賀', given_name: '太郎', birthdate: '1980-02-17', gender: 'male' });
    expect(userinfo.address).toEqual({ formatted: '石川県加賀市大聖寺地方町１－２－３', country_code: 'JPN' });
    expect(userinfo.verified_claims.claims.name).toBe('加賀　太郎');
    // The serial is correlatable: only when asked for (it was not asked for in userinfo).
    expect(userinfo.verified_claims.verification.evidence[0].serial_number).toBeUndefined();
  });

  test('a relying party without the profile and address scopes gets no verified facts', async () => {
    const { issuer } = env.pass;
    const flow = await authorize({
      issuer, clientId: 'city-rp', redirectUri: RP_REDIRECT, login: 'taro@example.jp', password: PASSWORD,
      scope: 'openid', prompt: 'consent',
      claims: { id_token: { verified_claims: VERIFIED_CLAIMS_REQUEST } },
    });
    const tokens = await exchangeCode(issuer, 'city-rp', RP_REDIRECT, flow.code, flow.verifier);
    const idToken = decodeJwt(String(tokens.id_token));
    expect(idToken.verified_claims).toBeUndefined();
    const userinfo = (await (await fetch(new URL('/me', issuer), { headers: { authorization: `Bearer ${String(tokens.access_token)}` } })).json()) as Record<string, any>;
    expect(userinfo.name).toBeUndefined();
    expect(userinfo.address).toBeUndefined();
  });

  test('the virtual card over HTTP checks the PIN and locks after three wrong PINs (development)', async () => {
    await env.cards.issue(HANAKO, { id: 'pin-demo', signPin: 'KAGA2026' });
    const list = await api(env, taroToken, 'GET', '/api/identity/jpki/dev/cards');
    expect(list.body.cards.map((c: { id: string }) => c.id)).toContain('pin-demo');
    const challenge = b64(new TextEncoder().encode('x'));
    const sign = (pin: string) => api(env, taroToken, 'POST', '/api/identity/jpki/dev/cards/pin-demo/sign', { pin, challenge });
    expect((await sign('KAGA2026')).status).toBe(200);
    expect(await sign('WRONG1')).toMatchObject({ status: 400, body: { reason: 'wrong_pin', attempts_left: 2 } });
    expect((await sign('WRONG2')).body.attempts_left).toBe(1);
    expect((await sign('WRONG3')).body.reason).toBe('pin_locked');
    expect((await sign('KAGA2026')).body.reason).toBe('pin_locked');
  });

  test('the development card is a simulated card: both PINs counted by it, the counts stored between sessions', async () => {
    await env.cards.issue(HANAKO, { id: 'pin-pair', signPin: 'KAGA2026' });
    const challenge = b64(new TextEncoder().encode('pair'));
    const read = (pin: string, auth_pin?: string) => api(env, taroToken, 'POST', '/api/identity/jpki/dev/cards/pin-pair/sign', { pin, challenge, ...(auth_pin ? { auth_pin } : {}) });
    const counters = () => env.pass.platform.db('jpki_dev_cards').where({ id: 'pin-pair' }).first('sign_pin_attempts_left', 'auth_pin_attempts_left');
    // A wrong user-authentication PIN is told apart from a wrong signature password.
    expect(await read('KAGA2026', '9999')).toMatchObject({ status: 400, body: { reason: 'wrong_auth_pin', attempts_left: 2 } });
    expect(await counters()).toEqual({ sign_pin_attempts_left: 3, auth_pin_attempts_left: 2 });
    // A password the card library keeps from the card still counts, as it always has here.
    expect(await read('abc')).toMatchObject({ status: 400, body: { reason: 'wrong_pin', attempts_left: 2 } });
    expect(await counters()).toEqual({ sign_pin_attempts_left: 2, auth_pin_attempts_left: 2 });
    // Right PINs: both keys sign in one session, both counts go back to three.
    const good = await read('kaga2026', '1234');
    expect(good.status).toBe(200);
    expect(good.body.authentication).toMatchObject({ certificate: expect.any(String), signature: expect.any(String) });
    expect(await counters()).toEqual({ sign_pin_attempts_left: 3, auth_pin_attempts_left: 3 });
  });

  test('demo seeding issues the demo cards and proofs the demo resident, once', async () => {
    await env.pass.platform.accounts.create({ email: DEMO_PROOFED_ACCOUNT.email, password: PASSWORD, verified: true });
    const first = await seedJpkiDemo(env.pass.platform);
    expect(first.cardsCreated).toEqual(expect.arrayContaining(['kaga-taro', 'kaga-hanako', 'kaga-jiro-lost']));
    // 加賀　太郎 is taro@example.jp's person already: the demo binding is refused, start-up goes on.
    expect(first.proofed).toEqual([]);
    const second = await seedJpkiDemo(env.pass.platform);
    expect(second.cardsCreated).toEqual([]);
    await env.pass.provided.proofing!.pki.crl.refresh();
    expect((await prove(env, taroToken, 'kaga-jiro-lost')).body.reason).toBe('certificate_revoked');
  });

  test('the development CA and cards survive a restart', async () => {
    const port = new URL(env.pass.issuer).port;
    await env.pass.close();
    env.pass = await startPass({ ...env.storage.env, PORT: port, ISSUER: env.pass.issuer });
    env.cards = env.pass.provided.proofing!.pki.dev!;
    const token = await appToken(env, 'hanako@example.jp');
    const proved = await proveAndConfirm(env, token, 'hanako');
    expect(proved).toMatchObject({ status: 200, body: { status: 'bound' } });
  });
});

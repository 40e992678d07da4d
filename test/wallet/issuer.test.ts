// The credential issuer (issue 19) over HTTP, with a real PostgreSQL: the pre-authorized flow for
// each credential type, verified by an independent SD-JWT implementation (@meeco/sd-jwt) with
// exactly the design's disclosures; the attacks on offers, codes, nonces and proofs; revocation
// through the published status list; and a rotated key still verifying an older credential.
import { generateKeyPair, exportJWK } from 'jose';
import { AGE_THRESHOLDS } from '../../src/claims/catalog.ts';
import { ageAt } from '../../src/claims/derive.ts';
import { readCatalog } from '../../src/facilities/facility-service.ts';
import type { WalletKeyInfo } from '../../src/wallet/issuer-keys.ts';
import { COMMANDS } from '../../src/cli/commands.ts';
import { WalletGrants } from '../../src/wallet/grants.ts';
import { DatabaseTransientStore } from '../../src/identity/proofing/transient-store.ts';
import { api, newAccount, appToken, proveAndConfirm, startEnv, stopEnv, TARO, HANAKO, PASSWORD, type Env } from '../jpki/proofing-helpers.ts';
import { addMember, proofedResident, SORA, type FamilyEnv } from '../households/family-helpers.ts';
import { discover, disclosures, newHolder, nonce, payloadOf, proofJwt, receive, redeem, requestCredential, statusBit, verifyIndependently, PRE_AUTH, type Holder } from './issuer-helpers.ts';

type Json = Record<string, any>;

let env: FamilyEnv;
let taro: { accountId: string; token: string };
let holder: Holder;

beforeAll(async () => {
  const base = await startEnv('postgres', { WALLET_REVIEW_SECONDS: '1' });
  await base.pass.platform.facilities.importCatalog(readCatalog());
  env = Object.assign(base, { text: base.pass.provided.households!.devTextCards! });
  taro = await proofedResident(env, 'taro@wallet.example.jp', TARO, 'wallet-taro');
  holder = await newHolder();
}, 120_000);

afterAll(async () => {
  await stopEnv(env as Env | undefined);
});

async function offer(token: string, configurationId: string, personId?: string): Promise<{ status: number; body: Json }> {
  return api(env, token, 'POST', '/api/wallet/offers', { credential_configuration_id: configurationId, ...(personId ? { personId } : {}) });
}

async function issued(token: string, configurationId: string, personId?: string): Promise<string> {
  const answer = await offer(token, configurationId, personId);
  if (answer.status !== 200) throw new Error(`offer: ${JSON.stringify(answer.body)}`);
  return receive(env.pass.issuer, answer.body.credential_offer, holder);
}

/** Waits for the revocation review (every second here) to set the bit; returns the reason recorded (and audited). */
async function eventuallyRevoked(sdJwt: string): Promise<string> {
  const { status } = payloadOf(sdJwt);
  for (let i = 0; i < 40; i++) {
    if ((await statusBit(env.pass.issuer, status.status_list.uri, status.status_list.idx)) === 1) {
      const listId = String(status.status_list.uri).split('/').pop();
      const row = (await env.pass.platform.db('wallet_credentials').where({ status_list_id: listId, status_index: status.status_list.idx }).first('id', 'revocation_reason')) as { id: string; revocation_reason: string };
      const audited = await env.pass.platform.db('audit_log').where({ action: 'wallet.credential_revoked' }).whereRaw("details->>'credentialId' = ?", [row.id]).first('details');
      expect(audited).toBeDefined();
      return row.revocation_reason;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error('the status bit was not set');
}

async function bitOf(sdJwt: string): Promise<number> {
  const { status } = payloadOf(sdJwt);
  return statusBit(env.pass.issuer, status.status_list.uri, status.status_list.idx);
}

describe('issuing over OpenID4VCI', () => {
  test('the metadata names the endpoints, the three configurations with ja/en names, and is open to other origins', async () => {
    const { metadata, tokenEndpoint } = await discover(env.pass.issuer);
    expect(metadata.credential_issuer).toBe(env.pass.issuer);
    expect(tokenEndpoint).toBe(`${env.pass.issuer}/wallet/token`);
    expect(Object.keys(metadata.credential_configurations_supported).sort()).toEqual(['pass_age', 'pass_residency', 'pass_verified_resident']);
    const age = metadata.credential_configurations_supported.pass_age;
    expect(age).toEqual(expect.objectContaining({ format: 'dc+sd-jwt', vct: 'urn:pass:vct:age:1', cryptographic_binding_methods_supported: ['jwk'] }));
    expect(age.proof_types_supported.jwt.proof_signing_alg_values_supported).toEqual(['ES256']);
    expect(age.credential_metadata.display.map((d: Json) => d.locale)).toEqual(['ja', 'en']);
    const preflight = await fetch(`${env.pass.issuer}/wallet/credential`, { method: 'OPTIONS', headers: { origin: 'https://wallet.example', 'access-control-request-method': 'POST' } });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('*');
    expect(preflight.headers.get('access-control-allow-headers')).toMatch(/Authorization/);
  });

  test('an age credential: age_over_N for each threshold, each disclosable, no birthdate, no sub, bound to the holder key', async () => {
    const sdJwt = await issued(taro.token, 'pass_age');
    const verified = await verifyIndependently(env.pass.issuer, sdJwt);
    const payload = payloadOf(sdJwt);
    expect(payload).not.toHaveProperty('sub');
    expect(payload).not.toHaveProperty('birthdate');
    expect(payload).toEqual(expect.objectContaining({ iss: env.pass.issuer, vct: 'urn:pass:vct:age:1', _sd_alg: 'sha-256', cnf: { jwk: { kty: 'EC', crv: 'P-256', x: holder.publicJwk.x, y: holder.publicJwk.y } } }));
    expect(payload.exp - payload.iat).toBe(365 * 86400);
    expect(disclosures(sdJwt).map((d) => d[1]).sort()).toEqual(AGE_THRESHOLDS.map((n) => `age_over_${n}`).sort());
    const age = ageAt(TARO.birthdate, new Date())!;
    for (const n of AGE_THRESHOLDS) expect(verified[`age_over_${n}`]).toBe(age >= n);
    expect(verified.age_over_65).toBe(false);
    expect(verified.age_over_18).toBe(true);
    expect(await statusBit(env.pass.issuer, payload.status.status_list.uri, payload.status.status_list.idx)).toBe(0);
    // The row says where the bit is and whose key holds it, and no claim value.
    const listId = String(payload.status.status_list.uri).split('/').pop();
    const row = (await env.pass.platform.db('wallet_credentials').where({ status_list_id: listId, status_index: payload.status.status_list.idx }).first()) as Json;
    expect(row).toEqual(expect.objectContaining({ holder_account_id: taro.accountId, configuration_id: 'pass_age', revoked_at: null }));
    expect(JSON.stringify(row)).not.toMatch(/1980|加賀|true/);
    expect(await env.pass.platform.db('audit_log').where({ action: 'wallet.credential_issued' }).whereRaw("details->>'credentialId' = ?", [row.id]).first('id')).toBeDefined();
    const header = JSON.parse(Buffer.from(sdJwt.split('.')[0]!, 'base64url').toString()) as Json;
    expect(header).toEqual(expect.objectContaining({ typ: 'dc+sd-jwt', alg: 'ES256', kid: expect.any(String) }));
  });

  test('a residency credential: resident_of the municipality code, disclosable, no address', async () => {
    const sdJwt = await issued(taro.token, 'pass_residency');
    const verified = await verifyIndependently(env.pass.issuer, sdJwt);
    expect(disclosures(sdJwt).map((d) => d.slice(1))).toEqual([['resident_of', '172065']]);
    expect(verified.resident_of).toBe('172065');
    expect(JSON.stringify(payloadOf(sdJwt))).not.toContain('加賀市');
  });

  test('a verified-resident credential: the basic four disclosable, the verification summary always there', async () => {
    const sdJwt = await issued(taro.token, 'pass_verified_resident');
    const verified = await verifyIndependently(env.pass.issuer, sdJwt);
    expect(disclosures(sdJwt).map((d) => d[1]).sort()).toEqual(['address', 'birthdate', 'gender', 'name']);
    expect(verified).toEqual(
      expect.objectContaining({ name: '加賀　太郎', birthdate: '1980-02-17', gender: 'male', address: { formatted: '石川県加賀市作見町ル２５番地１' } }),
    );
    const verification = payloadOf(sdJwt).verification as Json;
    expect(verification.trust_framework).toBe(`${env.pass.issuer}/ida/trust_framework/jpki_sign`);
    expect(verification.time).toEqual(expect.any(String));
    expect(verification.evidence[0]).toEqual(expect.objectContaining({ type: 'electronic_signature' }));
    expect(JSON.stringify(verification)).not.toMatch(/serial_number/);
  });
});

describe('refusals', () => {
  let metadata: Json;
  let tokenEndpoint: string;
  beforeAll(async () => {
    ({ metadata, tokenEndpoint } = await discover(env.pass.issuer));
  });

  async function accessToken(configurationId = 'pass_age'): Promise<string> {
    const answer = await offer(taro.token, configurationId);
    const token = await redeem(tokenEndpoint, answer.body.credential_offer.grants[PRE_AUTH]['pre-authorized_code']);
    return token.body.access_token as string;
  }

  test('an offer for a person the caller does not represent, or for an unproofed person', async () => {
    const hanako = await proofedResident(env, 'hanako@wallet.example.jp', HANAKO, 'wallet-hanako');
    const hanakoPerson = await env.pass.oidc.claims.facts.selfPersonId(hanako.accountId);
    const stranger = await offer(taro.token, 'pass_age', hanakoPerson);
    expect(stranger).toEqual({ status: 403, body: expect.objectContaining({ reason: 'not_represented', message: { ja: expect.any(String), en: expect.any(String) } }) });
    await newAccount(env, 'unproofed@wallet.example.jp');
    const unproofed = await offer(await appToken(env, 'unproofed@wallet.example.jp'), 'pass_age');
    expect(unproofed.status).toBe(403);
    expect(unproofed.body.reason).toBe('person_not_proofed');
    expect((await offer(taro.token, 'pass_everything')).body.reason).toBe('unknown_credential_configuration');
  });

  test('a pre-authorized code is good once, and only for the PASS app', async () => {
    const answer = await offer(taro.token, 'pass_age');
    const code = answer.body.credential_offer.grants[PRE_AUTH]['pre-authorized_code'] as string;
    expect((await redeem(tokenEndpoint, code, 'city-rp')).body.error).toBe('invalid_client');
    expect((await redeem(tokenEndpoint, code)).status).toBe(200);
    expect(await redeem(tokenEndpoint, code)).toEqual({ status: 400, body: expect.objectContaining({ error: 'invalid_grant', reason: 'invalid_grant' }) });
  });

  test('a nonce PASS never handed out, or one used before, is refused; the token survives for a retry', async () => {
    const token = await accessToken();
    const unknown = await requestCredential(metadata, token, 'pass_age', await proofJwt(holder, env.pass.issuer, 'made-up-nonce'));
    expect(unknown.body.error).toBe('invalid_nonce');
    const fresh = await nonce(metadata);
    expect((await requestCredential(metadata, token, 'pass_age', await proofJwt(holder, env.pass.issuer, fresh))).status).toBe(200);
    const again = await requestCredential(metadata, await accessToken(), 'pass_age', await proofJwt(holder, env.pass.issuer, fresh));
    expect(again.body.error).toBe('invalid_nonce');
    // A nonce with its expiry moved on (its HMAC no longer matches) is not one PASS handed out.
    const [random, expires, mac] = (await nonce(metadata)).split('.') as [string, string, string];
    const stretched = await requestCredential(metadata, await accessToken(), 'pass_age', await proofJwt(holder, env.pass.issuer, `${random}.${Number(expires) + 3600}.${mac}`));
    expect(stretched.body.error).toBe('invalid_nonce');
  });

  test('the open nonce endpoint stores nothing: a nonce is kept only once a credential request spends it', async () => {
    const rows = async () => Number(((await env.pass.platform.db('jpki_transients').count({ n: '*' })) as Array<{ n: string }>)[0]!.n);
    const before = await rows();
    for (let i = 0; i < 20; i++) await nonce(metadata);
    expect(await rows()).toBe(before);
  });

  test('a nonce past its five minutes, and a code past its five minutes, are refused (the store judged by a moved clock)', async () => {
    let now = new Date();
    const grants = new WalletGrants(new DatabaseTransientStore(env.pass.platform.db, () => now), { nonceKey: 'test nonce key', now: () => now });
    const expiring = await grants.newNonce();
    const code = await grants.newPreAuthorizedCode({ personId: '00000000-0000-4000-8000-000000000000', configurationId: 'pass_age', accountId: taro.accountId });
    now = new Date(now.getTime() + 301_000);
    expect(await grants.spendNonce(expiring)).toBe(false);
    expect(await grants.redeemCode(code)).toBeUndefined();
    const fresh = await grants.newNonce();
    expect(await grants.spendNonce(fresh)).toBe(true);
    expect(await grants.spendNonce(fresh)).toBe(false);
  });

  test('a proof made long ago, or in the future, is refused', async () => {
    const old = await requestCredential(metadata, await accessToken(), 'pass_age', await proofJwt(holder, env.pass.issuer, await nonce(metadata), { payload: { iat: Math.floor(Date.now() / 1000) - 3600 } }));
    expect(old.body.error).toBe('invalid_proof');
    const future = await requestCredential(metadata, await accessToken(), 'pass_age', await proofJwt(holder, env.pass.issuer, await nonce(metadata), { payload: { iat: Math.floor(Date.now() / 1000) + 3600 } }));
    expect(future.body.error).toBe('invalid_proof');
  });

  test('a used access token, and one for another configuration, are refused', async () => {
    const token = await accessToken();
    expect((await requestCredential(metadata, token, 'pass_age', await proofJwt(holder, env.pass.issuer, await nonce(metadata)))).status).toBe(200);
    expect((await requestCredential(metadata, token, 'pass_age', await proofJwt(holder, env.pass.issuer, await nonce(metadata)))).body.error).toBe('invalid_token');
    const other = await requestCredential(metadata, await accessToken('pass_age'), 'pass_verified_resident', await proofJwt(holder, env.pass.issuer, await nonce(metadata)));
    expect(other).toEqual({ status: 400, body: expect.objectContaining({ error: 'invalid_credential_request', reason: 'credential_not_offered' }) });
  });

  test('proofs for another audience, signed by another key than their jwk, or carrying a private key', async () => {
    const wrongAud = await requestCredential(metadata, await accessToken(), 'pass_age', await proofJwt(holder, 'https://other-issuer.example', await nonce(metadata)));
    expect(wrongAud.body).toEqual(expect.objectContaining({ error: 'invalid_proof', error_description: expect.stringMatching(/aud/) }));
    const other = await newHolder();
    const forged = await requestCredential(metadata, await accessToken(), 'pass_age', await proofJwt(holder, env.pass.issuer, await nonce(metadata), { signWith: other.privateKey }));
    expect(forged.body).toEqual(expect.objectContaining({ error: 'invalid_proof', error_description: expect.stringMatching(/not signed by the key/) }));
    const { privateKey } = await generateKeyPair('ES256', { extractable: true });
    const leaked = await requestCredential(metadata, await accessToken(), 'pass_age', await proofJwt(holder, env.pass.issuer, await nonce(metadata), { header: { jwk: await exportJWK(privateKey) } }));
    expect(leaked.body).toEqual(expect.objectContaining({ error: 'invalid_proof', error_description: expect.stringMatching(/private key/) }));
    const wrongTyp = await requestCredential(metadata, await accessToken(), 'pass_age', await proofJwt(holder, env.pass.issuer, await nonce(metadata), { header: { typ: 'JWT' } }));
    expect(wrongTyp.body.error).toBe('invalid_proof');
    const noToken = await requestCredential(metadata, 'x'.repeat(43), 'pass_age', 'a.b.c');
    expect(noToken.status).toBe(401);
  });
});

describe('revocation through the status list', () => {
  test('a revoked card revokes the credentials made from its proof', async () => {
    const jiro = await proofedResident(env, 'jiro@wallet.example.jp', { ...TARO, name: '加賀　次郎', birthdate: '1990-04-01' }, 'wallet-jiro');
    const sdJwt = await issued(jiro.token, 'pass_age');
    expect(await bitOf(sdJwt)).toBe(0);
    await env.cards.revoke('wallet-jiro');
    expect(await eventuallyRevoked(sdJwt)).toBe('card_revoked');

    // The resident's data export lists it — type, whose, dates, why revoked — and none of its values.
    const exported = await api(env, jiro.token, 'GET', '/api/privacy/export');
    expect(exported.body.wallet_credentials).toEqual([
      { id: expect.any(String), type: 'pass_age', person_id: expect.any(String), issued_at: expect.any(String), expires_at: expect.any(String), revoked_at: expect.any(String), revocation_reason: 'card_revoked' },
    ]);
    expect(JSON.stringify(exported.body.wallet_credentials)).not.toMatch(/age_over|~|eyJ/);
  });

  test('deleting the account revokes its credentials', async () => {
    const saburo = await proofedResident(env, 'saburo@wallet.example.jp', { ...TARO, name: '加賀　三郎', birthdate: '1992-06-01' }, 'wallet-saburo');
    const sdJwt = await issued(saburo.token, 'pass_residency');
    const deleted = await api(env, saburo.token, 'POST', '/api/privacy/deletion', { password: PASSWORD, confirm: true });
    expect(deleted.status).toBe(200);
    // Revoked in the deletion's own transaction, and emptied of whose it was.
    expect(await eventuallyRevoked(sdJwt)).toBe('account_deleted');
    expect(await env.pass.platform.db('wallet_credentials').where({ holder_account_id: saburo.accountId }).first()).toBeUndefined();
  });

  test("a member leaving the household revokes the credential their former representative received", async () => {
    const hanae = await proofedResident(env, 'hanae@wallet.example.jp', { ...HANAKO, name: '加賀　花江', birthdate: '1985-01-01' }, 'wallet-hanae');
    await env.text.issue(SORA, { id: 'wallet-sora' });
    const added = await addMember(env, hanae.token, 'child', { text: 'wallet-sora' });
    expect(added.status).toBe(201);
    const sora = added.body.person_id as string;
    const sdJwt = await issued(hanae.token, 'pass_age', sora);
    expect((await verifyIndependently(env.pass.issuer, sdJwt)).age_over_3).toBe(true);
    expect((await api(env, hanae.token, 'DELETE', `/api/households/members/${sora}`)).status).toBe(200);
    expect(await eventuallyRevoked(sdJwt)).toBe('person_removed');
  });

  test("a member who takes their record to an account of their own: the credential their representative received is revoked", async () => {
    const goro = await proofedResident(env, 'goro@wallet.example.jp', { ...TARO, name: '加賀　五郎', birthdate: '1975-05-05' }, 'wallet-goro');
    const kenta = { ...TARO, name: '加賀　健太', birthdate: '2010-03-03' };
    await env.cards.issue(kenta, { id: 'wallet-kenta' });
    const added = await addMember(env, goro.token, 'child', { signature: 'wallet-kenta' });
    expect(added.status).toBe(201);
    const kentaId = added.body.person_id as string;
    const heldByGoro = await issued(goro.token, 'pass_age', kentaId);
    await newAccount(env, 'kenta@wallet.example.jp');
    const own = await appToken(env, 'kenta@wallet.example.jp');
    const challenge = await api(env, own, 'POST', '/api/households/claim/challenge');
    const { card, signPin } = await env.cards.open('wallet-kenta');
    const read = await card.read('signature', signPin, new Uint8Array(Buffer.from(challenge.body.challenge as string, 'base64')));
    const verified = await api(env, own, 'POST', '/api/households/claim/verify', {
      challenge_id: challenge.body.challenge_id,
      certificate: Buffer.from(read.certificate).toString('base64'),
      signature: Buffer.from(read.signature).toString('base64'),
    });
    expect((await api(env, own, 'POST', '/api/households/claim/confirm', { verification_id: verified.body.verification_id })).status).toBe(200);
    expect(await eventuallyRevoked(heldByGoro)).toBe('guardian_changed');
    // Kenta receives his own from now on; the former representative no longer can.
    expect((await verifyIndependently(env.pass.issuer, await issued(own, 'pass_age'))).age_over_15).toBe(true);
    expect((await offer(goro.token, 'pass_age', kentaId)).body.reason).toBe('not_represented');
  });

  test('moving to another municipality revokes the residency credential, and leaves the age credential valid', async () => {
    const shiro = await proofedResident(env, 'shiro@wallet.example.jp', { ...TARO, name: '加賀　四郎', birthdate: '1970-09-09' }, 'wallet-shiro');
    const residency = await issued(shiro.token, 'pass_residency');
    const age = await issued(shiro.token, 'pass_age');
    await env.cards.issue({ ...TARO, name: '加賀　四郎', birthdate: '1970-09-09', address: '福井県坂井市丸岡町霞町１丁目１番地' }, { id: 'wallet-shiro-moved' });
    const moved = await proveAndConfirm(env, shiro.token, 'wallet-shiro-moved');
    expect(moved.status).toBe(200);
    expect(await eventuallyRevoked(residency)).toBe('moved_away');
    expect(await bitOf(age)).toBe(0);
    const again = await issued(shiro.token, 'pass_residency');
    expect((await verifyIndependently(env.pass.issuer, again)).resident_of).toBe('182109');
  });
});

test('after a key rotation the old credential still verifies, new ones are signed by the new key, and the old key stays published', async () => {
  const before = await issued(taro.token, 'pass_age');
  // What `npm run pass -- wallet-keys rotate` runs; it tells the running node on the event bus.
  const result = await COMMANDS['wallet-keys rotate']!.run({ platform: env.pass.platform, oidc: async () => env.pass.oidc, flags: {} });
  const rotated = result.data as WalletKeyInfo[];
  const retired = rotated.find((k) => k.status === 'retired')!;
  // Published until the last credential it signed expires: the age credentials, a year.
  expect(retired.expiresAt!.getTime()).toBeGreaterThan(Date.now() + 364 * 86400 * 1000);
  await new Promise((r) => setTimeout(r, 50));
  const after = await issued(taro.token, 'pass_age');
  const kid = (s: string) => JSON.parse(Buffer.from(s.split('.')[0]!, 'base64url').toString()).kid as string;
  expect(kid(before)).toBe(retired.kid);
  expect(kid(after)).not.toBe(retired.kid);
  expect((await verifyIndependently(env.pass.issuer, before)).age_over_18).toBe(true);
  expect((await verifyIndependently(env.pass.issuer, after)).age_over_18).toBe(true);
  const { jwks } = await (await fetch(`${env.pass.issuer}/.well-known/jwt-vc-issuer`)).json() as { jwks: { keys: Array<{ kid: string; d?: string }> } };
  expect(jwks.keys.map((k) => k.kid)).toEqual(expect.arrayContaining(rotated.map((k) => k.kid)));
  expect(jwks.keys.some((k) => 'd' in k)).toBe(false);
});

// The demo bus verifier (issue 19) against a real PASS and PostgreSQL, Node playing the wallet:
// the OpenID4VP request it makes, a presentation of an age credential issued by PASS's own issuer
// verified with PASS's published keys and status list, and each refusal — not 65+, wrong nonce,
// wrong audience, replay, tampered disclosure, forged and unknown issuers, revoked, declined,
// malformed — shown on the result page and recorded in the log with no fact but `age_over_65`.
import { randomBytes } from 'node:crypto';
import { readCatalog } from '../../src/facilities/facility-service.ts';
import type { ResidentFacts } from '../../src/jpki/dev-ca.ts';
import { startEnv, stopEnv, TARO, type Env } from '../jpki/proofing-helpers.ts';
import { proofedResident, ICHIRO } from '../households/family-helpers.ts';
import { newHolder, payloadOf, receive, statusBit, type Holder } from '../wallet/issuer-helpers.ts';
import { api } from '../jpki/proofing-helpers.ts';
import { issueCredential, makeHolder, makeIssuer } from '../wallet/sd-jwt/fixtures.ts';
import { bindByHand, logEntries, post, present, resultPage, startRequest, vpToken, type BusRequest } from './bus-helpers.ts';

type Json = Record<string, any>;

/** A second resident over 65, whose card the test revokes. */
const HARU: ResidentFacts = { name: '加賀　はる', birthdate: '1949-03-08', sex: '2', address: '石川県加賀市山中温泉本町２－１', prefecture: 'Ishikawa-ken', municipality: 'Kaga-shi' };

let env: Env;
let holder: Holder;
const tokens: Record<string, string> = {};
const ageCredentials: Record<string, string> = {};

async function ageCredential(token: string): Promise<string> {
  const offer = await api(env, token, 'POST', '/api/wallet/offers', { credential_configuration_id: 'pass_age' });
  if (offer.status !== 200) throw new Error(`offer: ${JSON.stringify(offer.body)}`);
  return receive(env.pass.issuer, offer.body.credential_offer, holder);
}

beforeAll(async () => {
  env = await startEnv('postgres', { WALLET_REVIEW_SECONDS: '1' });
  await env.pass.platform.facilities.importCatalog(readCatalog());
  holder = await newHolder();
  for (const [who, facts] of [['ichiro', ICHIRO], ['taro', TARO], ['haru', HARU]] as const) {
    tokens[who] = (await proofedResident(env, `${who}@bus.example.jp`, facts, `bus-${who}`)).token;
    ageCredentials[who] = await ageCredential(tokens[who]!);
  }
}, 180_000);

afterAll(async () => {
  await stopEnv(env);
});

/** Posts the presentation and follows the redirect in the browser that asked: the verdict shown and the newest log entry. */
async function answer(request: BusRequest, fields: Record<string, string>): Promise<{ outcome: string; reason: string | undefined; html: string; log: Awaited<ReturnType<typeof logEntries>>[number] }> {
  const posted = await post(request, fields);
  expect(posted.status).toBe(200);
  expect(posted.body.redirect_uri).toMatch(new RegExp(`^${env.pass.issuer}/demo/bus/result\\?response_code=[A-Za-z0-9_-]{43}$`));
  const page = await resultPage(posted.body.redirect_uri as string, request.cookie);
  const shown = /data-testid="bus-result" data-outcome="([a-z]+)"(?: data-reason="([a-z_]+)")?>([^<]*)</.exec(page.html)!;
  const [log] = await logEntries(env.pass.issuer);
  return { outcome: shown[1]!, reason: shown[2], html: shown[3]!, log: log! };
}

describe('the request', () => {
  test('OpenID4VP with the redirect_uri: client id, direct_post, a fresh nonce and state, and a DCQL query for age_over_65 only', async () => {
    const first = await startRequest(env.pass.issuer);
    const second = await startRequest(env.pass.issuer);
    expect(`${first.url.origin}${first.url.pathname}`).toBe(`${env.pass.issuer}/app/wallet/present`);
    const responseUri = `${env.pass.issuer}/demo/bus/response`;
    expect(Object.keys(first.params).sort()).toEqual(['client_id', 'client_metadata', 'dcql_query', 'nonce', 'response_mode', 'response_type', 'response_uri', 'state']);
    expect(first.params).toMatchObject({ client_id: `redirect_uri:${responseUri}`, response_uri: responseUri, response_type: 'vp_token', response_mode: 'direct_post' });
    expect(JSON.parse(first.params.dcql_query!)).toEqual({
      credentials: [{ id: 'age', format: 'dc+sd-jwt', meta: { vct_values: ['urn:pass:vct:age:1'] }, claims: [{ path: ['age_over_65'] }] }],
    });
    const metadata = JSON.parse(first.params.client_metadata!) as Json;
    expect(metadata).toMatchObject({ 'client_name#ja': '加賀市コミュニティバス', 'client_name#en': 'Kaga City Community Bus' });
    expect(metadata.vp_formats_supported).toEqual({ 'dc+sd-jwt': { 'sd-jwt_alg_values': ['ES256'], 'kb-jwt_alg_values': ['ES256'] } });
    for (const name of ['nonce', 'state'] as const) {
      expect(first.params[name]).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(first.params[name]).not.toBe(second.params[name]);
    }
  });

  test('cross-device: the same request as a QR code', async () => {
    const response = await fetch(`${env.pass.issuer}/demo/bus/requests`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'device=other' });
    const html = await response.text();
    expect(response.status).toBe(200);
    expect(html).toMatch(/<img src="data:image\/png;base64,[A-Za-z0-9+/=]+"/);
    const url = new URL(/data-request="([^"]+)"/.exec(html)![1]!.replaceAll('&amp;', '&'));
    expect(`${url.origin}${url.pathname}`).toBe(`${env.pass.issuer}/app/wallet/present`);
    expect(url.searchParams.get('response_mode')).toBe('direct_post');
    // Nothing presented yet: the bus says so in that browser.
    const cookie = response.headers.getSetCookie().find((c) => c.startsWith('kaga_bus='))!.split(';')[0]!;
    expect((await resultPage(`${env.pass.issuer}/demo/bus/result`, cookie)).html).toContain('まだ提示されていません');
  });
});

describe('a presentation', () => {
  test('a resident aged 65 or over: accepted, and the log holds age_over_65 and nothing else', async () => {
    const request = await startRequest(env.pass.issuer);
    const presentation = await present(ageCredentials.ichiro!, holder.privateKey, request);
    const result = await answer(request, { vp_token: vpToken(presentation) });
    expect(result.outcome).toBe('accepted');
    expect(result.html).toBe('65歳以上が確認できました。シニア割引が使えます。');
    expect(result.log).toMatchObject({ outcome: 'accepted', reason: '', claims: ['age_over_65'] });
    expect(result.log.html).toContain('はい');
    const log = /<tbody>([\s\S]*)<\/tbody>/.exec(await (await fetch(`${env.pass.issuer}/demo/bus/log`)).text())![1]!;
    expect(log).not.toMatch(/加賀|一郎|1952|birthdate|address|name|sub|age_over_(?!65)/);
  });

  test('the result is shown only in the browser that asked; the response code alone shows nothing', async () => {
    const request = await startRequest(env.pass.issuer);
    const posted = await post(request, { vp_token: vpToken(await present(ageCredentials.ichiro!, holder.privateKey, request)) });
    const elsewhere = await resultPage(posted.body.redirect_uri as string, undefined);
    expect(elsewhere.html).toContain('確認を始めた画面で結果をご覧ください');
    expect(elsewhere.html).not.toContain('シニア割引が使えます');
    const wrongCode = await resultPage(`${env.pass.issuer}/demo/bus/result?response_code=${randomBytes(32).toString('base64url')}`, request.cookie);
    expect(wrongCode.html).not.toContain('シニア割引が使えます');
    // Cross-device: the browser that asked, without the code, sees its result.
    expect((await resultPage(`${env.pass.issuer}/demo/bus/result`, request.cookie)).html).toContain('シニア割引が使えます');
  });

  test('a resident under 65: 割引の対象ではありません, the log holds age_over_65 = いいえ', async () => {
    const request = await startRequest(env.pass.issuer);
    const result = await answer(request, { vp_token: vpToken(await present(ageCredentials.taro!, holder.privateKey, request)) });
    expect(result).toMatchObject({ outcome: 'refused', reason: 'not_eligible' });
    expect(result.html).toContain('シニア割引の対象ではありません');
    expect(result.log).toMatchObject({ outcome: 'refused', reason: 'not_eligible', claims: ['age_over_65'] });
    expect(result.log.html).toContain('いいえ');
  });

  test('a replayed answer: the state is used up', async () => {
    const request = await startRequest(env.pass.issuer);
    const fields = { vp_token: vpToken(await present(ageCredentials.ichiro!, holder.privateKey, request)) };
    expect((await post(request, fields)).status).toBe(200);
    const replay = await post(request, fields);
    expect(replay).toEqual({ status: 400, body: expect.objectContaining({ error: 'invalid_request', reason: 'request_unknown', message: { ja: expect.stringContaining('すでに使われた'), en: expect.any(String) } }) });
    const [log] = await logEntries(env.pass.issuer);
    expect(log).toMatchObject({ outcome: 'refused', reason: 'request_unknown', claims: [] });
  });

  test("a presentation made for another request's nonce, or for another verifier", async () => {
    const earlier = await startRequest(env.pass.issuer);
    const request = await startRequest(env.pass.issuer);
    const wrongNonce = await answer(request, { vp_token: vpToken(await present(ageCredentials.ichiro!, holder.privateKey, request, { nonce: earlier.params.nonce })) });
    expect(wrongNonce).toMatchObject({ outcome: 'refused', reason: 'presentation_nonce_mismatch', log: { reason: 'presentation_nonce_mismatch', claims: [] } });
    expect(wrongNonce.html).toContain('再利用された可能性');

    const again = await startRequest(env.pass.issuer);
    const wrongAud = await answer(again, { vp_token: vpToken(await present(ageCredentials.ichiro!, holder.privateKey, again, { aud: 'redirect_uri:https://other.example.jp/response' })) });
    expect(wrongAud).toMatchObject({ outcome: 'refused', reason: 'presentation_audience_mismatch', log: { reason: 'presentation_audience_mismatch', claims: [] } });
  });

  test('a tampered disclosure: age_over_65 turned true in an under-65 credential', async () => {
    const request = await startRequest(env.pass.issuer);
    const [jwt, ...parts] = ageCredentials.taro!.split('~');
    const forged = Buffer.from(JSON.stringify([randomBytes(16).toString('base64url'), 'age_over_65', true])).toString('base64url');
    const own = parts.filter(Boolean).find((d) => JSON.parse(Buffer.from(d, 'base64url').toString())[1] === 'age_over_65')!;
    expect(own).toBeDefined();
    const tampered = await bindByHand(`${jwt}~${forged}~`, holder.privateKey, request);
    const result = await answer(request, { vp_token: vpToken(tampered) });
    expect(result).toMatchObject({ outcome: 'refused', reason: 'disclosure_invalid', log: { reason: 'disclosure_invalid', claims: [] } });
  });

  test("an over-sharing presentation (more than age_over_65) is refused, not trimmed", async () => {
    const request = await startRequest(env.pass.issuer);
    const result = await answer(request, { vp_token: vpToken(await present(ageCredentials.ichiro!, holder.privateKey, request, { disclose: ['age_over_65', 'age_over_18'] })) });
    expect(result).toMatchObject({ outcome: 'refused', reason: 'disclosure_not_requested', log: { claims: [] } });
  });

  test('an unknown issuer, and a credential naming PASS but signed by another key', async () => {
    const device = await makeHolder();
    const impostor = makeIssuer('https://impostor.example.jp');
    const request = await startRequest(env.pass.issuer);
    const unknown = await answer(request, { vp_token: vpToken(await present(await issueCredential(impostor, 'age', { holder: device.publicJwk }), device.key, request)) });
    expect(unknown).toMatchObject({ outcome: 'refused', reason: 'issuer_unknown', log: { reason: 'issuer_unknown' } });

    const forger = makeIssuer(env.pass.issuer);
    const again = await startRequest(env.pass.issuer);
    const forged = await answer(again, {
      vp_token: vpToken(await present(await issueCredential(forger, 'age', { holder: device.publicJwk, extra: { age_over_65: true } }), device.key, again)),
    });
    expect(forged).toMatchObject({ outcome: 'refused', reason: 'credential_signature_invalid' });
  });

  test('a revoked credential is refused at once: the bus fetches the status list for each presentation', async () => {
    const sdJwt = ageCredentials.haru!;
    const before = await startRequest(env.pass.issuer);
    expect((await answer(before, { vp_token: vpToken(await present(sdJwt, holder.privateKey, before)) })).outcome).toBe('accepted');
    await env.cards.revoke('bus-haru');
    const { status } = payloadOf(sdJwt);
    for (let i = 0; i < 40 && (await statusBit(env.pass.issuer, status.status_list.uri, status.status_list.idx)) !== 1; i++) await new Promise((r) => setTimeout(r, 250));
    const request = await startRequest(env.pass.issuer);
    const result = await answer(request, { vp_token: vpToken(await present(sdJwt, holder.privateKey, request)) });
    expect(result).toMatchObject({ outcome: 'refused', reason: 'credential_revoked', log: { reason: 'credential_revoked', claims: [] } });
    expect(result.html).toContain('失効しています');
  });

  test('declined in the wallet (error=access_denied), and malformed answers', async () => {
    const request = await startRequest(env.pass.issuer);
    const declined = await answer(request, { error: 'access_denied' });
    expect(declined).toMatchObject({ outcome: 'refused', reason: 'wallet_declined', log: { reason: 'wallet_declined' } });
    expect(declined.html).toContain('キャンセル');

    for (const vp of ['not json', JSON.stringify({ age: 'x' }), JSON.stringify({ other: ['x'] }), JSON.stringify({ age: ['x', 'y'] }), JSON.stringify({ age: ['not~an~sd-jwt'] })]) {
      const malformed = await startRequest(env.pass.issuer);
      const result = await answer(malformed, { vp_token: vp });
      expect([result.reason, vp]).toEqual([expect.stringMatching(/^(response_malformed|presentation_malformed)$/), vp]);
    }
    const noState = await fetch(`${env.pass.issuer}/demo/bus/response`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'vp_token=%7B%7D' });
    expect(noState.status).toBe(400);
    expect(noState.headers.get('access-control-allow-origin')).toBe('*');
  });
});

import { decodeJwt } from 'jose';
import { createStorage, startPass, type TestStorage } from '../helpers/pass.ts';
import { storageModes } from '../helpers/services.ts';
import { exchangeCode } from '../helpers/browserless.ts';
import { REASON_MESSAGES } from '../../src/identity/interactions/reason-messages.ts';
import { latestCode, snapshot, Visitor, REDIRECT, type Pass } from './flow.ts';

const mode = storageModes().at(-1)!;
const RESIDENT = { email: 'taro@example.jp', password: 'yamanaka onsen 2026', phone: '09055554444' };

describe(`sign-in on ${mode}`, () => {
  let storage: TestStorage;
  let pass: Pass;
  let accountId: string;

  beforeAll(async () => {
    storage = await createStorage(mode);
    pass = await startPass({ ...storage.env, RATE_LIMIT_PER_ACCOUNT: '100' });
    await pass.oidc.clients.create({ clientId: 'kaga-rp', name: '加賀市医療センター', redirectUris: [REDIRECT], tokenEndpointAuthMethod: 'none' });
    accountId = (await pass.platform.accounts.create({ ...RESIDENT, verified: true })).id;
    await pass.platform.accounts.create({ email: 'jiro@example.jp', password: 'another fine password', verified: true });
  });

  afterAll(async () => {
    await pass?.close();
    await storage?.cleanup();
  });

  async function tokensAfterConsent(v: Visitor): Promise<Record<string, unknown>> {
    await v.follow();
    await v.post(/action="(\/interaction\/[^/]+\/consent)"/.exec(v.html)![1]!, { decision: 'allow' });
    await v.follow();
    return exchangeCode(pass.issuer, 'kaga-rp', REDIRECT, v.code(), v.verifier);
  }

  test('a sign-in by mobile number: password, then the SMS code; amr pwd sms mfa, recorded as an event', async () => {
    const v = await new Visitor(pass.issuer, 'ja').startSignIn('kaga-rp');
    await v.post(`/interaction/${v.uid}/login`, { login: RESIDENT.phone, password: RESIDENT.password });
    expect(v.location).toBe(`/interaction/${v.uid}/verify`);
    await v.follow();
    await v.post(`/interaction/${v.uid}/verify`, { code: await latestCode(pass, '+819055554444') });
    const tokens = await tokensAfterConsent(v);
    const idToken = decodeJwt(String(tokens.id_token));
    expect(idToken.amr).toEqual(['pwd', 'sms', 'mfa']);
    expect(idToken.acr).toBe('urn:pass:acr:mfa');
    const [event] = await pass.platform.db('authentication_events').where({ account_id: accountId, event: 'sign_in' }).orderBy('id', 'desc');
    expect(event).toMatchObject({ amr: 'pwd sms mfa', acr: 'urn:pass:acr:mfa', client_id: 'kaga-rp', ip: expect.any(String) });
  });

  test('acr_values=urn:pass:acr:mfa: the SMS code page names the masked number; a wrong code counts a try', async () => {
    const v = await new Visitor(pass.issuer, 'en').startSignIn('kaga-rp', { acr_values: 'urn:pass:acr:mfa', prompt: 'login' });
    await v.post(`/interaction/${v.uid}/login`, { login: RESIDENT.email, password: RESIDENT.password });
    expect(v.status).toBe(303);
    await v.follow();
    expect(v.html).toContain('090-****-4444');
    await v.post(`/interaction/${v.uid}/verify`, { code: '000000' === (await latestCode(pass, '+819055554444')) ? '111111' : '000000' });
    expect(v.alert()).toBe(REASON_MESSAGES['reason.code_wrong']!.en.replace('{n}', '4'));
    await v.post(`/interaction/${v.uid}/verify`, { code: await latestCode(pass, '+819055554444') });
    const tokens = await tokensAfterConsent(v);
    const idToken = decodeJwt(String(tokens.id_token));
    expect(idToken.amr).toEqual(['pwd', 'sms', 'mfa']);
    expect(idToken.acr).toBe('urn:pass:acr:mfa');
  });

  test('wrong passwords lock the account for a while; the lock message is in the page language', async () => {
    const v = await new Visitor(pass.issuer, 'ja').startSignIn('kaga-rp');
    const path = `/interaction/${v.uid}/login`;
    for (let i = 0; i < 4; i += 1) {
      await v.post(path, { login: 'jiro@example.jp', password: `wrong ${i}` });
      expect(v.status).toBe(401);
      expect(v.alert()).toBe(REASON_MESSAGES['reason.signin_failed']!.ja);
    }
    await v.post(path, { login: 'jiro@example.jp', password: 'wrong 5' });
    expect(v.status).toBe(403);
    expect(v.alert()).toBe(REASON_MESSAGES['reason.account_locked']!.ja.replace('{n}', '1'));
    // While locked, even the right password is refused, and nothing is written.
    const before = await snapshot(pass.platform.db);
    await v.post(path, { login: 'jiro@example.jp', password: 'another fine password' });
    expect(v.status).toBe(403);
    expect(await snapshot(pass.platform.db)).toBe(before);
    // An unknown name gets the same answer as a wrong password.
    await v.post(path, { login: 'nobody@example.jp', password: 'whatever it is' });
    expect(v.alert()).toBe(REASON_MESSAGES['reason.signin_failed']!.ja);
  });

  test('logout pages are PASS pages in the visitor language', async () => {
    const v = await new Visitor(pass.issuer, 'en').startSignIn('kaga-rp');
    await v.post(`/interaction/${v.uid}/login`, { login: RESIDENT.email, password: RESIDENT.password });
    await v.follow();
    await v.post(`/interaction/${v.uid}/verify`, { code: await latestCode(pass, '+819055554444') });
    await v.follow();
    await v.get('/session/end');
    expect(v.status).toBe(200);
    expect(v.html).toContain('<html lang="en">');
    expect(v.html).toContain('Do you want to sign out of PASS?');
    const action = /<form method="post" action="([^"]+)"/.exec(v.html)![1]!;
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(v.html)![1]!;
    await v.post(action, { xsrf, logout: 'yes' });
    await v.follow();
    expect(v.html).toContain('You have signed out of PASS.');
    expect(v.html).not.toMatch(/<script|style=/);
  });

  test('device flow and error pages are PASS pages, Japanese first', async () => {
    const v = new Visitor(pass.issuer, 'ja');
    await v.get('/device');
    expect(v.html).toContain('機器の画面に表示されているコードを入力してください。');
    expect(v.html).toContain('name="xsrf"');
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(v.html)![1]!;
    await v.post('/device', { xsrf, user_code: 'BCDF-GHJK' });
    expect(v.alert()).toContain('コードが正しくないか');
    await v.get('/auth?client_id=nobody&response_type=code&scope=openid');
    expect(v.status).toBe(400);
    expect(v.html).toContain('<h1>エラー</h1>');
    expect(v.html).toContain('invalid_client');
  });
});

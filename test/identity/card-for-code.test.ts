/**
 * No phone at hand: a proofed resident's own My Number Card stands for the sign-in code (a fresh
 * signature with the signature key and its PIN, the card being the person's), never weaker than
 * the SMS it replaces; an account with no card bound is not offered it (issue 15, recovery).
 */
import { decodeJwt } from 'jose';
import { storageModes } from '../helpers/services.ts';
import { exchangeCode } from '../helpers/browserless.ts';
import { proofedResident } from '../households/family-helpers.ts';
import { HANAKO, newAccount, PASSWORD, startEnv, stopEnv, TARO, type Env } from '../jpki/proofing-helpers.ts';
import { Visitor, REDIRECT } from './flow.ts';

const mode = storageModes().at(-1)!;

describe(`the card instead of the code (${mode})`, () => {
  let env: Env;

  beforeAll(async () => {
    env = await startEnv(mode);
    await env.pass.oidc.clients.create({ clientId: 'card-rp', name: '加賀市 電子申請', redirectUris: [REDIRECT], tokenEndpointAuthMethod: 'none' });
    await proofedResident(env, 'taro@example.jp', TARO, 'taro');
    await env.cards.issue(HANAKO, { id: 'hanako' });
    await newAccount(env, 'nocard@example.jp');
  }, 90_000);

  afterAll(async () => stopEnv(env));

  async function toCodePage(email: string): Promise<Visitor> {
    const v = await new Visitor(env.pass.issuer, 'ja').startSignIn('card-rp', { scope: 'openid' });
    await v.post(`/interaction/${v.uid}/login`, { login: email, password: PASSWORD });
    await v.follow();
    return v;
  }

  test('the resident\'s own card signs instead of the code; amr pwd hwk sc pin mfa', async () => {
    const v = await toCodePage('taro@example.jp');
    expect(v.html).toContain('携帯電話が使えない場合: マイナンバーカードで確認');
    await v.post(`/interaction/${v.uid}/verify/card`, {});
    expect(v.location).toBe(`/interaction/${v.uid}/step-up/card`);
    await v.follow();
    // Another person's card is refused, and nothing is signed in.
    await v.post(`/interaction/${v.uid}/step-up/card`, { card: 'hanako', pin: 'PASS1234' });
    expect(v.status).toBe(403);
    await v.post(`/interaction/${v.uid}/step-up/card`, { card: 'taro', pin: 'PASS1234' });
    await v.follow();
    if (/\/consent"/.test(v.html)) {
      await v.post(/action="(\/interaction\/[^/]+\/consent)"/.exec(v.html)![1]!, { decision: 'allow' });
      await v.follow();
    }
    const tokens = await exchangeCode(env.pass.issuer, 'card-rp', REDIRECT, v.code(), v.verifier);
    const idToken = decodeJwt(String(tokens.id_token));
    expect(idToken.amr).toEqual(['pwd', 'hwk', 'sc', 'pin', 'mfa']);
    expect(idToken.acr).toBe('urn:pass:acr:jpki-sign');
  });

  test('an account with no card bound is not offered the card, and cannot start it', async () => {
    const v = await toCodePage('nocard@example.jp');
    expect(v.html).toContain('確認コードの入力');
    expect(v.html).not.toContain('マイナンバーカードで確認');
    await v.post(`/interaction/${v.uid}/verify/card`, {});
    expect(v.status).toBe(400);
    expect(v.alert()).toContain('もう一度ログインしてください');
  });
});

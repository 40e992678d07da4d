/**
 * Issue 4 in the browser: a new resident signs up, proves their identity with the virtual My
 * Number Card (wrong PIN, lock, a revoked card, then the right card), confirms the basic four
 * (with a 代替文字 note), and a relying party allowed to see them receives them in the ID token
 * and userinfo with verified_claims.
 */
import type { Browser, Page } from 'playwright-core';
import { createStorage, startPass, type TestStorage } from '../helpers/pass.ts';
import { storageModes } from '../helpers/services.ts';
import { exchangeCode, pkce } from '../helpers/browserless.ts';
import type { ProofingRuntime } from '../../src/identity/proofing/index.ts';
import { browserAvailable, launch, screenshotter, inContext } from './browser.ts';
import { cspViolations, signUp } from './journey-helpers.ts';

const mode = storageModes().at(-1)!;
const run = browserAvailable() ? describe : describe.skip;
const RP_REDIRECT = 'http://127.0.0.1:9/rp-cb';

// 𠮷 is outside JIS X 0208: the card carries 吉 with the substitution flag on that character.
const YOSHIDA = {
  name: '吉田　花子', nameSubstitutionFlags: '10000', birthdate: '1984-07-03', sex: '2' as const,
  address: '石川県加賀市大聖寺地方町１－２－３', prefecture: 'Ishikawa-ken', municipality: 'Kaga-shi',
};
const LOST = { ...YOSHIDA, name: '加賀　次郎', nameSubstitutionFlags: undefined, birthdate: '1988-10-10', sex: '1' as const };
const LOCKED = { ...LOST, name: '加賀　三郎' };

const VERIFIED_CLAIMS = {
  verification: { trust_framework: null, time: null, evidence: [{ type: { value: 'electronic_signature' }, issuer: null, serial_number: null }] },
  claims: { name: null, family_name: null, given_name: null, birthdate: null, gender: null, address: null },
};

function decodeJwt(jwt: string): Record<string, any> {
  return JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, any>;
}

run(`identity proofing with the virtual My Number Card in the browser (${mode})`, () => {
  let storage: TestStorage;
  let pass: Awaited<ReturnType<typeof startPass>>;
  let browser: Browser;
  let proofing: ProofingRuntime;

  beforeAll(async () => {
    storage = await createStorage(mode);
    [pass, browser] = await Promise.all([startPass(storage.env), launch()]);
    await pass.oidc.clients.create({ clientId: 'kaga-rp', name: '加賀市 テスト施設', redirectUris: [RP_REDIRECT], tokenEndpointAuthMethod: 'none' });
    proofing = pass.provided.proofing!;
    const cards = proofing.pki.dev!;
    await cards.issue(YOSHIDA, { id: 'yoshida-hanako', label: '吉田　花子' });
    await cards.issue(LOCKED, { id: 'kaga-saburo', label: '加賀　三郎' });
    await cards.issue(LOST, { id: 'kaga-jiro-lost', label: '加賀　次郎' });
    await cards.revoke('kaga-jiro-lost');
    await proofing.pki.crl.refresh();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await pass?.close();
    await storage?.cleanup();
  });

  /** The card is read once with both PINs (issue 15): the user-authentication PIN makes it the resident's check-in card. */
  async function sign(page: Page, card: string, pin: string): Promise<void> {
    await page.getByLabel(card).check();
    await page.getByLabel('署名用電子証明書のパスワード').fill(pin);
    await page.getByLabel('利用者証明用電子証明書の暗証番号(数字4桁)').fill('1234');
    await page.getByRole('button', { name: 'カードで署名して送信する' }).click();
  }

  test('sign up, prove with the card, confirm, and a relying party receives verified_claims', async () => {
    const shot = screenshotter('proofing');
    const context = await browser.newContext({ locale: 'ja-JP', viewport: { width: 390, height: 844 }, deviceScaleFactor: 1 });
    context.setDefaultTimeout(8000);
    const page = await context.newPage();
    const violations = cspViolations(page);
    const email = 'yoshida@example.jp';
    const alert = page.getByRole('alert');
    await inContext(context, page, shot, async () => {
      await signUp(page, pass.issuer, 'ja', { email, password: 'kutani ware blue', mobile: '09011112222' });
      const tile = page.locator('#section-proofing');
      expect(await tile.locator('.status').textContent()).toBe('未登録');
      await tile.getByRole('link', { name: 'マイナンバーカードで本人確認' }).click();

      // Prepare: what is needed, then a challenge.
      await page.getByRole('heading', { name: 'マイナンバーカードで本人確認', level: 1 }).waitFor();
      expect(await page.getByTestId('proofing-status').textContent()).toBe('まだ本人確認をしていません。');
      await shot(page, 'prepare');
      await page.getByRole('button', { name: '本人確認をはじめる' }).click();
      await page.getByRole('heading', { name: 'マイナンバーカードを読み取る', level: 1 }).waitFor();
      expect(await page.locator('li[aria-current="step"]').textContent()).toContain('カード読取');
      await shot(page, 'card');

      // A PIN that cannot be right is refused before it costs an attempt.
      await sign(page, '吉田　花子', 'abc');
      expect(await alert.textContent()).toBe('パスワードは英大文字と数字の6〜16文字で入力してください。');
      expect(await page.getByLabel('署名用電子証明書のパスワード').getAttribute('aria-invalid')).toBe('true');
      // A wrong PIN: the card's message, and how many tries are left.
      await sign(page, '吉田　花子', 'WRONG123');
      expect(await alert.textContent()).toBe('暗証番号が違います。あと2回間違えるとロックされます。');
      await shot(page, 'wrong-pin');
      expect(await pass.platform.db('jpki_dev_cards').where({ id: 'yoshida-hanako' }).first('sign_pin_attempts_left')).toEqual({ sign_pin_attempts_left: 2 });

      // Three wrong PINs lock a card; it is then shown as locked and cannot be chosen.
      await sign(page, '加賀　三郎', 'WRONG111');
      await sign(page, '加賀　三郎', 'WRONG222');
      expect(await alert.textContent()).toContain('あと1回');
      await sign(page, '加賀　三郎', 'WRONG333');
      expect(await alert.textContent()).toBe('暗証番号がロックされました。市区町村の窓口で再設定してください。');
      expect(await page.getByLabel('加賀　三郎(ロック中)').isDisabled()).toBe(true);
      await shot(page, 'locked');

      // A revoked certificate: the proofing API's own message; the challenge is used up.
      await sign(page, '加賀　次郎(失効)', 'PASS1234');
      expect(await alert.textContent()).toMatch(/^署名用電子証明書が失効しています/);
      await shot(page, 'revoked');
      expect(Number((await pass.platform.db('person_identities').count({ n: '*' }).first())!.n)).toBe(0);

      // Start again with the right card; the right PIN resets the card's counter.
      await page.getByRole('button', { name: '本人確認をはじめる' }).click();
      await sign(page, '吉田　花子', 'pass1234');
      await page.getByRole('heading', { name: '本人確認情報の確認', level: 1 }).waitFor();
      expect(await page.getByTestId('fact-name').textContent()).toBe('吉田　花子');
      expect(await page.getByTestId('fact-birthdate').textContent()).toBe('1984年7月3日');
      expect(await page.getByTestId('fact-gender').textContent()).toBe('女性');
      expect(await page.getByTestId('fact-address').textContent()).toBe('石川県加賀市大聖寺地方町１－２－３');
      expect(await page.getByTestId('substitute-name').textContent()).toContain('代替文字');
      expect(await page.getByTestId('substitute-address').count()).toBe(0);
      await shot(page, 'confirm');

      // The same screen in English, then back to Japanese.
      await page.getByRole('link', { name: 'Switch to English' }).click();
      await page.getByRole('heading', { name: 'Check your details', level: 1 }).waitFor();
      expect(await page.getByTestId('fact-birthdate').textContent()).toBe('3 July 1984');
      expect(await page.getByTestId('fact-gender').textContent()).toBe('Female');
      expect(await page.getByTestId('substitute-name').textContent()).toContain('substitute characters');
      await shot(page, 'confirm-en');
      await page.getByRole('link', { name: '日本語に切り替え' }).click();

      await page.getByRole('button', { name: 'この内容で登録する' }).click();
      await page.getByRole('status').filter({ hasText: '本人確認が完了しました' }).waitFor();
      expect(await page.getByTestId('proofing-status').textContent()).toBe('本人確認済み');
      expect(await page.locator('table.history tbody tr').count()).toBe(1);
      await shot(page, 'bound');
      const account = (await pass.platform.db('accounts').where({ email }).first('id')) as { id: string };
      const person = (await pass.platform.db('persons').where({ account_id: account.id, relation: 'self' }).first('id')) as { id: string };
      const verification = await pass.platform.db('identity_verifications').where({ person_id: person.id }).first();
      expect(verification).toMatchObject({ name_substituted: true, address_substituted: false, revocation_status: 'good' });

      await page.getByRole('link', { name: 'ホームへ戻る' }).click();
      expect(await page.locator('#section-proofing .status').textContent()).toBe('確認済み');
      await shot(page, 'home');

      // A relying party asks for the facts with verified_claims; the resident consents.
      const { verifier, challenge } = pkce();
      const auth = new URL('/auth', pass.issuer);
      auth.search = new URLSearchParams({
        client_id: 'kaga-rp', redirect_uri: RP_REDIRECT, response_type: 'code', scope: 'openid profile address', state: 'st4te', nonce: 'n0nce',
        code_challenge: challenge, code_challenge_method: 'S256',
        claims: JSON.stringify({ id_token: { verified_claims: VERIFIED_CLAIMS }, userinfo: { verified_claims: VERIFIED_CLAIMS } }),
      }).toString();
      await context.route(`${RP_REDIRECT}**`, (route) => route.fulfill({ status: 200, contentType: 'text/html', body: '<title>RP</title><h1>RP</h1>' }));
      await page.goto(auth.toString());
      await page.getByRole('heading', { name: '情報提供への同意', level: 1 }).waitFor();
      expect(await page.locator('.claims').textContent()).toContain('氏名・生年月日・性別');
      await shot(page, 'rp-consent');
      await page.getByRole('button', { name: '同意する' }).click();
      await page.waitForURL(`${RP_REDIRECT}**`);
      const code = new URL(page.url()).searchParams.get('code')!;
      const tokens = await exchangeCode(pass.issuer, 'kaga-rp', RP_REDIRECT, code, verifier);

      const idToken = decodeJwt(String(tokens.id_token));
      expect(idToken.verified_claims.verification).toMatchObject({
        trust_framework: `${pass.issuer}/ida/trust_framework/jpki_sign`,
        evidence: [expect.objectContaining({ type: 'electronic_signature', serial_number: expect.stringMatching(/^[0-9A-F]+$/) })],
      });
      expect(idToken.verified_claims.claims).toEqual({
        name: '吉田　花子', family_name: '吉田', given_name: '花子', birthdate: '1984-07-03', gender: 'female',
        address: { formatted: '石川県加賀市大聖寺地方町１－２－３', country_code: 'JPN' },
      });
      const userinfo = (await (await fetch(new URL('/me', pass.issuer), { headers: { authorization: `Bearer ${String(tokens.access_token)}` } })).json()) as Record<string, any>;
      expect(userinfo).toMatchObject({ sub: idToken.sub, name: '吉田　花子', birthdate: '1984-07-03', gender: 'female' });
      expect(userinfo.verified_claims.claims).toMatchObject({ name: '吉田　花子', address: { formatted: '石川県加賀市大聖寺地方町１－２－３', country_code: 'JPN' } });
      expect(userinfo.verified_claims.verification.evidence[0].type).toBe('electronic_signature');
      expect(violations).toEqual([]);
    });
  }, 90_000);
});

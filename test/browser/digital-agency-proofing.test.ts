/**
 * Issue 16 in the browser, at phone size with a phone's browser: a new resident signs up in the
 * PASS app, is offered the Digital Agency's app (デジタル認証アプリ) as the main way (the card
 * reader path stays, second), goes to the stand-in's page that plays the phone app (a wrong PIN
 * first, with the tries left), comes back, confirms the basic four, and a relying party then
 * receives verified_claims whose evidence names the Digital Agency's app.
 */
import type { Browser } from 'playwright-core';
import { createStorage, startPass, type TestStorage } from '../helpers/pass.ts';
import { storageModes } from '../helpers/services.ts';
import { exchangeCode, pkce } from '../helpers/browserless.ts';
import { browserAvailable, launch, screenshotter, inContext } from './browser.ts';
import { cspViolations, signUp } from './journey-helpers.ts';

const mode = storageModes().at(-1)!;
const run = browserAvailable() ? describe : describe.skip;
const RP_REDIRECT = 'http://127.0.0.1:9/rp-cb';
const PHONE_UA = 'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Mobile Safari/537.36';

const VERIFIED_CLAIMS = {
  verification: { trust_framework: null, time: null, evidence: [{ type: { value: 'electronic_record' }, check_details: null, record: null }] },
  claims: { name: null, family_name: null, given_name: null, birthdate: null, gender: null, address: null },
};

function decodeJwt(jwt: string): Record<string, any> {
  return JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, any>;
}

run(`identity proofing through the Digital Agency's app on a phone (${mode})`, () => {
  let storage: TestStorage;
  let pass: Awaited<ReturnType<typeof startPass>>;
  let browser: Browser;

  beforeAll(async () => {
    storage = await createStorage(mode);
    [pass, browser] = await Promise.all([startPass(storage.env), launch()]);
    await pass.oidc.clients.create({ clientId: 'kaga-rp', name: '加賀市 テスト施設', redirectUris: [RP_REDIRECT], tokenEndpointAuthMethod: 'none' });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await pass?.close();
    await storage?.cleanup();
  });

  test('the app sends the resident to the Digital Agency\'s app and back; a relying party receives the evidence', async () => {
    const shot = screenshotter('digital-agency');
    const context = await browser.newContext({ locale: 'ja-JP', viewport: { width: 390, height: 844 }, deviceScaleFactor: 1, isMobile: true, hasTouch: true, userAgent: PHONE_UA });
    context.setDefaultTimeout(10_000);
    const page = await context.newPage();
    const violations = cspViolations(page);
    const email = 'toyooka@example.jp';
    await inContext(context, page, shot, async () => {
      await signUp(page, pass.issuer, 'ja', { email, password: 'tajima beef grill', mobile: '09033334444' });
      await page.locator('#section-proofing').getByRole('link', { name: 'マイナンバーカードで本人確認' }).click();
      await page.getByRole('heading', { name: 'マイナンバーカードで本人確認', level: 1 }).waitFor();

      // On a phone the Digital Agency's app is the first way and the main button; the card reader stays, second.
      const ways = page.locator('section[data-testid^="way-"]');
      expect(await ways.evaluateAll((sections) => sections.map((s) => s.getAttribute('data-testid')))).toEqual(['way-digital-agency', 'way-card']);
      const daButton = page.getByRole('button', { name: 'デジタル認証アプリで本人確認' });
      expect(await daButton.getAttribute('class')).toBeNull();
      expect(await page.getByRole('button', { name: '本人確認をはじめる' }).getAttribute('class')).toBe('secondary');
      expect(await page.getByTestId('da-testing').count()).toBe(1);
      await shot(page, 'ways');

      // The stand-in's page plays the phone app: the card checks the PIN and says the tries left.
      await daButton.click();
      await page.getByRole('heading', { name: 'デジタル認証アプリ（開発用）', level: 1 }).waitFor();
      expect(new URL(page.url()).pathname).toBe('/dev/digital-agency/realms/main/protocol/openid-connect/auth');
      expect(await page.getByTestId('client-id').textContent()).toBe('PASSDEV0001');
      await page.getByLabel('豊岡　めぐみ').check();
      await page.getByLabel('利用者証明用電子証明書の暗証番号(数字4桁)').fill('9999');
      await page.getByRole('button', { name: 'カードを読み取って提供する' }).click();
      expect(await page.getByRole('alert').textContent()).toBe('暗証番号が違います。あと 2 回間違えるとロックされます。');
      await shot(page, 'stand-in-wrong-pin');
      expect(await page.getByLabel('豊岡　めぐみ').isChecked()).toBe(true);
      await page.getByLabel('利用者証明用電子証明書の暗証番号(数字4桁)').fill('1234');
      await page.getByRole('button', { name: 'カードを読み取って提供する' }).click();

      // Back in the PASS app: the facts the Digital Agency's app gave, to confirm.
      await page.getByRole('heading', { name: '本人確認情報の確認', level: 1 }).waitFor();
      expect(new URL(page.url()).pathname).toBe('/app/identity/confirm');
      expect(await page.getByText('デジタル認証アプリから受け取った内容です。').count()).toBe(1);
      expect(await page.getByTestId('fact-name').textContent()).toBe('豊岡　めぐみ');
      expect(await page.getByTestId('fact-birthdate').textContent()).toBe('1992年3月30日');
      expect(await page.getByTestId('fact-gender').textContent()).toBe('女性');
      expect(await page.getByTestId('fact-address').textContent()).toBe('兵庫県豊岡市中央町２－４');
      await shot(page, 'confirm');
      expect(Number((await pass.platform.db('identity_verifications').count({ n: '*' }).first())!.n)).toBe(0);

      await page.getByRole('button', { name: 'この内容で登録する' }).click();
      await page.getByRole('status').filter({ hasText: '本人確認が完了しました' }).waitFor();
      expect(await page.getByTestId('proofing-status').textContent()).toBe('本人確認済み');
      expect(await page.locator('table.history tbody td.serial').textContent()).toBe('デジタル認証アプリ');
      await shot(page, 'bound');
      const account = (await pass.platform.db('accounts').where({ email }).first('id')) as { id: string };
      const person = (await pass.platform.db('persons').where({ account_id: account.id, relation: 'self' }).first('id')) as { id: string };
      expect(await pass.platform.db('identity_verifications').where({ person_id: person.id }).first()).toMatchObject({ method: 'digital_agency_app', anchor_environment: 'development' });

      // A relying party asks for verified_claims; the resident consents.
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
      await shot(page, 'rp-consent');
      await page.getByRole('button', { name: '同意する' }).click();
      await page.waitForURL(`${RP_REDIRECT}**`);
      const code = new URL(page.url()).searchParams.get('code')!;
      const tokens = await exchangeCode(pass.issuer, 'kaga-rp', RP_REDIRECT, code, verifier);

      const evidence = {
        type: 'electronic_record',
        check_details: [{ check_method: 'vcrypt', organization: 'デジタル庁', time: expect.any(String) }],
        record: { type: 'population_register', source: { name: 'デジタル認証アプリ', country_code: 'JPN' } },
      };
      const idToken = decodeJwt(String(tokens.id_token));
      expect(idToken.verified_claims.verification).toMatchObject({ trust_framework: `${pass.issuer}/ida/trust_framework/digital_agency_app`, evidence: [evidence] });
      expect(idToken.verified_claims.claims).toEqual({
        name: '豊岡　めぐみ', family_name: '豊岡', given_name: 'めぐみ', birthdate: '1992-03-30', gender: 'female',
        address: { formatted: '兵庫県豊岡市中央町２－４', country_code: 'JPN' },
      });
      const userinfo = (await (await fetch(new URL('/me', pass.issuer), { headers: { authorization: `Bearer ${String(tokens.access_token)}` } })).json()) as Record<string, any>;
      expect(userinfo.verified_claims.verification.evidence).toEqual([evidence]);
      expect(violations).toEqual([]);
    });
  }, 120_000);

  test('on a computer the card reader comes first and the app second; a return with no request in hand is refused', async () => {
    const shot = screenshotter('digital-agency-pc');
    const context = await browser.newContext({ locale: 'ja-JP', viewport: { width: 1280, height: 900 } });
    context.setDefaultTimeout(10_000);
    const page = await context.newPage();
    await inContext(context, page, shot, async () => {
      await signUp(page, pass.issuer, 'ja', { email: 'sakai@example.jp', password: 'echizen crab season', mobile: '09055556666' });
      await page.goto(`${pass.issuer}/app/identity`);
      const ways = page.locator('section[data-testid^="way-"]');
      expect(await ways.evaluateAll((sections) => sections.map((s) => s.getAttribute('data-testid')))).toEqual(['way-card', 'way-digital-agency']);
      expect(await page.getByRole('button', { name: '本人確認をはじめる' }).getAttribute('class')).toBeNull();
      expect(await page.getByRole('button', { name: 'デジタル認証アプリで本人確認' }).getAttribute('class')).toBe('secondary');
      await shot(page, 'ways');
      // A return from the Digital Agency's app that this session did not start (a link someone sent).
      await page.goto(`${pass.issuer}/app/identity/digital-agency/callback?code=stolen&state=forged`);
      expect(await page.getByRole('alert').textContent()).toBe('デジタル認証アプリからの戻りを確認できませんでした。もう一度はじめからやり直してください。');
      expect(Number((await pass.platform.db('identity_verifications').count({ n: '*' }).first())!.n)).toBe(1);
    });
  }, 60_000);
});

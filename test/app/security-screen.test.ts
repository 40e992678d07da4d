// The PASS app's sign-in and security screen (/app/account/security) and the home screen's passkey
// offer, against a stand-in for PASS's /api/account/security (the contract in the app's screen, not
// PASS itself): what the pages show in Japanese and English, that every change carries the CSRF
// token and reaches the API with the session's access token, the confirmation steps before a
// deletion, the TOTP setup (grouped secret, QR code, a wrong code shows the same secret again), and
// the app's static scripts. No browser and no database: the WebAuthn ceremony itself is the lead's
// browser test.
import { CookieJar, csrfOf, request } from '../helpers/browserless.ts';
import { CSRF_KEY, JAPANESE_PUNCTUATION, memorySessions, passStandIn, residentBrowser, startApp, type AppUnderTest } from './app-harness.ts';
import { appRoutes } from '../../clients/app/routes.ts';
import { appRelyingParty } from '../../clients/app/client.ts';
import { appStaticFiles, groupSecret, normaliseCode, securityAppRoutes } from '../../clients/app/security/routes.ts';
import { SECURITY_APP_MESSAGES } from '../../clients/app/security/messages.ts';

const TOKEN = 'resident-access-token';
const PASSKEY_A = '11111111-1111-4111-8111-111111111111';
const PASSKEY_B = '22222222-2222-4222-8222-222222222222';
const DEVICE_A = '33333333-3333-4333-8333-333333333333';
const SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';

/** PASS's /api/account/security as the contract gives it, in memory. */
function fakePass() {
  const state = {
    passkeys: [
      { id: PASSKEY_A, name: 'iPhone', created_at: '2025-04-01T01:00:00Z', last_used_at: '2025-04-02T03:04:00Z', backed_up: true, device_type: 'multiDevice' },
      { id: PASSKEY_B, name: 'セキュリティキー', created_at: '2025-04-03T01:00:00Z', last_used_at: null, backed_up: false, device_type: 'singleDevice' },
    ] as Array<Record<string, unknown>>,
    totp: { enrolled: false, confirmed_at: null as string | null },
    devices: [
      { id: DEVICE_A, label: 'Chrome on Android', factor: 'sms', created_at: '2025-04-01T00:00:00Z', last_used_at: '2025-04-05T00:00:00Z', expires_at: '2025-05-01T00:00:00Z' },
    ] as Array<Record<string, unknown>>,
    phone: { masked: '090-****-5678', verified: true },
    remember_days: 30,
  };
  const { server, calls } = passStandIn(TOKEN, ({ method, path, body }, send) => {
    const key = `${method} ${path}`;
    if (key === 'GET /api/account/security') {
      return send(200, { ...state, strong: state.passkeys.length > 0 || Boolean(state.totp.confirmed_at) });
    }
    if (key === 'POST /api/account/security/passkeys/options') return send(200, { challenge: 'Y2hhbGxlbmdl', rp: { id: 'pass.test', name: 'PASS' } });
    if (key === 'POST /api/account/security/passkeys') {
      if (!body?.response?.id) return send(400, { error: 'passkey_invalid', message: { ja: '登録できませんでした。', en: 'Not added.' } });
      return send(201, { id: '44444444-4444-4444-8444-444444444444', name: body.name ?? 'Passkey' });
    }
    const passkey = /^\/api\/account\/security\/passkeys\/([^/]+)$/.exec(path);
    if (method === 'DELETE' && passkey) {
      const before = state.passkeys.length;
      state.passkeys = state.passkeys.filter((p) => p.id !== passkey[1]);
      return state.passkeys.length < before ? send(204) : send(404, { error: 'not_found', message: { ja: 'ありません。', en: 'Not found.' } });
    }
    if (key === 'POST /api/account/security/totp') {
      state.totp.enrolled = true;
      return send(200, { secret: SECRET, otpauth_uri: `otpauth://totp/PASS:resident@example.jp?secret=${SECRET}&issuer=PASS&algorithm=SHA1&digits=6&period=30` });
    }
    if (key === 'POST /api/account/security/totp/confirm') {
      if (body?.code !== '123456') return send(400, { error: 'invalid_request', reason: 'totp_code_invalid', message: { ja: 'コードが違います。', en: 'Wrong code.' } });
      state.totp.confirmed_at = '2025-04-06T00:00:00Z';
      return send(200, { confirmed_at: state.totp.confirmed_at });
    }
    if (key === 'DELETE /api/account/security/totp') {
      state.totp = { enrolled: false, confirmed_at: null };
      return send(204);
    }
    const device = /^\/api\/account\/security\/devices\/([^/]+)$/.exec(path);
    if (method === 'DELETE' && device) {
      state.devices = state.devices.filter((d) => d.id !== device[1]);
      return send(204);
    }
    if (key === 'DELETE /api/account/security/devices') {
      state.devices = [];
      return send(204);
    }
    return send(404, { error: 'not_found' });
  });
  return { server, calls, state };
}

describe("the PASS app's sign-in and security screen", () => {
  const pass = fakePass();
  const sessions = memorySessions();
  let app: AppUnderTest | undefined;
  const COOKIE = 'security-test-cookie';

  beforeAll(async () => {
    app = await startApp(pass.server, sessions, (kit, issuer) => {
      const home = appRoutes({ api: kit.api, sessions, client: appRelyingParty(issuer), csrfKey: CSRF_KEY, secureCookies: false, sessionTtlSeconds: 3600 });
      return [home.routes(), securityAppRoutes(kit).routes(), appStaticFiles()];
    });
  });

  afterAll(() => app?.close());

  beforeEach(() => {
    sessions.rows.set(COOKIE, {
      user: { sub: 'acc-1', email: 'resident@example.jp' },
      tokens: { accessToken: TOKEN, idToken: 'id', expiresAt: Date.now() + 3_600_000 },
    });
  });

  const { get, form } = residentBrowser(() => app!.base, COOKIE);

  async function csrf(): Promise<string> {
    return csrfOf(await (await get('/app/account/security')).text());
  }

  test('the page lists passkeys, the authenticator app, remembered devices and the SMS number, in Japanese', async () => {
    const response = await get('/app/account/security');
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain('<title>ログインとセキュリティ | PASS</title>');
    expect(html).toContain('iPhone');
    expect(html).toContain('セキュリティキー');
    expect(html).toMatch(/data-synced="true">同期されたパスキー/);
    expect(html).toMatch(/data-synced="false">この端末のみ/);
    expect(html).toContain('まだ使われていません');
    expect(html).toContain('パスキーを追加');
    expect(html).toContain('このブラウザではパスキーを利用できません。');
    // Hidden until the script finds WebAuthn; the token for its fetches rides on the same element.
    expect(html).toMatch(/<div id="passkey-add" hidden\s+data-csrf="[^"]+"/);
    expect(html).toContain(`href="/app/account/security/passkeys/${PASSKEY_A}/delete"`);
    expect(html).toContain('認証アプリを設定');
    expect(html).toContain('Chrome on Android');
    expect(html).toContain('この端末の記憶を取り消す');
    expect(html).toContain('すべて取り消す');
    expect(html).toContain('30日間');
    expect(html).toContain('090-****-5678');
    expect(html).toContain('PASS Manager を開くには、パスキーまたは認証アプリが必要です。');
    // Static scripts only: the strict CSP (script-src 'self') holds.
    expect(html).toContain('<script src="/app/static/simplewebauthn-browser.js" defer></script>');
    expect(html).toContain('<script src="/app/static/app-security.js" defer></script>');
    expect(html).not.toMatch(/<script(?![^>]*\ssrc=)[^>]*>/);
    expect(html).not.toMatch(/\son[a-z]+=/);
    expect(pass.calls.at(-1)).toMatchObject({ method: 'GET', path: '/api/account/security', auth: `Bearer ${TOKEN}` });
  });

  test('in English, with no Japanese punctuation in its texts', async () => {
    const html = await (await get('/app/account/security?lang=en')).text();
    expect(html).toContain('<title>Sign-in and security | PASS</title>');
    expect(html).toContain('Synced passkey');
    expect(html).toContain('This device only');
    expect(html).toContain('This browser cannot use passkeys.');
    expect(html).toContain('Forget this device');
    for (const [key, text] of Object.entries(SECURITY_APP_MESSAGES)) {
      expect([key, JAPANESE_PUNCTUATION.test(text.en)]).toEqual([key, false]);
    }
  });

  test('every text the security views ask for is in the table, in both languages', async () => {
    const { readdirSync, readFileSync } = await import('node:fs');
    const dir = new URL('../../clients/app/views/security/', import.meta.url);
    const keys = readdirSync(dir).flatMap((file) => [...readFileSync(new URL(file, dir), 'utf8').matchAll(/t\('([a-z0-9.-]+)'\)/g)].map((m) => m[1]!));
    expect(keys.length).toBeGreaterThan(20);
    for (const key of keys) expect([key, Boolean(SECURITY_APP_MESSAGES[key]?.ja && SECURITY_APP_MESSAGES[key]?.en)]).toEqual([key, true]);
  });

  test('a signed-out visitor is sent to sign in; the script gets 401', async () => {
    const page = await request(new CookieJar(), `${app!.base}/app/account/security`);
    expect(page.status).toBe(302);
    const options = await request(new CookieJar(), `${app!.base}/app/account/security/passkeys/options`, { method: 'POST' });
    expect(options.status).toBe(401);
  });

  test('passkey registration goes through the app with the X-CSRF-Token header', async () => {
    const token = await csrf();
    const refused = await get('/app/account/security/passkeys/options', { method: 'POST', headers: { accept: 'application/json' } });
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({ ok: false, reason: 'csrf', message: '画面の有効期限が切れました。もう一度お試しください。' });

    const options = await get('/app/account/security/passkeys/options', { method: 'POST', headers: { 'x-csrf-token': token } });
    expect(options.status).toBe(200);
    expect(await options.json()).toEqual({ ok: true, options: { challenge: 'Y2hhbGxlbmdl', rp: { id: 'pass.test', name: 'PASS' } } });
    expect(pass.calls.at(-1)).toMatchObject({ method: 'POST', path: '/api/account/security/passkeys/options', auth: `Bearer ${TOKEN}` });

    const response = { id: 'cred', rawId: 'cred', type: 'public-key', response: { clientDataJSON: 'e30', attestationObject: 'o2M' }, clientExtensionResults: {} };
    const added = await get('/app/account/security/passkeys', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-csrf-token': token },
      body: JSON.stringify({ response, name: `  ${'あ'.repeat(70)}  ` }),
    });
    expect(added.status).toBe(201);
    expect(await added.json()).toEqual({ ok: true, next: '/app/account/security?done=passkey-added', message: 'パスキーを登録しました。次回からパスキーでログインできます。' });
    expect(pass.calls.at(-1)).toMatchObject({ method: 'POST', path: '/api/account/security/passkeys', body: { response, name: 'あ'.repeat(64) } });

    // PASS's refusal text, in the page's language.
    const bad = await get('/app/account/security/passkeys?lang=en', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-csrf-token': token },
      body: JSON.stringify({ response: { type: 'public-key' } }),
    });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ ok: false, reason: 'passkey_invalid', message: 'Not added.' });

    const done = await (await get('/app/account/security?done=passkey-added')).text();
    expect(done).toContain('role="status"');
    expect(done).toContain('パスキーを登録しました。');
  });

  test('deleting a passkey takes a confirmation page, then the API call', async () => {
    const confirm = await get(`/app/account/security/passkeys/${PASSKEY_B}/delete`);
    expect(confirm.status).toBe(200);
    const html = await confirm.text();
    expect(html).toContain('「セキュリティキー」を削除しますか。');
    expect(pass.calls.some((c) => c.method === 'DELETE')).toBe(false);

    const forged = await form(`/app/account/security/passkeys/${PASSKEY_B}/delete`, { csrf: 'nope' });
    expect(forged.status).toBe(403);
    expect(pass.state.passkeys).toHaveLength(2);

    const deleted = await form(`/app/account/security/passkeys/${PASSKEY_B}/delete`, { csrf: csrfOf(html) });
    expect(deleted.status).toBe(303);
    expect(deleted.headers.get('location')).toBe('/app/account/security?done=passkey-removed');
    expect(pass.calls.at(-1)).toMatchObject({ method: 'DELETE', path: `/api/account/security/passkeys/${PASSKEY_B}`, auth: `Bearer ${TOKEN}` });

    // The last strong factor: the confirmation says staff would lose PASS Manager.
    const last = await (await get(`/app/account/security/passkeys/${PASSKEY_A}/delete`)).text();
    expect(last).toContain('data-testid="weakens"');
    const unknown = await get('/app/account/security/passkeys/55555555-5555-4555-8555-555555555555/delete');
    expect(unknown.status).toBe(404);
  });

  test('the authenticator app: secret in groups, a QR code, a wrong code keeps the same secret, then confirmed', async () => {
    const started = await form('/app/account/security/totp', { csrf: await csrf() });
    expect(started.status).toBe(303);
    expect(started.headers.get('location')).toBe('/app/account/security/totp');

    const setup = await (await get('/app/account/security/totp')).text();
    expect(setup).toContain('JBSW Y3DP EHPK 3PXP JBSW Y3DP EHPK 3PXP');
    expect(setup).toMatch(/<img src="data:image\/png;base64,[^"]+" alt="認証アプリに登録するための QR コード"/);
    expect(setup).toContain('name="code"');
    expect(setup).toContain('autocomplete="one-time-code"');

    const malformed = await form('/app/account/security/totp/confirm', { csrf: csrfOf(setup), code: '12345' });
    expect(malformed.status).toBe(400);
    expect(await malformed.text()).toContain('アプリに表示された6桁の数字を入力してください。');

    const wrong = await form('/app/account/security/totp/confirm', { csrf: csrfOf(setup), code: '654321' });
    expect(wrong.status).toBe(400);
    const again = await wrong.text();
    expect(again).toContain('role="alert"');
    expect(again).toContain('コードが違います。');
    expect(again).toContain('JBSW Y3DP EHPK 3PXP JBSW Y3DP EHPK 3PXP');

    // The main page offers to continue while this session holds the pending secret.
    expect(await (await get('/app/account/security')).text()).toContain('設定を続ける');

    const confirmed = await form('/app/account/security/totp/confirm', { csrf: csrfOf(setup), code: '１２３ ４５６' });
    expect(confirmed.status).toBe(303);
    expect(confirmed.headers.get('location')).toBe('/app/account/security?done=totp-confirmed');
    expect(pass.calls.at(-1)).toMatchObject({ method: 'POST', path: '/api/account/security/totp/confirm', body: { code: '123456' } });
    expect(((sessions.rows.get(COOKIE) as Record<string, unknown>).security as Record<string, unknown>).totp).toBeUndefined();
    expect((await get('/app/account/security/totp')).status).toBe(302);

    const page = await (await get('/app/account/security')).text();
    expect(page).toContain('data-testid="totp-status">設定済み');

    const remove = await get('/app/account/security/totp/delete');
    expect(remove.status).toBe(200);
    const removed = await form('/app/account/security/totp/delete', { csrf: csrfOf(await remove.text()) });
    expect(removed.status).toBe(303);
    expect(pass.calls.at(-1)).toMatchObject({ method: 'DELETE', path: '/api/account/security/totp' });
  });

  test('remembered devices are forgotten one by one or all at once', async () => {
    const token = await csrf();
    const one = await form(`/app/account/security/devices/${DEVICE_A}/revoke`, { csrf: token });
    expect(one.status).toBe(303);
    expect(pass.calls.at(-1)).toMatchObject({ method: 'DELETE', path: `/api/account/security/devices/${DEVICE_A}` });
    const all = await form('/app/account/security/devices/revoke-all', { csrf: token });
    expect(all.status).toBe(303);
    expect(all.headers.get('location')).toBe('/app/account/security?done=devices-revoked');
    expect(pass.calls.at(-1)).toMatchObject({ method: 'DELETE', path: '/api/account/security/devices' });
    expect(await (await get('/app/account/security')).text()).toContain('記憶している端末はありません。');
  });

  test('the home screen offers a passkey while the account has none, until 「あとで」', async () => {
    const had = pass.state.passkeys;
    pass.state.passkeys = [];
    try {
      const home = await (await get('/app/')).text();
      expect(home).toContain('パスキーを登録すると、次回からパスワードなしで安全にログインできます');
      expect(home).toContain('href="/app/account/security#passkeys"');
      // One link named 「ログインとセキュリティ」: the tile, beside the other account page (データとアカウント).
      expect(home.match(/>ログインとセキュリティ</g)).toHaveLength(1);
      expect(home).toMatch(/<li class="tile" id="section-security">\s*<h2><a href="\/app\/account\/security">ログインとセキュリティ<\/a>/);
      expect(home).toContain('パスキー未登録');
      const later = await form('/app/account/security/offer/dismiss', { csrf: csrfOf(home.slice(home.indexOf('passkey-offer'))) });
      expect(later.status).toBe(303);
      expect(later.headers.get('location')).toBe('/app/');
      expect(await (await get('/app/')).text()).not.toContain('data-testid="passkey-offer"');
      // A new app session offers it again.
      sessions.rows.set(COOKIE, { ...sessions.rows.get(COOKIE)!, security: undefined });
      expect(await (await get('/app/')).text()).toContain('data-testid="passkey-offer"');
    } finally {
      pass.state.passkeys = had;
    }
    const withPasskey = await (await get('/app/')).text();
    expect(withPasskey).not.toContain('data-testid="passkey-offer"');
    expect(withPasskey).toContain('パスキー登録済み');
  });

  test("the app's static files: the page script and the WebAuthn browser library", async () => {
    const library = await get('/app/static/simplewebauthn-browser.js');
    expect(library.status).toBe(200);
    expect(library.headers.get('content-type')).toContain('text/javascript');
    expect(await library.text()).toContain('SimpleWebAuthnBrowser');
    const script = await get('/app/static/app-security.js');
    expect(script.status).toBe(200);
    expect(await script.text()).toContain('startRegistration({ optionsJSON');
    expect((await get('/app/static/../package.json')).status).toBe(404);
  });

  test('helpers: secrets in groups of four, codes as people type them', () => {
    expect(groupSecret('jbswy3dpehpk3pxp')).toBe('JBSW Y3DP EHPK 3PXP');
    expect(groupSecret('ABCDEFGHIJ')).toBe('ABCD EFGH IJ');
    expect(normaliseCode('123 456')).toBe('123456');
    expect(normaliseCode('１２３４５６')).toBe('123456');
    expect(normaliseCode('123-456')).toBe('123456');
    expect(normaliseCode('12345')).toBeUndefined();
    expect(normaliseCode('12345a')).toBeUndefined();
  });
});

// The PASS app's wallet screen against a stand-in for PASS's API (no browser, no database): the
// page offers the three credentials for the resident and for each household member they
// represent, only once proofed; the offer route checks CSRF and its input before anything reaches
// PASS, passes the resident's token and the design's body, forwards PASS's own refusal text, and
// refuses an offer that is not for this issuer or this configuration. Also the installable app's
// manifest, icons and service worker, and the SD-JWT core served to the page.
import sharp from 'sharp';
import { CookieJar, request } from '../helpers/browserless.ts';
import { JAPANESE, memorySessions, passStandIn, residentBrowser, startApp, type AppUnderTest } from './app-harness.ts';
import { walletScreens } from '../../clients/app/wallet/mount.ts';
import { WALLET_APP_MESSAGES } from '../../clients/app/wallet/messages.ts';
import { usableOffer, walletHolderTag } from '../../clients/app/wallet/routes.ts';
import { buildWalletModules, sdJwtEntries } from '../../clients/app/wallet/wallet-modules.ts';
import { APP_MESSAGES } from '../../clients/app/messages.ts';
import { HOME_SECTIONS } from '../../clients/app/sections.ts';

const TOKEN = 'wallet-resident-token';
const CHILD = '7b0c1e52-6a1f-4f0e-9c9d-2d6f3b1a0c11';
const STRANGER = '0f0e0d0c-0b0a-4909-8807-060504030201';
const PRE = 'urn:ietf:params:oauth:grant-type:pre-authorized_code';

function fakePass() {
  const state = { verified: true, issuerOverride: null as string | null, issuer: '' };
  const { server, calls } = passStandIn(TOKEN, ({ method, body }, send, url) => {
    const key = `${method} ${url.pathname}`;
    if (key === 'GET /api/identity/jpki/verification') return send(200, { verified: state.verified });
    if (key === 'GET /api/households/me') {
      return send(200, {
        household_id: 'h1',
        representative: true,
        members: [
          { person_id: 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa', relation: 'representative', name: '加賀　太郎' },
          { person_id: CHILD, relation: 'child', name: '加賀　花子' },
        ],
      });
    }
    if (key === 'GET /api/facilities') return send(200, { municipalities: [{ code: '172065', name: { ja: '加賀市', en: 'Kaga City' }, facilities: [] }] });
    if (key === 'POST /api/wallet/offers') {
      if (body.personId === STRANGER) return send(403, { error: 'forbidden', reason: 'wallet_not_representative', message: { ja: 'この方の証明書は受け取れません。', en: 'You cannot receive credentials for this person.' } });
      return send(200, {
        credential_offer: { credential_issuer: state.issuerOverride ?? state.issuer, credential_configuration_ids: [body.credential_configuration_id], grants: { [PRE]: { 'pre-authorized_code': 'code-123' } } },
      });
    }
    return send(404, { error: 'not_found' });
  });
  return { server, calls, state };
}

describe("the PASS app's wallet screen", () => {
  const pass = fakePass();
  const sessions = memorySessions();
  let app: AppUnderTest | undefined;
  const COOKIE = 'wallet-screen-cookie';

  beforeAll(async () => {
    app = await startApp(pass.server, sessions, (kit, issuer) => {
      pass.state.issuer = issuer;
      return walletScreens(kit, issuer);
    });
  });

  afterAll(() => app?.close());

  beforeEach(() => {
    pass.state.verified = true;
    pass.state.issuerOverride = null;
    sessions.rows.set(COOKIE, { user: { sub: 'acc-wallet-1', email: 'taro@example.jp' }, tokens: { accessToken: TOKEN, idToken: 'id', expiresAt: Date.now() + 3_600_000 } });
  });

  const { get } = residentBrowser(() => app!.base, COOKIE);
  const offer = (fields: unknown, csrf: string | undefined, lang = 'ja') =>
    get(`/app/wallet/offer?lang=${lang}`, { method: 'POST', body: JSON.stringify(fields), headers: { 'content-type': 'application/json', ...(csrf ? { 'x-csrf-token': csrf } : {}) } });
  const csrfOfPage = (html: string) => /data-csrf="([^"]+)"/.exec(html)![1]!;

  test('the page offers each credential for the resident and each member they represent, with its words for the script', async () => {
    const response = await get('/app/wallet');
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain('<title>ウォレット | PASS</title>');
    const buttons = [...html.matchAll(/<button type="button" class="secondary" data-receive="([a-z_]+)"(?: data-person="([^"]+)")? data-who="([^"]+)" disabled>([^<]+)<\/button>/g)].map((m) => [m[1], m[2] ?? null, m[3], m[4]]);
    expect(buttons).toEqual([
      ['pass_age', null, 'ご本人', '年齢の証明'],
      ['pass_residency', null, 'ご本人', '住民であることの証明'],
      ['pass_verified_resident', null, 'ご本人', '本人確認済みの基本情報'],
      ['pass_age', CHILD, '加賀　花子 さん（ご家族）', '年齢の証明'],
      ['pass_residency', CHILD, '加賀　花子 さん（ご家族）', '住民であることの証明'],
      ['pass_verified_resident', CHILD, '加賀　花子 さん（ご家族）', '本人確認済みの基本情報'],
    ]);
    // The wallet in the browser is the account's own, named by a hash, not by the account id.
    expect(html).toContain(`data-holder="${walletHolderTag('acc-wallet-1')}"`);
    expect(html).not.toContain('acc-wallet-1');
    expect(walletHolderTag('acc-wallet-2')).not.toBe(walletHolderTag('acc-wallet-1'));
    expect(html).toContain('data-client-id="pass-app"');
    const words = JSON.parse(/<script type="application\/json" id="wallet-words">([^<]*)<\/script>/.exec(html)![1]!);
    expect(words.types['urn:pass:vct:age:1']).toBe('年齢の証明');
    expect(words.municipalities).toEqual({ '172065': '加賀市' });
    expect(words.words.age_over).toBe('{n}歳以上');
    expect(html).toContain('<script type="module" src="/app/static/wallet-page.js"></script>');

    const english = await (await get('/app/wallet?lang=en')).text();
    expect(english).toContain('<title>Wallet | PASS</title>');
    const enWords = JSON.parse(/id="wallet-words">([^<]*)</.exec(english)![1]!);
    expect(enWords.municipalities).toEqual({ '172065': 'Kaga City' });
    expect(enWords.types['urn:pass:vct:residency:1']).toBe('Proof of residence');
  });

  test('an unproofed resident is sent to identity proofing instead of offered credentials', async () => {
    pass.state.verified = false;
    const html = await (await get('/app/wallet')).text();
    expect(html).toContain('data-testid="wallet-unproofed"');
    expect(html).not.toContain('data-receive=');
    expect(html).toContain('href="/app/identity"');
  });

  test('signed out: the page sends to sign-in and the offer answers 401', async () => {
    const jar = new CookieJar();
    const page = await request(jar, `${app!.base}/app/wallet`);
    expect(page.status).toBe(302);
    const answer = await request(jar, `${app!.base}/app/wallet/offer`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
    expect(answer.status).toBe(401);
  });

  test('an offer: CSRF and input checked before PASS is asked; then the token and the design body go to PASS', async () => {
    const csrf = csrfOfPage(await (await get('/app/wallet')).text());
    const before = pass.calls.filter((c) => c.path === '/api/wallet/offers').length;
    expect((await offer({ credential_configuration_id: 'pass_age' }, undefined)).status).toBe(403);
    expect((await offer({ credential_configuration_id: 'pass_age' }, 'forged')).status).toBe(403);
    const unknown = await offer({ credential_configuration_id: 'pass_everything' }, csrf);
    expect(unknown.status).toBe(400);
    expect(((await unknown.json()) as { message: string }).message).toBe(WALLET_APP_MESSAGES['wallet.error.invalid']!.ja);
    expect((await offer({ credential_configuration_id: 'pass_age', person_id: '../../admin' }, csrf)).status).toBe(400);
    expect((await offer({ credential_configuration_id: ['pass_age'] }, csrf)).status).toBe(400);
    expect(pass.calls.filter((c) => c.path === '/api/wallet/offers').length).toBe(before);

    const mine = await offer({ credential_configuration_id: 'pass_age' }, csrf);
    expect(mine.status).toBe(200);
    expect(mine.headers.get('cache-control')).toBe('no-store');
    expect(((await mine.json()) as { credential_offer: unknown }).credential_offer).toEqual({ credential_issuer: pass.state.issuer, credential_configuration_ids: ['pass_age'], grants: { [PRE]: { 'pre-authorized_code': 'code-123' } } });
    const call = pass.calls.filter((c) => c.path === '/api/wallet/offers').at(-1)!;
    expect(call.auth).toBe(`Bearer ${TOKEN}`);
    expect(call.body).toEqual({ credential_configuration_id: 'pass_age' });

    expect((await offer({ credential_configuration_id: 'pass_residency', person_id: CHILD }, csrf)).status).toBe(200);
    expect(pass.calls.at(-1)!.body).toEqual({ credential_configuration_id: 'pass_residency', personId: CHILD });
  });

  test("PASS's refusal reaches the page in its language; an offer from elsewhere is refused", async () => {
    const csrf = csrfOfPage(await (await get('/app/wallet')).text());
    const refused = await offer({ credential_configuration_id: 'pass_age', person_id: STRANGER }, csrf, 'en');
    expect(refused.status).toBe(403);
    expect(await refused.json()).toEqual({ error: 'forbidden', message: 'You cannot receive credentials for this person.' });

    pass.state.issuerOverride = 'https://elsewhere.example';
    const elsewhere = await offer({ credential_configuration_id: 'pass_age' }, csrf);
    expect(elsewhere.status).toBe(502);
    expect(((await elsewhere.json()) as { credential_offer?: unknown }).credential_offer).toBeUndefined();
  });

  test('usableOffer: only this issuer, the one configuration asked, a pre-authorized code', () => {
    const good = { credential_issuer: 'https://pass.example', credential_configuration_ids: ['pass_age'], grants: { [PRE]: { 'pre-authorized_code': 'c' } } };
    expect(usableOffer(good, 'https://pass.example', 'pass_age')).toBe(true);
    expect(usableOffer(good, 'https://pass.example', 'pass_residency')).toBe(false);
    expect(usableOffer({ ...good, credential_configuration_ids: ['pass_age', 'pass_residency'] }, 'https://pass.example', 'pass_age')).toBe(false);
    expect(usableOffer({ ...good, grants: { authorization_code: {} } }, 'https://pass.example', 'pass_age')).toBe(false);
    expect(usableOffer({ ...good, grants: { [PRE]: { 'pre-authorized_code': 'x'.repeat(513) } } }, 'https://pass.example', 'pass_age')).toBe(false);
    expect(usableOffer(null, 'https://pass.example', 'pass_age')).toBe(false);
  });

  test('the manifest: PASS, Japanese first, scoped to the app, with drawn 192 and 512 pixel icons', async () => {
    const response = await fetch(`${app!.base}/app/manifest.webmanifest`);
    expect(response.headers.get('content-type')).toBe('application/manifest+json; charset=utf-8');
    const manifest = (await response.json()) as { description: string; icons: Array<{ src: string; sizes: string; type: string; purpose: string }> };
    expect(manifest).toMatchObject({ name: 'PASS', lang: 'ja', scope: '/app/', start_url: '/app/', display: 'standalone', id: '/app/' });
    expect(JAPANESE.test(manifest.description)).toBe(true);
    const pngs = manifest.icons.filter((i) => i.type === 'image/png');
    expect(pngs.map((i) => `${i.sizes} ${i.purpose}`).sort()).toEqual(['192x192 any', '512x512 any', '512x512 maskable']);
    for (const icon of pngs) {
      const bytes = Buffer.from(await (await fetch(`${app!.base}${icon.src}`)).arrayBuffer());
      // Decoded by sharp (libvips), not by the code that drew it.
      const { data, info } = await sharp(bytes).raw().toBuffer({ resolveWithObject: true });
      const size = Number(icon.sizes.split('x')[0]);
      expect([info.width, info.height, info.format]).toEqual([size, size, 'raw']);
      const pixel = (x: number, y: number) => [...data.subarray((y * size + x) * info.channels, (y * size + x) * info.channels + 3)];
      // Brand blue at the corner (a maskable icon fills its square), the white card inside the safe zone.
      expect(pixel(2, 2)).toEqual([0x0b, 0x5c, 0xad]);
      expect(pixel(Math.round(size * 0.25), Math.round(size * 0.35))).toEqual([255, 255, 255]);
    }
    const svg = await (await fetch(`${app!.base}/app/icons/pass.svg`)).text();
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  });

  test('the service worker: served at the app scope, with the shell it keeps and a version of that shell', async () => {
    const response = await fetch(`${app!.base}/app/wallet-sw.js`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(response.headers.get('cache-control')).toBe('no-cache');
    const script = await response.text();
    const config = JSON.parse(/^self\.PASS_WALLET = (.*);\n/.exec(script)![1]!);
    expect(config.page).toBe('/app/wallet');
    expect(config.scope).toBe('/app/');
    expect(config.version).toMatch(/^[A-Za-z0-9_-]{16}$/);
    expect(config.shell).toEqual(expect.arrayContaining(['/static/pass.css', '/app/static/wallet-page.js', '/app/static/wallet-store.js', '/app/static/wallet-issuance.js', '/app/manifest.webmanifest', '/app/icons/pass-192.png']));
    // Nothing with personal data is in the shell: no API, no page but the wallet's (kept separately, at navigation).
    expect(config.shell.filter((p: string) => p.startsWith('/api/') || p === '/app/wallet' || p.startsWith('/app/wallet/'))).toEqual([]);
    for (const module of sdJwtEntries()) expect(config.shell).toContain(`/app/lib/${module}`);
    // The worker never handles anything but GETs of its own origin.
    expect(script).toContain("if (request.method !== 'GET') return;");
  });

  test('the SD-JWT core reaches the page stripped of types, and only it', async () => {
    const entries = sdJwtEntries();
    expect(entries.length).toBeGreaterThan(0);
    const modules = buildWalletModules();
    for (const name of modules.keys()) expect(name).toMatch(/^(wallet\/sd-jwt\/[a-z0-9/-]+|core\/(errors|reasons))\.ts$/);
    const first = entries[0]!;
    const served = await fetch(`${app!.base}/app/lib/${first}`);
    expect(served.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(await served.text()).toBe(modules.get(first)!.body);
    expect((await fetch(`${app!.base}/app/lib/wallet/sd-jwt/../../config/schema.ts`)).status).toBe(404);
    expect(() => buildWalletModules(['config/schema.ts'])).toThrow(/may not load config\/schema\.ts/);
  });

  test('the home screen lists the wallet; every wallet text is in both languages, the English free of Japanese', () => {
    expect(HOME_SECTIONS.map((s) => (s as { name: string }).name)).toContain('walletSection');
    for (const [key, text] of Object.entries(WALLET_APP_MESSAGES)) {
      expect(APP_MESSAGES[key]).toEqual(text);
      expect({ key, japanese: JAPANESE.test(text.en) }).toEqual({ key, japanese: false });
      expect({ key, ja: text.ja.length > 0 }).toEqual({ key, ja: true });
    }
  });
});

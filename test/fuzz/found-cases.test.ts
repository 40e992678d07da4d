// What the fuzzers found, kept as plain tests: each of these answered 500 (or silently ignored its
// body) before the fix named beside it, whichever seed the fuzzers run with. PASS runs as its own
// process, as in production: in jest's sandbox some errors of Node's own modules cross realms and
// lose their shape on the way (koa-body re-wraps what is not `instanceof Error` there).
import { gzipSync } from 'node:zlib';
import { createStorage, freePort, startPass, type TestStorage } from '../helpers/pass.ts';
import { storageModes } from '../helpers/services.ts';
import { CookieJar, csrfOf, request } from '../helpers/browserless.ts';
import { provisionKiosk, staffAccount, withFacilities, type TestKiosk } from '../kiosk/helpers.ts';
import { unstorableText } from '../../src/db/text-guard.ts';
import { startPassProcess, type PassProcess } from './pass-process.ts';

const mode = storageModes().at(-1)!;
const REDIRECT = 'http://127.0.0.1:9/found-cb';

test('unstorableText: NUL anywhere; in JSON also \\u0000 escapes and unpaired surrogates', () => {
  expect(unstorableText('a\u0000b')).toBe(true);
  expect(unstorableText('{"a":"\\u0000"}')).toBe(true);
  expect(unstorableText('{"a":"\\ud800"}')).toBe(true);
  expect(unstorableText({ name: 'x\ud800' }, true)).toBe(true);
  expect(unstorableText(['x', { deep: ['y', 'z\u0000'] }], true)).toBe(true);
  expect(unstorableText({ 'k\u0000': 1 }, true)).toBe(true);
  expect(unstorableText('{"a":"\\\\u0000"}')).toBe(false); // an escaped backslash, then text
  expect(unstorableText('kiosk-\\u0000')).toBe(false); // plain text with a backslash: PostgreSQL takes it
  expect(unstorableText('x\ud800')).toBe(false); // plain text: the driver stores U+FFFD
  expect(unstorableText({ name: '𠮷加賀' }, true)).toBe(false);
  expect(unstorableText(['plain', 42, null, new Date(), Buffer.from([0, 0])])).toBe(false);
});

describe(`cases the fuzzers found (${mode})`, () => {
  let storage: TestStorage;
  let pass: PassProcess;
  let kiosk: TestKiosk;
  let clientId: string;
  let iat: string;

  beforeAll(async () => {
    storage = await createStorage(mode);
    const port = await freePort();
    const env = { ...storage.env, PORT: String(port), ISSUER: `http://127.0.0.1:${port}` };
    const setup = await startPass(env);
    await withFacilities(setup);
    await staffAccount(setup, 'staff@found.example.jp', 'facility_staff', { facilityId: 'kaga-niconico-park' });
    kiosk = await provisionKiosk(setup, 'staff@found.example.jp');
    clientId = (await setup.oidc.clients.create({ name: 'found', redirectUris: [REDIRECT], tokenEndpointAuthMethod: 'none' })).clientId;
    iat = (await setup.oidc.initialAccessTokens.mint(setup.oidc.host.provider, {})).token;
    await setup.close();
    pass = await startPassProcess(storage.env, port);
  }, 90_000);

  afterAll(async () => {
    await pass?.stop();
    await storage?.cleanup();
  });

  /** A live sign-in interaction: its form's action and CSRF value, and the browser's cookies. */
  async function interaction(): Promise<{ action: string; csrf: string; jar: CookieJar }> {
    const jar = new CookieJar();
    const url = new URL('/auth', pass.issuer);
    url.search = new URLSearchParams({
      client_id: clientId,
      redirect_uri: REDIRECT,
      response_type: 'code',
      scope: 'openid',
      code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
      code_challenge_method: 'S256',
    }).toString();
    const started = await request(jar, url.toString());
    const page = await request(jar, new URL(started.headers.get('location')!, pass.issuer).toString());
    const html = await page.text();
    return { action: new URL(/action="(\/interaction\/[^"]+\/login)"/.exec(html)![1]!, pass.issuer).toString(), csrf: csrfOf(html), jar };
  }

  test('the device code form posted without a browser session goes back to the form (provider-edge.ts), not a 500', async () => {
    const response = await fetch(`${pass.issuer}/device`, { method: 'POST', body: new URLSearchParams({ xsrf: 'abc', user_code: 'BCDF-GHJK', confirm: 'yes' }), redirect: 'manual' });
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('/device');
    // With a session, a wrong xsrf is oidc-provider's own refusal: the form again, 400.
    const jar = new CookieJar();
    await (await request(jar, `${pass.issuer}/device`)).text();
    const refused = await request(jar, `${pass.issuer}/device`, { method: 'POST', body: new URLSearchParams({ xsrf: 'wrong', user_code: 'BCDF-GHJK' }) });
    expect(refused.status).toBe(400);
    expect(await refused.text()).toContain('</html>');
  });

  test.each([
    ['gzip', 400, 'invalid_body'],
    ['br', 400, 'invalid_body'],
    ['x-zip', 415, 'unsupported_encoding'],
  ])('a form claiming Content-Encoding %s that is not is refused with %i (body-errors.ts), not a 500', async (encoding, status, reason) => {
    const { action, csrf, jar } = await interaction();
    const response = await request(jar, action, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-encoding': encoding },
      body: `login=a%40b.example&password=x&csrf=${csrf}`,
    });
    expect(response.status).toBe(status);
    expect(await response.json()).toMatchObject({ error: 'invalid_input', reason, error_description: expect.any(String) });
  });

  test('a real gzip form still works: the refusal is for broken encodings only', async () => {
    const { action, csrf, jar } = await interaction();
    const response = await request(jar, action, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-encoding': 'gzip' },
      body: gzipSync(`login=nobody%40found.example&password=wrong-password&csrf=${csrf}`),
    });
    // The form was read: a refused sign-in (no such account) on the sign-in page.
    expect(response.status).toBe(401);
    expect(await response.text()).toContain('</html>');
  });

  test('oidc-provider endpoints refuse content-encoded bodies (it would read them as plain forms)', async () => {
    const response = await fetch(`${pass.issuer}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-encoding': 'br' },
      body: 'grant_type=client_credentials',
    });
    expect(response.status).toBe(415);
    expect(await response.json()).toMatchObject({ error: 'invalid_request' });
  });

  test('a NUL character names no client or token and cannot be stored (unstorable-text.ts, text-guard.ts)', async () => {
    const device = await fetch(`${pass.issuer}/device/auth`, { method: 'POST', body: new URLSearchParams({ client_id: 'pass-kiosk\u0000', scope: 'kiosk' }) });
    expect(device.status).toBe(401);
    expect(await device.json()).toMatchObject({ error: 'invalid_client' });
    const introspect = await fetch(`${pass.issuer}/token/revocation`, { method: 'POST', body: new URLSearchParams({ token: 'x\u0000', client_id: clientId }) });
    expect(introspect.status).toBeLessThan(500);
    await introspect.arrayBuffer();
    // A request parameter with a NUL is an invalid request, told to the relying party.
    const auth = await fetch(`${pass.issuer}/auth?${new URLSearchParams({ client_id: clientId, redirect_uri: REDIRECT, response_type: 'code', scope: 'openid', state: 'a\u0000b', code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', code_challenge_method: 'S256' })}`, { redirect: 'manual' });
    expect(auth.status).toBe(303);
    expect(new URL(auth.headers.get('location')!).searchParams.get('error')).toBe('invalid_request');
    // PASS's own forms: the sign-in page refuses it, as any invalid input.
    const { action, csrf, jar } = await interaction();
    const login = await request(jar, action, { method: 'POST', body: new URLSearchParams({ login: 'a\u0000@b.example', password: 'x', csrf }) });
    expect(login.status).toBe(400);
    expect(await login.text()).toContain('</html>');
  });

  test('an unpaired surrogate in registered metadata is an invalid request, not a jsonb error (500)', async () => {
    const response = await fetch(`${pass.issuer}/reg`, {
      method: 'POST',
      headers: { authorization: `Bearer ${iat}`, 'content-type': 'application/json' },
      body: '{"client_name":"RP \\ud800","redirect_uris":["https://rp.example/cb"]}',
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: 'invalid_request' });
  });

  test('the kiosk API refuses a body that is not JSON (415 not_json) instead of ignoring it', async () => {
    const answer = await fetch(`${pass.issuer}/api/kiosk/activation`, {
      method: 'POST',
      headers: { authorization: `DPoP ${kiosk.accessToken}`, dpop: await kiosk.proof('POST', `${pass.issuer}/api/kiosk/activation`, kiosk.accessToken), 'content-type': 'application/xml' },
      body: '<facilityId>sakai-kids-park</facilityId>',
    });
    const nonce = answer.headers.get('dpop-nonce');
    if (nonce) kiosk.nonces.rs = nonce;
    const body = (await answer.json()) as Record<string, any>;
    // A kiosk without a current nonce is told so first; with one, the body's type is what is wrong.
    if (body.reason === 'use_dpop_nonce') {
      const again = await fetch(`${pass.issuer}/api/kiosk/activation`, {
        method: 'POST',
        headers: { authorization: `DPoP ${kiosk.accessToken}`, dpop: await kiosk.proof('POST', `${pass.issuer}/api/kiosk/activation`, kiosk.accessToken), 'content-type': 'application/xml' },
        body: '<facilityId>sakai-kids-park</facilityId>',
      });
      expect(again.status).toBe(415);
      expect(await again.json()).toMatchObject({ reason: 'not_json', message: { ja: expect.stringContaining('JSON'), en: expect.stringContaining('JSON') } });
      return;
    }
    expect(answer.status).toBe(415);
    expect(body).toMatchObject({ reason: 'not_json', message: { ja: expect.stringContaining('JSON'), en: expect.stringContaining('JSON') } });
  });
});

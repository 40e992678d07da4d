// Cookies and response headers on an https issuer (behind a TLS-terminating proxy, as deployed):
// every cookie PASS sets is HttpOnly, SameSite and Secure; every kind of response carries the
// security headers (CSP with frame-ancestors, HSTS, nosniff, Referrer-Policy, no framing). On a
// plain-http issuer (development) HSTS is absent, since browsers would pin it to localhost.
import { createStorage, startPass, type TestStorage } from '../helpers/pass.ts';
import { csrfOf, outboxCode } from '../helpers/browserless.ts';

type Pass = Awaited<ReturnType<typeof startPass>>;

const PASSWORD = 'hardening passphrase 2026';
const EMAIL = 'kaga-resident@pass.localhost';
/** What the TLS-terminating proxy adds to every request. */
const VIA_PROXY = { 'x-forwarded-proto': 'https' };

interface SetCookie {
  name: string;
  attributes: Set<string>;
  raw: string;
}

function setCookies(response: Response): SetCookie[] {
  return response.headers.getSetCookie().map((raw) => {
    const [pair, ...attrs] = raw.split(';').map((p) => p.trim());
    return { name: pair!.split('=')[0]!, attributes: new Set(attrs.map((a) => a.toLowerCase())), raw };
  });
}

function expectHardened(cookie: SetCookie): void {
  expect({ name: cookie.name, httpOnly: cookie.attributes.has('httponly'), secure: cookie.attributes.has('secure'), sameSite: [...cookie.attributes].find((a) => a.startsWith('samesite=')) }).toEqual({
    name: cookie.name,
    httpOnly: true,
    secure: true,
    sameSite: expect.stringMatching(/^samesite=(lax|strict)$/),
  });
}

function expectSecurityHeaders(response: Response, https: boolean): void {
  const csp = response.headers.get('content-security-policy') ?? '';
  expect(csp).toContain("default-src 'self'");
  expect(csp).toContain("frame-ancestors 'none'");
  expect(csp).toContain("object-src 'none'");
  expect(csp).toContain("base-uri 'none'");
  expect(csp).not.toMatch(/script-src[^;]*'unsafe-inline'/);
  expect(response.headers.get('x-content-type-options')).toBe('nosniff');
  expect(response.headers.get('referrer-policy')).toBe('no-referrer');
  expect(response.headers.get('x-frame-options')).toBe('DENY');
  const hsts = response.headers.get('strict-transport-security');
  if (https) expect(Number(/max-age=(\d+)/.exec(hsts ?? '')?.[1] ?? 0)).toBeGreaterThanOrEqual(31_536_000);
  else expect(hsts).toBeNull();
  expect(response.headers.get('x-powered-by')).toBeNull();
}

describe('cookies and headers on an https issuer', () => {
  let storage: TestStorage;
  let pass: Pass;
  let clientId: string;
  const redirect = 'https://rp.example/cb';

  beforeAll(async () => {
    storage = await createStorage('embedded');
    pass = await startPass({ ...storage.env, ISSUER: 'https://pass.example', TRUST_PROXY: 'true' });
    await pass.platform.accounts.create({ email: EMAIL, password: PASSWORD, verified: true });
    clientId = (await pass.oidc.clients.create({ name: 'hardening RP', redirectUris: [redirect], tokenEndpointAuthMethod: 'none' })).clientId;
  }, 60_000);

  afterAll(async () => {
    await pass?.close();
    await storage?.cleanup();
  });

  /** The server's own address, with the https origin the proxy would have seen. */
  const get = (path: string, init: RequestInit = {}) => fetch(`${pass.url}${path}`, { ...init, redirect: 'manual', headers: { ...VIA_PROXY, ...(init.headers as Record<string, string>) } });

  test('the interaction, session, remembered-device, language and PASS app cookies are HttpOnly, SameSite and Secure', async () => {
    const cookies = new Map<string, string>();
    const jar = () => [...cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const seen: SetCookie[] = [];
    const keep = (response: Response) => {
      for (const c of setCookies(response)) {
        seen.push(c);
        cookies.set(c.name, c.raw.split(';')[0]!.slice(c.name.length + 1));
      }
      return response;
    };
    const params = new URLSearchParams({ client_id: clientId, redirect_uri: redirect, response_type: 'code', scope: 'openid', code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', code_challenge_method: 'S256' });
    const started = keep(await get(`/auth?${params}`));
    expect(started.status).toBe(303);
    const interactionPath = new URL(started.headers.get('location')!, 'https://pass.example').pathname;
    const page = keep(await get(interactionPath, { headers: { cookie: jar() } }));
    const html = await page.text();
    const posted = keep(
      await get(`${interactionPath}/login`, { method: 'POST', headers: { cookie: jar() }, body: new URLSearchParams({ login: EMAIL, password: PASSWORD, csrf: csrfOf(html) }) }),
    );
    expect(posted.status).toBe(303);
    // The code page, then the e-mail code with this browser remembered (the pass_device cookie).
    const verifyPath = new URL(posted.headers.get('location')!, 'https://pass.example').pathname;
    expect(verifyPath).toBe(`${interactionPath}/verify`);
    const codePage = keep(await get(verifyPath, { headers: { cookie: jar() } }));
    const code = await outboxCode(pass.url, EMAIL);
    const verified = keep(
      await get(verifyPath, { method: 'POST', headers: { cookie: jar() }, body: new URLSearchParams({ code, remember: '1', csrf: csrfOf(await codePage.text()) }) }),
    );
    expect(verified.status).toBe(303);
    const resumed = keep(await get(new URL(verified.headers.get('location')!, 'https://pass.example').pathname, { headers: { cookie: jar() } }));
    expect(resumed.status).toBe(303);
    keep(await get('/app/login', { headers: { cookie: jar() } }));
    keep(await get(`${interactionPath}?lang=en`, { headers: { cookie: jar() } }));

    const names = new Set(seen.map((c) => c.name));
    for (const expected of ['pass_interaction', 'pass_session', 'pass_device', 'pass_lang']) expect(names).toContain(expected);
    expect([...names].some((n) => n.startsWith('pass_app') || n.includes('app'))).toBe(true);
    // Clearing a cookie (an expired, empty value) needs no flags; every cookie that carries a value does.
    for (const cookie of seen.filter((c) => !/expires=thu, 01 jan 1970/i.test(c.raw))) expectHardened(cookie);
  });

  test.each([
    ['discovery (oidc-provider JSON)', '/.well-known/openid-configuration'],
    ['an error page of oidc-provider', '/auth?client_id=nobody'],
    ['a PASS page', '/app/'],
    ['a refusal of the PASS API', '/api/kiosk/me'],
    ['a static file', '/static/pass.css'],
    ['a path nothing serves', '/no/such/thing'],
    ['health', '/healthz'],
  ])('%s carries the security headers, HSTS included', async (_what, path) => {
    const response = await get(path);
    expectSecurityHeaders(response, true);
    await response.arrayBuffer();
  });

  test('token answers are not cacheable', async () => {
    const response = await get('/token', { method: 'POST', body: new URLSearchParams({ grant_type: 'authorization_code', code: 'x', client_id: clientId }) });
    expect(response.headers.get('cache-control')).toContain('no-store');
    expectSecurityHeaders(response, true);
    await response.arrayBuffer();
  });
});

describe('headers on a plain-http issuer (development)', () => {
  test('everything but HSTS', async () => {
    const storage = await createStorage('embedded');
    const pass = await startPass(storage.env);
    try {
      for (const path of ['/.well-known/openid-configuration', '/app/', '/no/such/thing']) {
        const response = await fetch(`${pass.url}${path}`, { redirect: 'manual' });
        expectSecurityHeaders(response, false);
        await response.arrayBuffer();
      }
    } finally {
      await pass.close();
      await storage.cleanup();
    }
  }, 60_000);
});

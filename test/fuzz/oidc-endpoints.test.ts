// Hostile input to the OpenID endpoints of a running PASS (its own process, logs at debug level):
// /auth, /request (PAR), /token (every grant), /token/introspection, /token/revocation, /me,
// /device/auth and the device pages, /reg, /session/end and the interaction forms (sign-in,
// consent, second factor, sign-up, reset), with malformed, oversized and mistyped parameters,
// wrong content types and bad encodings. Each case: no 5xx, no hang, the endpoint's error shape,
// no stack trace or secret in the answer; then PASS still serves, and its logs hold no secret.
import { createStorage, startPass, freePort, type TestStorage } from '../helpers/pass.ts';
import { storageModes } from '../helpers/services.ts';
import { authorize, CookieJar, csrfOf, exchangeCode, request } from '../helpers/browserless.ts';
import { fuzz, fuzzPlan, fail, type CaseLog, type Rng } from './fuzz-kit.ts';
import { checkAnswer, checkLogs, withLogs, mutateSpec, mutateWire, RAW_REQUESTS, send, sendRaw, serialise, type RequestSpec, type Secrets } from './hostile-http.ts';
import { startPassProcess, type PassProcess } from './pass-process.ts';
import { writeFileSync } from 'node:fs';
import { configFor } from '../helpers/pass.ts';

const mode = storageModes().at(-1)!;
const plan = fuzzPlan('pass-oidc-1', 2500);
const REDIRECT = 'http://127.0.0.1:9/fuzz-cb';
const PASSWORD = 'fuzz resident passphrase 2026';
const EMAIL = 'fuzz-resident@pass.localhost';

interface Context {
  issuer: string;
  rp: { id: string; secret: string };
  pub: { id: string };
  accessToken: string;
  refreshToken: string;
  idToken: string;
  ccToken: string;
  iats: string[];
}

const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;

function authParams(ctx: Context, rng: Rng, clientId: string): Array<[string, string]> {
  const params: Array<[string, string]> = [
    ['client_id', clientId],
    ['redirect_uri', REDIRECT],
    ['response_type', 'code'],
    ['scope', rng.pick(['openid email', 'openid offline_access', 'openid profile resident', 'openid pass:api'])],
    ['state', 'st-1234'],
    ['nonce', 'n-5678'],
    ['code_challenge', 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM'],
    ['code_challenge_method', 'S256'],
  ];
  if (rng.chance(0.3)) params.push(['claims', JSON.stringify({ id_token: { email: { essential: true } }, userinfo: { verified_claims: { verification: { trust_framework: null }, claims: { name: null } } } })]);
  if (rng.chance(0.2)) params.push(['resource', `${ctx.issuer}/api`]);
  if (rng.chance(0.2)) params.push(['acr_values', 'urn:pass:acr:mfa urn:pass:acr:face']);
  if (rng.chance(0.2)) params.push(['prompt', rng.pick(['login', 'consent', 'none', 'select_account create'])]);
  if (rng.chance(0.1)) params.push(['id_token_hint', ctx.idToken]);
  return params;
}

/** One valid-looking request per endpoint; the mutations make it hostile. */
const TEMPLATES: Record<string, (ctx: Context, rng: Rng) => RequestSpec> = {
  authorize: (ctx, rng) => ({ label: 'authorize', method: 'GET', path: '/auth', query: authParams(ctx, rng, rng.pick([ctx.pub.id, ctx.rp.id])), headers: {}, shape: 'page' }),
  par: (ctx, rng) => ({
    label: 'par',
    method: 'POST',
    path: '/request',
    query: [],
    headers: { authorization: basic(ctx.rp.id, ctx.rp.secret) },
    form: authParams(ctx, rng, ctx.rp.id).filter(([k]) => k !== 'client_id'),
    shape: 'oauth',
  }),
  tokenCode: (ctx) => ({
    label: 'token code',
    method: 'POST',
    path: '/token',
    query: [],
    headers: { authorization: basic(ctx.rp.id, ctx.rp.secret) },
    form: [['grant_type', 'authorization_code'], ['code', 'aGVsbG8td29ybGQtY29kZS0xMjM0NTY3ODkw'], ['redirect_uri', REDIRECT], ['code_verifier', 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk']],
    shape: 'oauth',
  }),
  tokenRefresh: (ctx) => ({
    label: 'token refresh',
    method: 'POST',
    path: '/token',
    query: [],
    headers: {},
    form: [['grant_type', 'refresh_token'], ['refresh_token', `${ctx.refreshToken}x`], ['client_id', ctx.pub.id]],
    shape: 'oauth',
  }),
  tokenClientCredentials: (ctx, rng) => ({
    label: 'token client_credentials',
    method: 'POST',
    path: '/token',
    query: [],
    headers: rng.chance(0.5) ? { authorization: basic(ctx.rp.id, ctx.rp.secret) } : ({} as Record<string, string>),
    form: [['grant_type', 'client_credentials'], ['scope', 'openid'], ...(rng.chance(0.5) ? [['client_id', ctx.rp.id], ['client_secret', ctx.rp.secret]] as Array<[string, string]> : []), ...(rng.chance(0.3) ? [['client_assertion_type', 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'], ['client_assertion', 'eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJ4In0.c2ln']] as Array<[string, string]> : [])],
    shape: 'oauth',
  }),
  tokenDevice: (_ctx, rng) => ({
    label: 'token device_code',
    method: 'POST',
    path: '/token',
    query: [],
    headers: rng.chance(0.5) ? { dpop: 'eyJ0eXAiOiJkcG9wK2p3dCIsImFsZyI6IkVTMjU2In0.eyJodG0iOiJQT1NUIn0.c2ln' } : ({} as Record<string, string>),
    form: [['grant_type', 'urn:ietf:params:oauth:grant-type:device_code'], ['device_code', 'ZGV2aWNlLWNvZGUtZnV6ei0xMjM0NTY3ODk'], ['client_id', 'pass-kiosk']],
    shape: 'oauth',
  }),
  introspection: (ctx, rng) => ({
    label: 'introspection',
    method: 'POST',
    path: '/token/introspection',
    query: [],
    headers: { authorization: basic(ctx.rp.id, ctx.rp.secret) },
    form: [['token', rng.pick([ctx.ccToken, 'bm90LWEtdG9rZW4tYXQtYWxsLTEyMzQ1Njc4']) + (rng.chance(0.5) ? 'x' : '')], ['token_type_hint', rng.pick(['access_token', 'refresh_token', 'bogus'])]],
    shape: 'oauth',
  }),
  revocation: (ctx) => ({
    label: 'revocation',
    method: 'POST',
    path: '/token/revocation',
    query: [],
    headers: { authorization: basic(ctx.rp.id, ctx.rp.secret) },
    form: [['token', 'bm90LWEtdG9rZW4tYXQtYWxsLTEyMzQ1Njc4'], ['token_type_hint', 'access_token']],
    shape: 'oauth',
  }),
  userinfo: (ctx, rng): RequestSpec =>
    rng.chance(0.5)
      ? { label: 'userinfo GET', method: 'GET', path: '/me', query: [], headers: { authorization: `Bearer ${ctx.accessToken}${rng.chance(0.7) ? 'x' : ''}` }, shape: 'oauth' }
      : { label: 'userinfo POST', method: 'POST', path: '/me', query: [], headers: {}, form: [['access_token', `${ctx.accessToken}y`]], shape: 'oauth' },
  deviceAuth: (ctx) => ({
    label: 'device/auth',
    method: 'POST',
    path: '/device/auth',
    query: [],
    headers: {},
    form: [['client_id', 'pass-kiosk'], ['scope', 'kiosk offline_access'], ['resource', `${ctx.issuer}/api`]],
    shape: 'oauth',
  }),
  devicePage: (_ctx, rng): RequestSpec =>
    rng.chance(0.5)
      ? { label: 'device page', method: 'GET', path: '/device', query: [['user_code', 'BCDF-GHJK']], headers: {}, shape: 'page' }
      : { label: 'device form', method: 'POST', path: '/device', query: [], headers: {}, form: [['xsrf', 'abc'], ['user_code', 'BCDF-GHJK'], ['confirm', 'yes']], shape: 'page' },
  registration: (ctx, rng) => ({
    label: 'registration',
    method: 'POST',
    path: '/reg',
    query: [],
    headers: { authorization: `Bearer ${rng.pick(ctx.iats)}` },
    json: {
      client_name: 'ふじゅう RP',
      redirect_uris: ['https://rp.example/cb'],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: rng.pick(['client_secret_basic', 'private_key_jwt', 'none']),
      ...(rng.chance(0.3) ? { jwks: { keys: [{ kty: 'EC', crv: 'P-256', x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU', y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0' }] } } : {}),
      ...(rng.chance(0.2) ? { contacts: ['ops@rp.example'], logo_uri: 'https://rp.example/logo.png', sector_identifier_uri: 'https://rp.example/sector.json' } : {}),
    },
    shape: 'oauth',
  }),
  endSession: (ctx, rng) => ({
    label: 'end_session',
    method: rng.chance(0.7) ? 'GET' : 'POST',
    path: rng.chance(0.8) ? '/session/end' : '/session/end/confirm',
    query: [['id_token_hint', ctx.idToken], ['post_logout_redirect_uri', REDIRECT], ['state', 'bye'], ['client_id', ctx.pub.id]],
    headers: {},
    form: [['xsrf', 'abc'], ['logout', 'yes']],
    shape: 'page',
  }),
  discovery: (_ctx, rng) => ({ label: 'discovery', method: 'GET', path: rng.pick(['/.well-known/openid-configuration', '/jwks', '/.well-known/oauth-authorization-server']), query: [['x', '1']], headers: {}, shape: 'oauth' }),
};

/** The interaction forms need a live interaction: started here with the public client, cookie jar and all. */
async function interactionSpec(ctx: Context, rng: Rng, log: CaseLog): Promise<RequestSpec> {
  const jar = new CookieJar();
  const url = new URL('/auth', ctx.issuer);
  url.search = new URLSearchParams(Object.fromEntries(authParams(ctx, rng, ctx.pub.id))).toString();
  let next = url.toString();
  let html = '';
  for (let i = 0; i < 4 && !next.startsWith(REDIRECT); i += 1) {
    const page = await request(jar, next);
    if (page.status >= 300 && page.status < 400) {
      next = new URL(page.headers.get('location')!, next).toString();
      continue;
    }
    html = await page.text();
    break;
  }
  const uid = /\/interaction\/([^/"?]+)/.exec(next)?.[1] ?? /action="\/interaction\/([^/"]+)/.exec(html)?.[1] ?? 'no-interaction';
  let csrf = 'none';
  try {
    csrf = csrfOf(html);
  } catch {
    // A page without a form (an error page): the fuzzed request still goes out.
  }
  const form = rng.pick([
    ['login', [['login', EMAIL], ['password', rng.chance(0.3) ? PASSWORD : 'wrong password 1'], ['csrf', csrf]]],
    ['consent', [['decision', 'allow'], ['csrf', csrf]]],
    ['verify', [['code', '123456'], ['csrf', csrf]]],
    ['verify/resend', [['csrf', csrf]]],
    ['forgot', [['login', EMAIL], ['csrf', csrf]]],
    ['signup', [['email', 'new-fuzz@pass.localhost'], ['password', 'a fresh long passphrase'], ['csrf', csrf]]],
    ['signup/email', [['code', '000000'], ['csrf', csrf]]],
    ['signup/phone', [['phone', '09012345678'], ['csrf', csrf]]],
    ['signup/sms', [['code', '000000'], ['csrf', csrf]]],
    ['step-up/card', [['signature', 'AAAA'], ['challenge_id', 'x'], ['csrf', csrf]]],
    ['step-up/cancel', [['csrf', csrf]]],
  ] as Array<[string, Array<[string, string]>]>);
  log.note(`interaction ${form[0]}`);
  return {
    label: `interaction ${form[0]}`,
    method: 'POST',
    path: `/interaction/${uid}/${form[0]}`,
    query: [],
    headers: { cookie: jar.header() },
    form: form[1],
    shape: 'page',
  };
}

describe(`OpenID endpoints under hostile input (${mode})`, () => {
  let storage: TestStorage;
  let pass: PassProcess;
  let ctx: Context;
  let secrets: Secrets;

  beforeAll(async () => {
    storage = await createStorage(mode);
    // Clients, the resident and initial access tokens are made in-process, at the address the fuzzed process takes.
    const port = await freePort();
    const env = { ...storage.env, PORT: String(port), ISSUER: `http://127.0.0.1:${port}` };
    const setup = await startPass(env);
    await setup.platform.accounts.create({ email: EMAIL, password: PASSWORD, verified: true });
    const rp = await setup.oidc.clients.create({ name: 'fuzz RP', redirectUris: [REDIRECT], grantTypes: ['authorization_code', 'refresh_token', 'client_credentials'] });
    const pub = await setup.oidc.clients.create({ name: 'fuzz app', redirectUris: [REDIRECT], tokenEndpointAuthMethod: 'none' });
    const iats: string[] = [];
    for (let i = 0; i < 3; i += 1) iats.push((await setup.oidc.initialAccessTokens.mint(setup.oidc.host.provider, {})).token);
    await setup.close();

    pass = await startPassProcess(storage.env, port);
    const flow = await authorize({ issuer: pass.issuer, clientId: pub.clientId, redirectUri: REDIRECT, login: EMAIL, password: PASSWORD, scope: 'openid offline_access email' });
    const tokens = await exchangeCode(pass.issuer, pub.clientId, REDIRECT, flow.code, flow.verifier);
    const cc = (await (await fetch(`${pass.issuer}/token`, { method: 'POST', headers: { authorization: basic(rp.clientId, rp.clientSecret!) }, body: new URLSearchParams({ grant_type: 'client_credentials' }) })).json()) as Record<string, string>;
    ctx = {
      issuer: pass.issuer,
      rp: { id: rp.clientId, secret: rp.clientSecret! },
      pub: { id: pub.clientId },
      accessToken: String(tokens.access_token),
      refreshToken: String(tokens.refresh_token),
      idToken: String(tokens.id_token),
      ccToken: cc.access_token!,
      iats,
    };
    const config = configFor(env);
    secrets = {
      values: new Map<string, string>([
        ['client secret', ctx.rp.secret],
        ['resident password', PASSWORD],
        // What the fuzzed forms send as passwords: a log line with a request body would show them.
        ['wrong password sent', 'wrong password 1'],
        ['sign-up password sent', 'a fresh long passphrase'],
        ['access token', ctx.accessToken],
        ['refresh token', ctx.refreshToken],
        ['client credentials token', ctx.ccToken],
        ['authorization code', flow.code],
        ['PKCE verifier', flow.verifier],
        ...iats.map((t, i) => [`initial access token ${i}`, t] as [string, string]),
        ...config.cookieKeys.map((k, i) => [`cookie key ${i}`, k] as [string, string]),
        ...config.encryptionKeys.map((k) => [`encryption key ${k.id}`, k.key.toString('base64')] as [string, string]),
        ['pairwise salt', config.pairwiseSalt],
        ['identity hash key', config.identityHashKey],
      ]),
    };
  }, 90_000);

  afterAll(async () => {
    await pass?.stop();
    await storage?.cleanup();
  });

  async function answers(url: string): Promise<void> {
    const response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
    if (response.status !== 200) fail(`${url} answered ${response.status} right after this case`);
    await response.arrayBuffer();
  }

  /** The next valid request still works: discovery, and a real token from the confidential client. */
  async function stillServing(): Promise<void> {
    if (!pass.alive()) fail(`PASS died: ${pass.exit()}\n${pass.output().slice(-3000)}`);
    const discovery = await fetch(`${pass.issuer}/.well-known/openid-configuration`, { signal: AbortSignal.timeout(10_000) });
    if (discovery.status !== 200) fail(`discovery answered ${discovery.status} after fuzzing`);
    await discovery.arrayBuffer();
    const token = await fetch(`${pass.issuer}/token`, {
      method: 'POST',
      headers: { authorization: basic(ctx.rp.id, ctx.rp.secret) },
      body: new URLSearchParams({ grant_type: 'client_credentials' }),
      signal: AbortSignal.timeout(10_000),
    });
    if (token.status !== 200) fail(`a valid token request answered ${token.status} after fuzzing: ${await token.text()}`);
    await token.arrayBuffer();
  }

  test(`${plan.cases} hostile requests: no 5xx, no hang, no leak; PASS keeps serving`, async () => {
    const statuses: Record<string, number> = {};
    const names = Object.keys(TEMPLATES);
    const result = await fuzz('oidc', plan, async (rng, log, index) => {
      const spec = rng.chance(0.18) ? await interactionSpec(ctx, rng, log) : TEMPLATES[rng.pick(names)]!(ctx, rng);
      log.note(spec.label);
      const mutated = rng.chance(0.75) ? mutateSpec(rng, spec, log) : spec;
      let wire = serialise(pass.issuer, mutated);
      if (rng.chance(0.5)) wire = mutateWire(rng, wire, log);
      const answer = await send(wire, log);
      if (answer) statuses[answer.status] = (statuses[answer.status] ?? 0) + 1;
      withLogs(() => checkAnswer(answer, wire, spec.shape, secrets), answer, pass);
      if (!pass.alive()) fail(`PASS died: ${pass.exit()}\n${pass.output().slice(-3000)}`);
      // The next valid request works: a cheap one after every case, a token every 50.
      if (index % 50 === 49) await stillServing();
      else await answers(`${pass.issuer}/.well-known/openid-configuration`);
    });
    await stillServing();
    console.log(`oidc fuzz: ${result.cases} cases in ${result.ms} ms`, statuses);
    if (plan.only === undefined) {
      // The fuzzer reaches both sides: refusals, and requests that still pass (redirects, 200s).
      expect(Object.keys(statuses).some((s) => s.startsWith('4'))).toBe(true);
      expect(Object.keys(statuses).some((s) => s.startsWith('2') || s.startsWith('3'))).toBe(true);
    }
  }, 150_000);

  test('malformed HTTP framing is refused by the server, which keeps serving', async () => {
    for (const raw of RAW_REQUESTS) {
      const answer = await sendRaw(pass.issuer, raw);
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1] ?? 0);
      // Either a refusal or nothing (the server closed, or waits for a body that never comes).
      if (status) expect(status).toBeLessThan(500);
      expect(answer).not.toMatch(/node_modules|\n\s+at |\.ts:\d+/);
    }
    await stillServing();
  }, 60_000);

  test("PASS's debug logs hold no secret", () => {
    const output = pass.output();
    if (process.env.FUZZ_LOG_FILE) writeFileSync(process.env.FUZZ_LOG_FILE, output);
    expect(output.length).toBeGreaterThan(1000);
    checkLogs(output, secrets);
  });
});

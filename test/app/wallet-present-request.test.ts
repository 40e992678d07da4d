// The wallet's OpenID4VP request check (clients/app/present/request.ts): what the bus sends is
// taken; every way a request can be wrong, or ask for what the wallet cannot answer faithfully,
// is refused with its own problem (each worded in ja and en) before anything is shown or sent.
// A PASS kiosk's request (pass-kiosk:<id>, response_mode=qr) is taken without a response URI or
// state, and the page's own copy of the check (served under /app/lib/) reads a URL's query as koa does.
import { PRESENT_APP_MESSAGES } from '../../clients/app/present/messages.ts';
import { queryOf, readPresentationRequest, type RequestProblem } from '../../clients/app/present/request.ts';
import { presentRequestModule } from '../../clients/app/wallet/wallet-modules.ts';
import { authorizationRequest } from '../../clients/bus/request.ts';

const RESPONSE_URI = 'https://bus.example.jp/demo/bus/response';
const NONCE = 'n0nce-n0nce-n0nce-n0nce-n0nce-n0nce-n0n';
const STATE = 'state-state-state-state-state-state-sta';
const good = (): Record<string, string> => authorizationRequest(RESPONSE_URI, NONCE, STATE);
const dcql = (credentials: unknown[], extra: Record<string, unknown> = {}): string => JSON.stringify({ credentials, ...extra });
const AGE = { id: 'age', format: 'dc+sd-jwt', meta: { vct_values: ['urn:pass:vct:age:1'] }, claims: [{ path: ['age_over_65'] }] };

test("the bus's request: the response URI's origin, the query, and the names it gives itself", () => {
  const read = readPresentationRequest(good(), { allowHttp: false });
  expect(read).toEqual({
    ok: true,
    request: {
      mode: 'direct_post',
      clientId: `redirect_uri:${RESPONSE_URI}`,
      responseUri: RESPONSE_URI,
      origin: 'https://bus.example.jp',
      nonce: NONCE,
      state: STATE,
      queries: [{ id: 'age', vcts: ['urn:pass:vct:age:1'], claims: ['age_over_65'] }],
      names: { ja: '加賀市コミュニティバス', en: 'Kaga City Community Bus', default: '加賀市コミュニティバス' },
    },
  });
});

const cases: Array<[string, (q: Record<string, any>) => void, RequestProblem]> = [
  ['a repeated parameter', (q) => (q.nonce = [NONCE, NONCE]), 'present.bad.parameters'],
  ['a signed request by value', (q) => (q.request = 'eyJ...'), 'present.bad.signed'],
  ['a request by reference', (q) => (q.request_uri = 'https://bus.example.jp/r'), 'present.bad.signed'],
  ['response_type code', (q) => (q.response_type = 'code'), 'present.bad.response_type'],
  ['response_mode fragment', (q) => (q.response_mode = 'fragment'), 'present.bad.response_mode'],
  ['direct_post.jwt (encrypted answers)', (q) => (q.response_mode = 'direct_post.jwt'), 'present.bad.response_mode'],
  ['no response_uri', (q) => delete q.response_uri, 'present.bad.response_uri'],
  ['an http response_uri in production', (q) => ((q.response_uri = 'http://bus.example.jp/r'), (q.client_id = 'redirect_uri:http://bus.example.jp/r')), 'present.bad.response_uri'],
  ['a javascript: response_uri', (q) => ((q.response_uri = 'javascript:alert(1)'), (q.client_id = 'redirect_uri:javascript:alert(1)')), 'present.bad.response_uri'],
  ['credentials in the response_uri', (q) => ((q.response_uri = 'https://a:b@bus.example.jp/r'), (q.client_id = 'redirect_uri:https://a:b@bus.example.jp/r')), 'present.bad.response_uri'],
  ['a client_id of another prefix', (q) => (q.client_id = 'x509_san_dns:bus.example.jp'), 'present.bad.client_id'],
  ['a client_id naming another response URI', (q) => (q.client_id = 'redirect_uri:https://evil.example.jp/r'), 'present.bad.client_id'],
  ['no nonce', (q) => delete q.nonce, 'present.bad.nonce_state'],
  ['a short state', (q) => (q.state = 'abc'), 'present.bad.nonce_state'],
  ['a nonce with spaces', (q) => (q.nonce = 'a nonce with spaces in it'), 'present.bad.nonce_state'],
  ['no dcql_query', (q) => delete q.dcql_query, 'present.bad.dcql'],
  ['dcql_query not JSON', (q) => (q.dcql_query = '{'), 'present.bad.dcql'],
  ['dcql_query too long', (q) => (q.dcql_query = dcql([{ ...AGE, pad: 'x'.repeat(5000) }])), 'present.bad.dcql'],
  ['no credentials', (q) => (q.dcql_query = dcql([])), 'present.bad.dcql'],
  ['a query without meta', (q) => (q.dcql_query = dcql([{ ...AGE, meta: undefined }])), 'present.bad.dcql'],
  ['two queries with one id', (q) => (q.dcql_query = dcql([AGE, AGE])), 'present.bad.dcql'],
  ['an empty claim path', (q) => (q.dcql_query = dcql([{ ...AGE, claims: [{ path: [] }] }])), 'present.bad.dcql'],
  ['another format', (q) => (q.dcql_query = dcql([{ ...AGE, format: 'mso_mdoc' }])), 'present.bad.dcql_unsupported'],
  ['credential_sets', (q) => (q.dcql_query = dcql([AGE], { credential_sets: [{ options: [['age']] }] })), 'present.bad.dcql_unsupported'],
  ['claim_sets', (q) => (q.dcql_query = dcql([{ ...AGE, claim_sets: [['a']] }])), 'present.bad.dcql_unsupported'],
  ['several presentations', (q) => (q.dcql_query = dcql([{ ...AGE, multiple: true }])), 'present.bad.dcql_unsupported'],
  ['no holder binding', (q) => (q.dcql_query = dcql([{ ...AGE, require_cryptographic_holder_binding: false }])), 'present.bad.dcql_unsupported'],
  ['the whole credential (no claims named)', (q) => (q.dcql_query = dcql([{ ...AGE, claims: undefined }])), 'present.bad.dcql_unsupported'],
  ['a nested claim path', (q) => (q.dcql_query = dcql([{ ...AGE, claims: [{ path: ['address', 'formatted'] }] }])), 'present.bad.dcql_unsupported'],
  ['a value match', (q) => (q.dcql_query = dcql([{ ...AGE, claims: [{ path: ['age_over_65'], values: [true] }] }])), 'present.bad.dcql_unsupported'],
  ['a scope instead of a query', (q) => (q.scope = 'openid'), 'present.bad.dcql_unsupported'],
  ['client_metadata not JSON', (q) => (q.client_metadata = 'x'), 'present.bad.client_metadata'],
  ['a verifier that takes no SD-JWT VC', (q) => (q.client_metadata = JSON.stringify({ vp_formats_supported: { mso_mdoc: {} } })), 'present.bad.client_metadata'],
  ['a verifier that takes no ES256 key binding', (q) => (q.client_metadata = JSON.stringify({ vp_formats_supported: { 'dc+sd-jwt': { 'kb-jwt_alg_values': ['EdDSA'] } } })), 'present.bad.client_metadata'],
];

test.each(cases)('refused: %s', (_name, spoil, problem) => {
  const query: Record<string, any> = good();
  spoil(query);
  expect(readPresentationRequest(query, { allowHttp: false })).toEqual({ ok: false, problem });
  expect(PRESENT_APP_MESSAGES[problem]).toEqual({ ja: expect.any(String), en: expect.any(String) });
});

test('http response URIs only for a development PASS; client names cleaned of control and direction characters', () => {
  const query = authorizationRequest('http://127.0.0.1:3000/demo/bus/response', NONCE, STATE);
  expect(readPresentationRequest(query, { allowHttp: true }).ok).toBe(true);
  expect(readPresentationRequest(query, { allowHttp: false })).toEqual({ ok: false, problem: 'present.bad.response_uri' });
  const named = { ...good(), client_metadata: JSON.stringify({ client_name: '\u202eスバ市賀加\u202c\u0007' + 'x'.repeat(200) }) };
  const read = readPresentationRequest(named, { allowHttp: false });
  expect(read.ok && read.request.names.default).toBe(`スバ市賀加${'x'.repeat(75)}`);
  // No metadata at all: no name, and the page says so.
  const bare: Record<string, string> = good();
  delete bare.client_metadata;
  expect(readPresentationRequest(bare, { allowHttp: false })).toMatchObject({ ok: true, request: { names: {} } });
});

/** What the kiosk's 「ウォレット」 screen puts in its request QR (clients/kiosk/static/wallet-screen.js). */
const RESIDENCY = { id: 'residency', format: 'dc+sd-jwt', meta: { vct_values: ['urn:pass:vct:residency:1'] }, claims: [{ path: ['resident_of'] }] };
const kioskRequest = (): Record<string, string> => ({
  client_id: 'pass-kiosk:0b5d7c1e-2f4a-4c3b-9a8e-1d2c3b4a5f60',
  response_type: 'vp_token',
  response_mode: 'qr',
  nonce: 'k1osk-n0nce-0123456789ab',
  dcql_query: JSON.stringify({ credentials: [RESIDENCY] }),
  client_metadata: JSON.stringify({ client_name: 'にこにこパーク' }),
});

test("a kiosk's request: answered by QR, no response URI or state, the facility's name as it gives it", () => {
  expect(readPresentationRequest(kioskRequest(), { allowHttp: false })).toEqual({
    ok: true,
    request: {
      mode: 'qr',
      clientId: 'pass-kiosk:0b5d7c1e-2f4a-4c3b-9a8e-1d2c3b4a5f60',
      nonce: 'k1osk-n0nce-0123456789ab',
      queries: [{ id: 'residency', vcts: ['urn:pass:vct:residency:1'], claims: ['resident_of'] }],
      names: { default: 'にこにこパーク' },
    },
  });
  const bare: Record<string, string> = kioskRequest();
  delete bare.client_metadata;
  expect(readPresentationRequest(bare, { allowHttp: false })).toMatchObject({ ok: true, request: { mode: 'qr', names: {} } });
  // A state, when a kiosk sends one, goes back with the answer; it must be well formed like any.
  expect(readPresentationRequest({ ...kioskRequest(), state: STATE }, { allowHttp: false })).toMatchObject({ ok: true, request: { state: STATE } });
});

const kioskCases: Array<[string, (q: Record<string, any>) => void, RequestProblem]> = [
  ['a QR answer for a redirect_uri: verifier', (q) => (q.client_id = `redirect_uri:${RESPONSE_URI}`), 'present.bad.kiosk'],
  ['a kiosk id with a slash', (q) => (q.client_id = 'pass-kiosk:../../x'), 'present.bad.kiosk'],
  ['an empty kiosk id', (q) => (q.client_id = 'pass-kiosk:'), 'present.bad.kiosk'],
  ['no client_id', (q) => delete q.client_id, 'present.bad.kiosk'],
  ['a response_uri riding along', (q) => (q.response_uri = RESPONSE_URI), 'present.bad.kiosk'],
  ['a redirect_uri riding along', (q) => (q.redirect_uri = 'https://evil.example.jp/'), 'present.bad.kiosk'],
  ['a kiosk asking for direct_post', (q) => (q.response_mode = 'direct_post'), 'present.bad.response_uri'],
  ['a kiosk client id on a direct_post request', (q) => Object.assign(q, { response_mode: 'direct_post', response_uri: RESPONSE_URI, state: STATE }), 'present.bad.client_id'],
  ['no nonce', (q) => delete q.nonce, 'present.bad.nonce_state'],
  ['a short nonce', (q) => (q.nonce = 'short'), 'present.bad.nonce_state'],
  ['a malformed state', (q) => (q.state = 'a b'), 'present.bad.nonce_state'],
  ['a repeated nonce', (q) => (q.nonce = [q.nonce, q.nonce]), 'present.bad.parameters'],
  ['the whole credential', (q) => (q.dcql_query = JSON.stringify({ credentials: [{ ...RESIDENCY, claims: undefined }] })), 'present.bad.dcql_unsupported'],
  ['metadata refusing SD-JWT', (q) => (q.client_metadata = JSON.stringify({ client_name: 'x', vp_formats_supported: { mso_mdoc: {} } })), 'present.bad.client_metadata'],
];

test.each(kioskCases)('a kiosk request refused: %s', (_name, spoil, problem) => {
  const query: Record<string, any> = kioskRequest();
  spoil(query);
  expect(readPresentationRequest(query, { allowHttp: true })).toEqual({ ok: false, problem });
  expect(PRESENT_APP_MESSAGES[problem]).toEqual({ ja: expect.any(String), en: expect.any(String) });
});

test("the page's copy: a URL's query read as the server reads it, and the module a browser runs as it is", async () => {
  const url = new URL(`https://pass.example.jp/app/wallet/present?${new URLSearchParams(kioskRequest())}&nonce=again`);
  const query = queryOf(url.search);
  expect(query.nonce).toEqual(['k1osk-n0nce-0123456789ab', 'again']);
  expect(readPresentationRequest(query, { allowHttp: false })).toEqual({ ok: false, problem: 'present.bad.parameters' });
  expect(readPresentationRequest(queryOf(`?${new URLSearchParams(kioskRequest())}`), { allowHttp: false })).toEqual(readPresentationRequest(kioskRequest(), { allowHttp: false }));

  // The served module, loaded as a browser would (no types, no imports), decides exactly as the server's.
  const { body } = presentRequestModule();
  const served = (await import(`data:text/javascript;base64,${Buffer.from(body).toString('base64')}`)) as { readPresentationRequest: typeof readPresentationRequest; queryOf: typeof queryOf };
  for (const [, spoil] of kioskCases) {
    const spoilt: Record<string, any> = kioskRequest();
    spoil(spoilt);
    expect(served.readPresentationRequest(spoilt, { allowHttp: true })).toEqual(readPresentationRequest(spoilt, { allowHttp: true }));
  }
  expect(served.readPresentationRequest(served.queryOf(url.search), { allowHttp: false })).toEqual({ ok: false, problem: 'present.bad.parameters' });
  expect(served.readPresentationRequest(good(), { allowHttp: false })).toEqual(readPresentationRequest(good(), { allowHttp: false }));
});

// The reliability load rejects any answer that gives PASS's internals away. Random tokens must
// never look like internals (a clean soak once failed on "knex" inside an access token), and real
// leaks must still be caught.
import { randomBytes } from 'node:crypto';
import { internalsIn } from './internals.ts';
import { uncleanReason } from './load.ts';

const token = (bytes = 32) => randomBytes(bytes).toString('base64url');
const jwt = () => `${token(24)}.${token(120)}.${token(256)}`;

/** The answers the load gets that carry random values: tokens, introspection, a sign-in page, a QR code. */
function randomAnswers(): Array<{ status: number; text: string }> {
  return [
    { status: 200, text: JSON.stringify({ access_token: token(), expires_in: 3600, id_token: jwt(), refresh_token: token(), scope: 'openid offline_access', token_type: 'Bearer' }) },
    { status: 200, text: JSON.stringify({ active: true, client_id: token(12), jti: token(), exp: 1_800_000_000, iat: 1_700_000_000, iss: 'https://pass.example.jp', scope: 'pass:api', token_type: 'Bearer' }) },
    { status: 200, text: `<form method="post" action="/interaction/${token(16)}/login"><input type="hidden" name="csrf" value="${token()}"></form>` },
    { status: 201, text: JSON.stringify({ token: jwt(), id: token(16), result: 'checked_in' }) },
  ];
}

test('100,000 random tokens are never taken for internals', () => {
  const flagged: string[] = [];
  for (let i = 0; i < 25_000; i += 1) {
    for (const answer of randomAnswers()) {
      if (internalsIn(answer.status, answer.text) !== undefined) flagged.push(answer.text);
    }
  }
  expect(flagged).toEqual([]);
});

test('a token that happens to spell an internal word is still a token', () => {
  const spelled = ['knex', 'EPIPE', 'ioredis', 'TypeError', 'pg-pool', 'node_modules', 'ECONNRESET'].map((word) => `${token(9)}-${word}-${token(9)}`);
  for (const value of spelled) {
    const answer = { status: 200, headers: new Headers({ 'content-type': 'application/json' }), text: JSON.stringify({ access_token: value, token_type: 'Bearer', expires_in: 3600 }) };
    expect(uncleanReason(answer, false)).toBeUndefined();
    expect(internalsIn(200, `<input name="csrf" value="${value}">`)).toBeUndefined();
  }
});

test('real leaks are caught: stack traces, source paths, driver errors, in error bodies and message fields', () => {
  const leaks: Array<[number, string, string]> = [
    [500, JSON.stringify({ error: 'server_error', error_description: 'TypeError: x is undefined\n    at f (/app/src/oidc/x.ts:12:5)' }), 'TypeError'],
    [500, JSON.stringify({ error: 'server_error', error_description: 'knex: Timeout acquiring a connection. The pool is probably full.' }), 'knex'],
    [503, JSON.stringify({ error: 'unavailable', code: 'ECONNREFUSED' }), 'ECONNREFUSED'],
    [500, '<pre>Error: write EPIPE\n    at afterWriteDispatched (node:internal/stream_base_commons:161:15)</pre>', 'EPIPE'],
    [500, 'Error: Cannot find module /app/node_modules/pg-pool/index.js', 'node_modules'],
    [400, JSON.stringify({ error: 'invalid_request', message: { ja: '…', en: 'failed at /app/src/identity/account-change-listener.ts:66' } }), '/src/'],
    [200, JSON.stringify({ id: token(16), result: 'checked_in', detail: 'Connection terminated unexpectedly' }), 'Connection terminated'],
  ];
  for (const [status, text, shown] of leaks) {
    expect(internalsIn(status, text)).toBe(shown);
    const answer = { status, headers: new Headers({ 'content-type': 'application/json', 'retry-after': '5' }), text };
    expect(uncleanReason(answer, false)).toBe(`internals in a ${status} body (${shown})`);
  }
});

// Hostile HTTP for the endpoint fuzzers: a request is described as data (method, path, query,
// headers, a form or JSON body), mutated structurally (parameters dropped, repeated, replaced by
// hostile values, wrong JSON types, deep nesting), serialised, then mutated on the wire (content
// types, encodings, charsets, byte flips, oversized bodies and headers). Every answer is checked:
// no 5xx, no hang, the endpoint's documented error shape, no stack trace, path or secret.
import { connect } from 'node:net';
import { gzipSync } from 'node:zlib';
import type { CaseLog, Rng } from './fuzz-kit.ts';
import { fail, within } from './fuzz-kit.ts';
import { mutate } from './mutate-bytes.ts';

export type Param = [name: string, value: string];

/** The error shape an endpoint documents for its refusals. */
export type Shape = 'oauth' | 'kiosk' | 'page';

export interface RequestSpec {
  label: string;
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  query: Param[];
  headers: Record<string, string>;
  form?: Param[];
  json?: unknown;
  shape: Shape;
}

export interface Wire {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: Uint8Array;
  /** The mutation makes the request malformed for sure: the answer must be a refusal. */
  malformed: boolean;
}

export interface Answer {
  status: number;
  headers: Headers;
  text: string;
  ms: number;
}

// ---------------------------------------------------------------- hostile values

const DEEP = (n: number) => `${'{"a":'.repeat(n)}1${'}'.repeat(n)}`;

/** Values that have broken parsers, validators, templates and logs before. */
export function hostileValue(rng: Rng, near?: string): string {
  const pick = rng.int(30);
  switch (pick) {
    case 0: return '';
    case 1: return ' ';
    case 2: return 'a'.repeat(rng.pick([300, 5000, 70_000]));
    case 3: return '𠮷'.repeat(rng.pick([10, 2000]));
    case 4: return 'ｶﾞ\u202e\u200b\ufeff加賀　太郎';
    case 5: return '\u0000';
    case 6: return 'line\r\nSet-Cookie: x=1';
    case 7: return '../../../../etc/passwd';
    case 8: return rng.pick(['null', 'undefined', 'NaN', 'Infinity', 'true', '[]', '{}', '__proto__', 'constructor']);
    case 9: return rng.pick(['-1', '0', '1e309', '9'.repeat(400), '0x10', '1.5', '-0']);
    case 10: return DEEP(rng.pick([50, 3000]));
    case 11: return '{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}}';
    case 12: return 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4IiwiaWF0Ijo5OTk5OTk5OTk5fQ.';
    case 13: return `eyJ${'A'.repeat(rng.pick([10, 3000]))}.eyJ.${'B'.repeat(40)}`;
    case 14: return '<script>alert(1)</script>"\'><img src=x onerror=alert(1)>';
    case 15: return "' OR 1=1 --; select pg_sleep(10);";
    case 16: return '\ud800\udfff\ud800';
    case 17: return rng.pick(['http://169.254.169.254/latest/meta-data/', 'javascript:alert(1)', 'file:///etc/passwd', 'data:text/html,x', 'http://127.0.0.1:1/', 'https://evil.example/cb', '//evil.example', 'http://[::1]:0/']);
    case 18: return '%00%ff%fe%';
    case 19: return Array.from({ length: rng.pick([2, 200]) }, () => 'x').join(' ');
    case 20: return '\\u0000\\ud800';
    case 21: return 'ＡＢＣ１２３＠ｅｘａｍｐｌｅ．ｊｐ'; // full-width: NFKC folds it to ASCII
    case 22: return '${jndi:ldap://x}{{7*7}}<%= 7*7 %>';
    case 23: return String.fromCharCode(...Array.from({ length: 64 }, () => rng.int(0x2000)));
    default:
      if (near) {
        // A near miss of a real value: one character changed, cut short or doubled.
        const op = rng.int(3);
        if (op === 0 && near.length) {
          const at = rng.int(near.length);
          return near.slice(0, at) + String.fromCharCode((near.charCodeAt(at) + 1) % 0x7f || 0x41) + near.slice(at + 1);
        }
        if (op === 1) return near.slice(0, rng.int(near.length + 1));
        return near + near;
      }
      return Buffer.from(rng.bytes(16)).toString('latin1');
  }
}

/** JSON values of the wrong type or shape for a field. */
export function hostileJson(rng: Rng, near?: unknown): unknown {
  switch (rng.int(12)) {
    case 0: return null;
    case 1: return rng.pick([0, -1, 1e308, -0, 2 ** 53 + 1, 1.5]);
    case 2: return rng.pick([true, false]);
    case 3: return [];
    case 4: return Array.from({ length: rng.pick([3, 5000]) }, () => (typeof near === 'string' ? near : 'x'));
    case 5: return {};
    case 6: return JSON.parse(DEEP(rng.pick([20, 2000]))) as unknown;
    case 7: return { __proto__: { polluted: true }, toString: 'x', constructor: { prototype: { polluted: true } } };
    case 8: return [[[[[[[[[[near ?? 1]]]]]]]]]];
    default: return hostileValue(rng, typeof near === 'string' ? near : undefined);
  }
}

// ---------------------------------------------------------------- structural mutations

function mutateParams(rng: Rng, params: Param[], log: CaseLog, where: string, formSyntax: boolean): Param[] {
  const out = params.map(([k, v]) => [k, v] as Param);
  const rounds = rng.range(1, 3);
  for (let r = 0; r < rounds; r += 1) {
    const op = rng.int(formSyntax ? 7 : 6);
    const i = out.length ? rng.int(out.length) : -1;
    const name = i >= 0 ? out[i]![0] : 'x';
    if (op === 0 && i >= 0) {
      out.splice(i, 1);
      log.note(`${where}: drop ${name}`);
    } else if (op === 1 && i >= 0) {
      out.push([name, rng.chance(0.5) ? out[i]![1] : hostileValue(rng, out[i]![1])]);
      log.note(`${where}: repeat ${name}`);
    } else if (op === 2) {
      out.push([rng.pick(['foo', 'request', 'request_uri', 'claims', 'resource', 'scope', 'prompt', 'max_age', 'acr_values', 'id_token_hint', 'login_hint', 'ui_locales', 'response_mode', 'dpop_jkt', 'authorization_details', '__proto__', 'constructor']), hostileValue(rng)]);
      log.note(`${where}: add ${out.at(-1)![0]}`);
    } else if (op === 3 && i >= 0) {
      out[i] = [name.toUpperCase(), out[i]![1]];
      log.note(`${where}: rename ${name}`);
    } else if (op === 6 && i >= 0) {
      // Bracket syntax: a form parser (qs) turns these into arrays and objects.
      out[i] = [rng.pick([`${name}[]`, `${name}[a]`, `${name}[__proto__][x]`, `${name}[0][1][2][3][4][5]`]), out[i]![1]];
      log.note(`${where}: bracket ${out[i]![0]}`);
    } else if (i >= 0) {
      out[i] = [name, hostileValue(rng, out[i]![1])];
      log.note(`${where}: value ${name}=${JSON.stringify(out[i]![1].slice(0, 40))}${out[i]![1].length > 40 ? `…(${out[i]![1].length})` : ''}`);
    }
  }
  return out;
}

function mutateJson(rng: Rng, value: unknown, log: CaseLog, depth = 0): unknown {
  if (value === null || typeof value !== 'object' || depth > 3) {
    log.note(`json: replace ${JSON.stringify(value)?.slice(0, 30)}`);
    return hostileJson(rng, value);
  }
  if (Array.isArray(value)) {
    if (!value.length || rng.chance(0.3)) return hostileJson(rng, value[0]);
    const copy = value.slice();
    const i = rng.int(copy.length);
    copy[i] = mutateJson(rng, copy[i], log, depth + 1);
    return copy;
  }
  const copy: Record<string, unknown> = { ...(value as Record<string, unknown>) };
  const keys = Object.keys(copy);
  const op = rng.int(5);
  if (op === 0 && keys.length) {
    const k = rng.pick(keys);
    delete copy[k];
    log.note(`json: drop ${k}`);
  } else if (op === 1) {
    const k = rng.pick(['__proto__', 'constructor', 'extra', 'x'.repeat(300), '', '𠮷']);
    copy[k] = hostileJson(rng);
    log.note(`json: add ${k.slice(0, 20)}`);
  } else if (keys.length) {
    const k = rng.pick(keys);
    copy[k] = rng.chance(0.6) ? hostileJson(rng, copy[k]) : mutateJson(rng, copy[k], log, depth + 1);
    log.note(`json: ${k}`);
  }
  return copy;
}

/** Mutates the request as data: what a confused or malicious client would send. */
export function mutateSpec(rng: Rng, spec: RequestSpec, log: CaseLog): RequestSpec {
  const out: RequestSpec = { ...spec, query: spec.query, headers: { ...spec.headers } };
  const targets: string[] = ['query'];
  if (spec.form) targets.push('form', 'form');
  if (spec.json !== undefined) targets.push('json', 'json');
  const target = rng.pick(targets);
  if (target === 'query') out.query = mutateParams(rng, spec.query, log, 'query', false);
  else if (target === 'form') out.form = mutateParams(rng, spec.form!, log, 'form', true);
  else out.json = mutateJson(rng, spec.json, log);
  return out;
}

// ---------------------------------------------------------------- serialising and wire mutations

function encodeParams(params: Param[]): string {
  return params.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
}

/**
 * encodeURIComponent refuses lone surrogates; those and other odd values go out as WTF-8-ish bytes,
 * which is what a broken client sends.
 */
function safeEncode(params: Param[]): string {
  try {
    return encodeParams(params);
  } catch {
    return params.map(([k, v]) => `${escape(k)}=${escape(v)}`).join('&');
  }
}

/** A value as one path segment, however odd (lone surrogates go out as %uXXXX, as a broken client would). */
export function pathSegment(value: string): string {
  try {
    return encodeURIComponent(value);
  } catch {
    return escape(value);
  }
}

export function serialise(base: string, spec: RequestSpec): Wire {
  const query = safeEncode(spec.query);
  const headers = { ...spec.headers };
  let body: Uint8Array | undefined;
  if (spec.form) {
    body = Buffer.from(safeEncode(spec.form));
    headers['content-type'] ??= 'application/x-www-form-urlencoded';
  } else if (spec.json !== undefined) {
    body = Buffer.from(JSON.stringify(spec.json) ?? 'null');
    headers['content-type'] ??= 'application/json';
  }
  return { method: spec.method, url: `${base}${spec.path}${query ? `?${query}` : ''}`, headers, ...(body ? { body } : {}), malformed: false };
}

const CONTENT_TYPES = [
  'application/json',
  'text/plain',
  'application/xml',
  'multipart/form-data; boundary=x',
  'multipart/form-data',
  'application/x-www-form-urlencoded; charset=utf-16',
  'application/x-www-form-urlencoded; charset=bogus-8',
  'application/json; charset=latin1',
  '*/*',
  'image/jpeg',
  'application/x-www-form-urlencoded, application/json',
];

/** The same gzip bomb for every case: 32 MB of zeros in about 32 KB. */
let bomb: Uint8Array | undefined;
const gzipBomb = () => (bomb ??= gzipSync(Buffer.alloc(32 * 1024 * 1024), { level: 9 }));

/** Mutates the serialised request: what breaks below the parameters. */
export function mutateWire(rng: Rng, wire: Wire, log: CaseLog): Wire {
  const out: Wire = { ...wire, headers: { ...wire.headers } };
  const hasBody = wire.method !== 'GET' && wire.method !== 'HEAD';
  const op = rng.int(hasBody ? 11 : 5);
  switch (op) {
    case 0: {
      // Broken percent-encoding, empty names, a flood of parameters.
      const extra = rng.pick(['&%=%', '&a=%E0%A4%A', '&%ZZ=1', '&=', '&&&', `&${'p=1&'.repeat(3000)}`, '&a[b][c][d][e][f][g][h]=1', '&client_id=%00']);
      out.url += (out.url.includes('?') ? '' : '?') + extra;
      log.note(`wire: query ${extra.slice(0, 30)}`);
      break;
    }
    case 1: {
      // Over the HTTP server's header limit: Node answers 431 itself.
      out.url += (out.url.includes('?') ? '&' : '?') + `pad=${'a'.repeat(rng.pick([9000, 20_000, 70_000]))}`;
      log.note('wire: huge url');
      break;
    }
    case 2: {
      const name = rng.pick(['authorization', 'cookie', 'accept-language', 'x-request-id', 'dpop', 'origin', 'accept', 'x-forwarded-for', 'x-forwarded-proto', 'if-none-match', 'range']);
      const value = rng.pick([
        'Basic !!!',
        `Basic ${Buffer.from('no-colon').toString('base64')}`,
        `Basic ${Buffer.from(':').toString('base64')}`,
        `Basic ${Buffer.from(`a:${'x'.repeat(6000)}`).toString('base64')}`,
        `Bearer ${'x'.repeat(rng.pick([10, 7000]))}`,
        'Bearer a b c',
        'DPoP',
        'pass_session=%%%; pass_interaction=..; pass_interaction.sig=AAAA; pass_lang=xx',
        `pass_session=${'z'.repeat(3000)}`,
        'ja;q=abc, *;q=-1, en-US;q=1e9',
        '../../etc/passwd',
        'null',
        'eyJhbGciOiJub25lIiwidHlwIjoiZHBvcCtqd3QifQ.eyJodG0iOiJQT1NUIn0.',
        'bytes=0-999999999999',
        'ÿþ',
      ]);
      out.headers[name] = value;
      log.note(`wire: header ${name}: ${value.slice(0, 30)}`);
      break;
    }
    case 3: {
      out.headers.accept = rng.pick(['application/json', 'text/html', '*/*', 'image/png', '']);
      out.headers['accept-language'] = rng.pick(['en', 'ja', 'fr', '*']);
      log.note('wire: accept');
      break;
    }
    case 4: {
      for (let i = 0; i < rng.pick([40, 120]); i += 1) out.headers[`x-fuzz-${i}`] = 'v'.repeat(200);
      log.note('wire: many headers');
      break;
    }
    case 5: {
      out.headers['content-type'] = rng.pick(CONTENT_TYPES);
      // Malformed when the declared type no longer names the body's type at all.
      out.malformed = wire.body !== undefined && !out.headers['content-type'].includes(wire.headers['content-type']?.split(';')[0] ?? '-');
      log.note(`wire: content-type ${out.headers['content-type']}`);
      break;
    }
    case 6: {
      const kind = rng.int(4);
      if (kind === 0) {
        out.headers['content-encoding'] = 'gzip';
        out.body = gzipBomb();
        log.note('wire: gzip bomb');
      } else {
        out.headers['content-encoding'] = rng.pick(['gzip', 'deflate', 'br', 'x-zip', 'gzip, gzip', 'identity']);
        log.note(`wire: content-encoding ${out.headers['content-encoding']} (not encoded)`);
      }
      out.malformed = out.headers['content-encoding'] !== 'identity';
      break;
    }
    case 7: {
      out.body = new Uint8Array(Buffer.alloc(rng.pick([70 * 1024, 1024 * 1024, 4 * 1024 * 1024]), rng.pick(['a', '{', '['])));
      out.malformed = true;
      log.note(`wire: huge body ${out.body.length}`);
      break;
    }
    case 8: {
      // Bytes that are not UTF-8, and a BOM.
      const prefix = rng.pick([[0xff, 0xfe], [0xef, 0xbb, 0xbf], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80]]);
      out.body = Uint8Array.from([...prefix, ...(wire.body ?? []), ...prefix]);
      log.note(`wire: non-utf8 ${Buffer.from(prefix).toString('hex')}`);
      break;
    }
    case 9: {
      if (wire.headers['content-type']?.includes('json') || wire.body === undefined) {
        out.body = Buffer.from(rng.pick(['{', '[', '{"a":', '{"a":1,}', "{'a':1}", 'nul', '"\\ud800"', '1e99999', `${'['.repeat(20_000)}${']'.repeat(20_000)}`, '{"a":1}{"b":2}']));
        out.headers['content-type'] = 'application/json';
        out.malformed = true;
        log.note(`wire: bad json ${Buffer.from(out.body).toString().slice(0, 20)}`);
        break;
      }
    }
    // falls through: form bodies get byte mutations
    default: {
      out.body = mutate(rng, wire.body ?? new Uint8Array(), log);
      log.note('wire: body bytes');
    }
  }
  return out;
}

// ---------------------------------------------------------------- sending and checking

/** A request that must end within this, or PASS is hung (30 s is PASS's own requestTimeout). */
export const REQUEST_LIMIT_MS = 20_000;

export async function send(wire: Wire, log: CaseLog): Promise<Answer | undefined> {
  const started = performance.now();
  let response: Response;
  try {
    response = await within(
      REQUEST_LIMIT_MS,
      `${wire.method} ${wire.url.slice(0, 80)}`,
      fetch(wire.url, {
        method: wire.method,
        headers: wire.headers,
        ...(wire.body && wire.method !== 'GET' && wire.method !== 'HEAD' ? { body: wire.body } : {}),
        redirect: 'manual',
        signal: AbortSignal.timeout(REQUEST_LIMIT_MS),
      }),
    );
  } catch (error) {
    // fetch's errors come from Node's realm, not jest's: recognised by name, not instanceof.
    const failure = error as { name?: string; message?: string; cause?: { code?: string } };
    if (failure.name === 'TimeoutError') fail(`${wire.method} ${wire.url.slice(0, 80)}: no answer within ${REQUEST_LIMIT_MS} ms (hang)`);
    // The client itself refused to send it (an invalid header value): nothing reached PASS.
    if ((failure.name === 'TypeError' && !/fetch failed/.test(failure.message ?? '')) || failure.cause?.code === 'UND_ERR_INVALID_ARG') {
      log.note(`client refused: ${failure.message}`);
      return undefined;
    }
    const cause = failure.cause?.code;
    // PASS may cut a connection that sent an oversized body (413 + Connection: close) before fetch finished writing it.
    if (cause === 'EPIPE' || cause === 'ECONNRESET' || cause === 'UND_ERR_SOCKET') {
      log.note(`connection closed by PASS (${cause})`);
      return undefined;
    }
    throw error;
  }
  const text = await within(REQUEST_LIMIT_MS, 'response body', response.text());
  return { status: response.status, headers: response.headers, text, ms: Math.round(performance.now() - started) };
}

/** Stack frames, source paths, internal module names: what must never reach a client. */
const LEAKS: Array<[string, RegExp]> = [
  ['stack frame', /\bat (async )?[\w$.<>[\] ]+ \((file:\/\/|\/|node:)[^)]*:\d+:\d+\)/],
  ['stack frame', /\n\s+at [^\n]+:\d+:\d+/],
  ['source path', /\/[\w.-]+(\/[\w.@-]+)*\.(ts|js|mjs|cjs)(:\d+)?/],
  ['node_modules', /node_modules/],
  ['repository path', /\/work\/|\/home\/|\/root\//],
  ['error class', /\b(TypeError|RangeError|ReferenceError|SyntaxError|AggregateError)\b/],
  ['database error', /\b(knex|pg-protocol|PGlite|relation "|violates|syntax error at or near|invalid input syntax)\b/i],
  ['private key', /-----BEGIN [A-Z ]*PRIVATE KEY-----|"d"\s*:\s*"[A-Za-z0-9_-]{20,}"/],
];

export interface Secrets {
  /** label → value; a value shorter than 8 characters is too common to scan for. */
  values: Map<string, string>;
}

export function findSecret(text: string, secrets: Secrets): string | undefined {
  for (const [label, value] of secrets.values) {
    if (value.length >= 8 && text.includes(value)) return label;
  }
  return undefined;
}

/**
 * A refusal: a 4xx; for the authorization endpoint, a redirect that carries `error`; for a page's
 * form, a redirect back to one of PASS's own pages (a form posted without its session starts over).
 */
export function isRefusal(answer: Answer, shape: Shape): boolean {
  if (answer.status >= 400 && answer.status < 500) return true;
  const location = answer.headers.get('location');
  if (answer.status < 300 || answer.status >= 400 || location === null) return false;
  return /[?&#]error=/.test(location) || (shape === 'page' && location.startsWith('/') && !location.startsWith('//'));
}

/** The assertions of every case; fails the case with what was wrong. */
export function checkAnswer(answer: Answer | undefined, wire: Wire, shape: Shape, secrets: Secrets): void {
  if (!answer) return;
  const { status, text } = answer;
  if (status >= 500) fail(`answered ${status}: ${text.slice(0, 500)}`);
  // PASS's own public scripts and styles, linked by its pages, are URLs, not source paths.
  const scanned = text.replace(/(src|href)="\/(app\/|manager\/|kiosk\/)?static\/[a-z0-9-]+\.(js|css|svg)"/g, '$1=""');
  for (const [what, pattern] of LEAKS) {
    const match = pattern.exec(scanned);
    if (match) fail(`${status} body leaks a ${what} (${JSON.stringify(match[0].slice(0, 80))}): ${text.slice(0, 300)}`);
  }
  const headerText = [...answer.headers].map(([k, v]) => `${k}: ${v}`).join('\n');
  const secret = findSecret(text, secrets) ?? findSecret(headerText, secrets);
  if (secret) fail(`${status} answer carries the secret "${secret}"`);
  if (wire.malformed && !isRefusal(answer, shape)) fail(`a malformed request was not refused: ${status} ${text.slice(0, 200)}`);
  if (status < 400) return;
  const type = answer.headers.get('content-type') ?? '';
  // Refusals by Node's HTTP parser itself (oversized headers or URL, broken framing): no body.
  if ([400, 413, 414, 431].includes(status) && text === '') return;
  if (shape === 'page') {
    if (type.startsWith('text/html') && text.includes('</html>')) return;
    if (type.startsWith('application/json') && typeof (JSON.parse(text) as { error?: unknown }).error === 'string') return;
    // koa's answer for a method or path no route serves (e.g. POST /auth): plain and short.
    if ((status === 404 || status === 405) && text.length < 40) return;
    fail(`${status} page refusal of unexpected shape (${type}): ${text.slice(0, 200)}`);
  }
  if (!type.startsWith('application/json')) {
    if ((status === 404 || status === 405) && text.length < 40) return;
    // oidc-provider answers a client that asked for HTML (Accept: text/html) with its error page.
    if (shape === 'oauth' && /text\/html/.test(wire.headers.accept ?? '') && type.startsWith('text/html') && text.includes('</html>')) return;
    fail(`${status} refusal is not JSON (${type}): ${text.slice(0, 200)}`);
  }
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    fail(`${status} refusal is not valid JSON: ${text.slice(0, 200)}`);
  }
  if (typeof body.error !== 'string') fail(`${status} refusal without an error code: ${text.slice(0, 200)}`);
  if (shape === 'kiosk') {
    if (typeof body.reason !== 'string' || typeof body.error_description !== 'string') fail(`${status} kiosk refusal without reason/error_description: ${text.slice(0, 300)}`);
    const message = body.message as { ja?: unknown; en?: unknown } | undefined;
    if (!message || typeof message.ja !== 'string' || typeof message.en !== 'string') fail(`${status} kiosk refusal "${String(body.reason)}" without message {ja, en}: ${text.slice(0, 300)}`);
  }
}

/** Scans PASS's log output: every secret the test knows of, and private key material. */
export function checkLogs(output: string, secrets: Secrets): void {
  const secret = findSecret(output, secrets);
  if (secret) {
    const value = secrets.values.get(secret)!;
    const at = output.indexOf(value);
    fail(`PASS logged the secret "${secret}": …${output.slice(Math.max(0, at - 300), at + 40)}…`);
  }
  const key = /-----BEGIN [A-Z ]*PRIVATE KEY-----|"d"\s*:\s*"[A-Za-z0-9_-]{20,}"/.exec(output);
  if (key) fail(`PASS logged private key material: ${key[0]}`);
  // Face templates: an embedding as numbers, or a sealed template (v1.<key id>.<iv>.<tag>.<ciphertext>).
  const embedding = /(-?\d\.\d+,\s*){64}/.exec(output);
  if (embedding) fail(`PASS logged what looks like a face embedding: ${embedding[0].slice(0, 120)}…`);
  const sealed = /\bv1\.[\w-]+\.[\w-]{16}\.[\w-]{22}\.[\w-]{200,}/.exec(output);
  if (sealed) fail(`PASS logged a sealed secret or template: ${sealed[0].slice(0, 80)}…`);
  const fatal = output.split('\n').find((line) => /"level":60/.test(line));
  if (fatal) fail(`PASS logged a fatal error: ${fatal.slice(0, 500)}`);
}

// ---------------------------------------------------------------- raw HTTP

/** Bytes no well-behaved client sends: broken framing, smuggling attempts, control characters. */
export const RAW_REQUESTS: string[] = [
  'GET /auth?\u0000 HTTP/1.1\r\nHost: x\r\n\r\n',
  'POST /token HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
  'POST /token HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n',
  'POST /token HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nZZZ\r\nabc\r\n0\r\n\r\n',
  'GET / HTTP/1.1\r\nHost: x\r\nX-Bad: \u007f\u0001\r\n\r\n',
  'GET / HTTP/9.9\r\nHost: x\r\n\r\n',
  `GET /${'a'.repeat(100_000)} HTTP/1.1\r\nHost: x\r\n\r\n`,
  'GET /.well-known/openid-configuration HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n',
  'BREW /token HTTP/1.1\r\nHost: x\r\n\r\n',
  'GET /interaction/%ZZ HTTP/1.1\r\nHost: x\r\n\r\n',
  'POST /reg HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"a":1}',
];

/** Sends raw bytes; resolves with what came back (status line and body) or '' when the server closed. */
export function sendRaw(url: string, request: string, waitMs = 1500): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname);
    let data = '';
    const done = () => {
      socket.destroy();
      resolve(data);
    };
    socket.setTimeout(waitMs, done);
    socket.on('data', (d: Buffer) => {
      data += d.toString('latin1');
    });
    socket.on('end', done);
    socket.on('error', done);
    socket.write(Buffer.from(request, 'latin1'));
  });
}

/** Runs a check; when it fails, PASS's log lines of that request (by request id) go into the message. */
export function withLogs(check: () => void, answer: Answer | undefined, pass: { output(): string }): void {
  try {
    check();
  } catch (error) {
    const requestId = answer?.headers.get('x-request-id');
    const lines = requestId ? pass.output().split('\n').filter((line) => line.includes(requestId)) : [];
    if (error instanceof Error && lines.length) error.message += `\n  PASS logged:\n    ${lines.join('\n    ').slice(0, 6000)}`;
    throw error;
  }
}

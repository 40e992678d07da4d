// The load the reliability tests and the soak put on PASS: residents signing in (authorization code
// flow through PASS's pages), refreshing, facility systems using client_credentials and
// introspection, and kiosks checking people in by QR code with ids they make themselves. Every
// request is bounded by a timeout, and every answer is checked: a server error must be a clean 503
// with Retry-After and a body that gives nothing away.
import { randomUUID } from 'node:crypto';
import { CookieJar, csrfOf, pkce } from '../helpers/browserless.ts';
import type { TestKiosk } from '../kiosk/helpers.ts';
import { internalsIn } from './internals.ts';

export const REQUEST_TIMEOUT_MS = 10_000;
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** What an operation of the load is: one whole sign-in, one token + introspection, one check-in… */
export type OperationKind = 'login' | 'machine' | 'refresh' | 'checkin';

export interface Answer {
  status: number;
  headers: Headers;
  text: string;
  json: Record<string, any> | undefined;
}

/** Marks an answer that must not come from PASS: internals in the body, or a server error that is not a clean 503. */
export function uncleanReason(answer: Pick<Answer, 'status' | 'headers' | 'text'>, allowBadGateway: boolean): string | undefined {
  const { status, headers, text } = answer;
  const internals = internalsIn(status, text);
  if (internals) return `internals in a ${status} body (${internals})`;
  if (status < 500) return undefined;
  if (status === 502 && allowBadGateway && headers.get('x-served-by') === null) return undefined;
  if (status !== 503) return `status ${status}`;
  const retryAfter = headers.get('retry-after');
  if (!retryAfter || !/^\d+$/.test(retryAfter)) return '503 without a Retry-After in seconds';
  const type = headers.get('content-type') ?? '';
  if (type.includes('application/json')) {
    let body: Record<string, unknown> = {};
    try {
      body = JSON.parse(text) as Record<string, unknown>;
    } catch {
      return '503 with a JSON content type and a body that is not JSON';
    }
    if (typeof body.error !== 'string') return '503 JSON body without an error code';
  } else if (!type.includes('text/html')) {
    return `503 with content type "${type}"`;
  }
  return undefined;
}

export interface Problem {
  kind: string;
  path: string;
  status: number;
  reason: string;
  body: string;
}

/** Every answer and operation of a run, with the time it happened. */
export class Recorder {
  readonly startedAt = Date.now();
  /** [kind, at, ok] of every finished operation. */
  readonly operations: Array<{ kind: OperationKind; at: number; ok: boolean }> = [];
  readonly statuses = new Map<string, number>();
  readonly problems: Problem[] = [];
  /** Requests that hit the timeout: a hang. */
  timeouts = 0;
  /** Requests that failed below HTTP (connection refused or reset between client and proxy). */
  networkErrors = 0;
  /** 502s the proxy answered itself, for a node killed while it answered. */
  allowBadGateway = false;

  count(label: string): void {
    this.statuses.set(label, (this.statuses.get(label) ?? 0) + 1);
  }

  operation(kind: OperationKind, ok: boolean): void {
    this.operations.push({ kind, at: Date.now(), ok });
  }

  succeeded(kind: OperationKind, after = 0): number {
    return this.operations.filter((o) => o.kind === kind && o.ok && o.at >= after).length;
  }

  firstSuccess(kind: OperationKind, after: number): number | undefined {
    return this.operations.find((o) => o.kind === kind && o.ok && o.at >= after)?.at;
  }

  /** One bounded request; the answer is read whole and checked. Undefined when none came. */
  async call(kind: string, url: string, init: RequestInit = {}): Promise<Answer | undefined> {
    let response: Response;
    let text: string;
    try {
      response = await fetch(url, { ...init, redirect: 'manual', signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
      text = await response.text();
    } catch (error) {
      const name = (error as Error).name;
      if (name === 'TimeoutError' || name === 'AbortError') {
        this.timeouts += 1;
        this.problems.push({ kind, path: new URL(url).pathname, status: 0, reason: 'timed out', body: '' });
      } else {
        this.networkErrors += 1;
      }
      this.count(`${kind} network`);
      return undefined;
    }
    this.count(`${kind} ${response.status}`);
    const answer: Answer = { status: response.status, headers: response.headers, text, json: undefined };
    if ((response.headers.get('content-type') ?? '').includes('json') && text) {
      try {
        answer.json = JSON.parse(text) as Record<string, any>;
      } catch {
        this.problems.push({ kind, path: new URL(url).pathname, status: response.status, reason: 'JSON content type, body not JSON', body: text.slice(0, 300) });
      }
    }
    const unclean = uncleanReason(answer, this.allowBadGateway);
    if (unclean) this.problems.push({ kind, path: new URL(url).pathname, status: response.status, reason: unclean, body: text.slice(0, 500) });
    return answer;
  }

  summary(): Record<string, unknown> {
    const ops: Record<string, string> = {};
    for (const kind of ['login', 'machine', 'refresh', 'checkin'] as const) {
      const all = this.operations.filter((o) => o.kind === kind);
      if (all.length) ops[kind] = `${all.filter((o) => o.ok).length}/${all.length}`;
    }
    return { operations: ops, statuses: Object.fromEntries([...this.statuses].sort()), timeouts: this.timeouts, networkErrors: this.networkErrors, problems: this.problems.length };
  }
}

/** A pause after a refusal: the server's Retry-After, capped so the load keeps probing. */
function backoff(answer: Answer | undefined): Promise<void> {
  const retryAfter = Number(answer?.headers.get('retry-after') ?? 0);
  return sleep(Math.min(1000, Math.max(200, retryAfter * 1000)));
}

export interface LoadTarget {
  /** The address clients use: the proxy, which is also every node's issuer. */
  issuer: string;
  app: { clientId: string; redirectUri: string };
  machine: { clientId: string; secret: string };
  /** `device`: the cookie of the browser each resident remembered at the first sign-in (pass_device): later sign-ins need the password alone. */
  residents: Array<{ email: string; accountId: string; password: string; apiToken: string; device?: string | undefined }>;
  kiosks: TestKiosk[];
}

function location(answer: Answer, base: string): string | undefined {
  const value = answer.headers.get('location');
  return value ? new URL(value, base).toString() : undefined;
}

/**
 * One sign-in through PASS's pages (authorize → login → consent → code → tokens), in a new session
 * of the browser the resident remembered at the first sign-in (`device`): the password alone, no
 * one-time code (which each node would keep in its own development outbox). `route` picks the
 * node of each step (a header for the proxy), so a test can start on one node and finish on
 * another. Returns the token response, or undefined when a step failed (already recorded).
 */
export async function login(
  rec: Recorder,
  target: LoadTarget,
  resident: { email: string; password: string; device?: string | undefined },
  options: { scope?: string; resource?: string; route?: (step: number) => Record<string, string> } = {},
): Promise<Record<string, any> | undefined> {
  const jar = new CookieJar();
  if (resident.device) jar.set('pass_device', resident.device);
  const { verifier, challenge } = pkce();
  const scope = options.scope ?? 'openid email';
  const query = new URLSearchParams({
    client_id: target.app.clientId,
    redirect_uri: target.app.redirectUri,
    response_type: 'code',
    scope,
    code_challenge: challenge,
    code_challenge_method: 'S256',
    state: randomUUID(),
    nonce: randomUUID(),
    ...(scope.includes('offline_access') ? { prompt: 'consent' } : {}),
    ...(options.resource ? { resource: options.resource } : {}),
  });
  let next = `${target.issuer}/auth?${query}`;
  let init: RequestInit = {};
  for (let step = 0; step < 14; step += 1) {
    if (next.startsWith(target.app.redirectUri)) {
      const code = new URL(next).searchParams.get('code');
      if (!code) {
        // RFC 6749 §4.1.2.1: the relying party is told to come back later; not a failure of PASS.
        if (new URL(next).searchParams.get('error') === 'temporarily_unavailable') {
          rec.count('login redirected temporarily_unavailable');
          return undefined;
        }
        rec.problems.push({ kind: 'login', path: 'callback', status: 0, reason: `no code: ${new URL(next).search}`, body: '' });
        return undefined;
      }
      const headers = { 'content-type': 'application/x-www-form-urlencoded', ...options.route?.(step) };
      const body = new URLSearchParams({ grant_type: 'authorization_code', client_id: target.app.clientId, redirect_uri: target.app.redirectUri, code, code_verifier: verifier });
      const tokens = await rec.call('login', `${target.issuer}/token`, { method: 'POST', headers, body });
      return tokens?.status === 200 ? tokens.json : undefined;
    }
    const headers = new Headers({ ...(init.headers as Record<string, string> | undefined), ...options.route?.(step) });
    const cookie = jar.header();
    if (cookie) headers.set('cookie', cookie);
    const answer = await rec.call('login', next, { ...init, headers });
    if (!answer) return undefined;
    jar.store({ headers: answer.headers } as Response);
    init = {};
    if (answer.status >= 300 && answer.status < 400) {
      const to = location(answer, next);
      if (!to) return undefined;
      next = to;
      continue;
    }
    if (answer.status !== 200) return undefined;
    if (/action="\/interaction\/[^/"]+\/verify"/.test(answer.text)) {
      rec.problems.push({ kind: 'login', path: new URL(next).pathname, status: answer.status, reason: 'the code page: the remembered browser was not recognised', body: '' });
      return undefined;
    }
    const form = /action="\/interaction\/([^/"]+)\/(login|consent)"/.exec(answer.text);
    if (!form) {
      rec.problems.push({ kind: 'login', path: new URL(next).pathname, status: answer.status, reason: 'no sign-in or consent form', body: answer.text.slice(0, 300) });
      return undefined;
    }
    const fields: Record<string, string> =
      form[2] === 'login' ? { login: resident.email, password: resident.password, csrf: csrfOf(answer.text) } : { decision: 'allow', csrf: csrfOf(answer.text) };
    next = `${target.issuer}/interaction/${form[1]}/${form[2]}`;
    init = { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields) };
  }
  return undefined;
}

function basic(clientId: string, secret: string): string {
  return `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(secret)}`).toString('base64')}`;
}

/** A facility system: a client_credentials token, then its introspection. */
export async function machineRound(rec: Recorder, target: LoadTarget): Promise<boolean> {
  const headers = { authorization: basic(target.machine.clientId, target.machine.secret), 'content-type': 'application/x-www-form-urlencoded' };
  const token = await rec.call('machine', `${target.issuer}/token`, { method: 'POST', headers, body: 'grant_type=client_credentials' });
  if (token?.status !== 200 || typeof token.json?.access_token !== 'string') return false;
  const info = await rec.call('machine', `${target.issuer}/token/introspection`, { method: 'POST', headers, body: new URLSearchParams({ token: token.json.access_token }) });
  return info?.status === 200 && info.json?.active === true;
}

/**
 * A refresh of a resident's tokens; the new refresh token (rotation) replaces the old one. An
 * expired grant (`invalid_grant`: the soak runs with short lifetimes) sends the resident to sign in again.
 */
export async function refreshRound(rec: Recorder, target: LoadTarget, holder: { refreshToken: string }): Promise<'ok' | 'expired' | 'failed'> {
  const body = new URLSearchParams({ grant_type: 'refresh_token', client_id: target.app.clientId, refresh_token: holder.refreshToken });
  const answer = await rec.call('refresh', `${target.issuer}/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
  if (answer?.status === 400 && answer.json?.error === 'invalid_grant') {
    holder.refreshToken = '';
    return 'expired';
  }
  if (answer?.status !== 200 || typeof answer.json?.access_token !== 'string') return 'failed';
  if (typeof answer.json.refresh_token === 'string') holder.refreshToken = answer.json.refresh_token;
  return 'ok';
}

/** A kiosk's queue of check-ins: every id is retried until PASS acknowledges it, then forgotten. */
export class KioskQueue {
  readonly kiosk: TestKiosk;
  /** id → result, for every check-in PASS acknowledged (201, or 200 for a retry it had already recorded). */
  readonly acknowledged = new Map<string, string>();
  pending: { id: string; token: string } | undefined;
  retries = 0;

  constructor(kiosk: TestKiosk) {
    this.kiosk = kiosk;
  }

  /** Sends the pending check-in once; true when acknowledged. */
  async send(rec: Recorder): Promise<boolean> {
    const pending = this.pending!;
    const url = `${this.kiosk.issuer}/api/kiosk/checkins/qr`;
    const headers = {
      authorization: `DPoP ${this.kiosk.accessToken}`,
      DPoP: await this.kiosk.proof('POST', url, this.kiosk.accessToken),
      'content-type': 'application/json',
    };
    const answer = await rec.call('checkin', url, { method: 'POST', headers, body: JSON.stringify({ id: pending.id, token: pending.token }) });
    if ((answer?.status === 201 || answer?.status === 200) && answer.json?.id === pending.id) {
      this.acknowledged.set(pending.id, String(answer.json.result));
      this.pending = undefined;
      return true;
    }
    if (answer && answer.status !== 503 && answer.status !== 502) {
      rec.problems.push({ kind: 'checkin', path: '/api/kiosk/checkins/qr', status: answer.status, reason: 'check-in neither acknowledged nor refused as unavailable', body: answer.text.slice(0, 300) });
    }
    this.retries += 1;
    await backoff(answer);
    return false;
  }
}

/** A resident shows the PASS app's QR code (a fresh signed token); one time in two, a code that is not PASS's. */
async function nextCheckin(rec: Recorder, target: LoadTarget): Promise<{ id: string; token: string } | undefined> {
  if (Math.random() < 0.5) return { id: randomUUID(), token: 'bm90LmEucGFzcy5jb2Rl.e30.c2lnbmF0dXJl' };
  const resident = target.residents[Math.floor(Math.random() * target.residents.length)]!;
  const answer = await rec.call('qr-token', `${target.issuer}/api/checkins/qr-token`, { method: 'POST', headers: { authorization: `Bearer ${resident.apiToken}` } });
  if (answer?.status === 201 && typeof answer.json?.token === 'string') return { id: randomUUID(), token: answer.json.token };
  if (answer?.status === 401) {
    // The app's token ended with its session (short lifetimes in the soak): the app signs in again.
    const tokens = await login(rec, target, resident, { scope: 'openid pass:api', resource: `${target.issuer}/api` });
    rec.operation('login', tokens !== undefined);
    if (typeof tokens?.access_token === 'string') resident.apiToken = tokens.access_token;
    return undefined;
  }
  await backoff(answer);
  return undefined;
}

export interface LoadOptions {
  loginWorkers?: number;
  machineWorkers?: number;
  refreshWorkers?: number;
  /** Pause between two operations of one worker (ms). */
  pauseMs?: number;
  /** Pause between two people at a kiosk (ms). */
  kioskPaceMs?: number;
}

/**
 * Runs the mixed load until stop() is called. stop() waits until every kiosk's last check-in is
 * acknowledged (or drainMs ran out) and resolves with what is left unacknowledged.
 */
export function startLoad(rec: Recorder, target: LoadTarget, options: LoadOptions = {}): { queues: KioskQueue[]; stop(drainMs?: number): Promise<number> } {
  let running = true;
  const pause = options.pauseMs ?? 100;
  const queues = target.kiosks.map((k) => new KioskQueue(k));
  const workers: Promise<void>[] = [];
  const loop = (body: () => Promise<void>) => workers.push((async () => {
    while (running) await body();
  })());

  for (let i = 0; i < (options.loginWorkers ?? 1); i += 1) {
    loop(async () => {
      const resident = target.residents[Math.floor(Math.random() * target.residents.length)]!;
      const ok = (await login(rec, target, resident)) !== undefined;
      rec.operation('login', ok);
      await sleep(ok ? pause : 300);
    });
  }
  for (let i = 0; i < (options.machineWorkers ?? 1); i += 1) {
    loop(async () => {
      const ok = await machineRound(rec, target);
      rec.operation('machine', ok);
      await sleep(ok ? pause : 300);
    });
  }
  for (let i = 0; i < (options.refreshWorkers ?? 0); i += 1) {
    const holder = { refreshToken: '' };
    loop(async () => {
      if (!holder.refreshToken) {
        const tokens = await login(rec, target, target.residents[i % target.residents.length]!, { scope: 'openid offline_access' });
        rec.operation('login', tokens !== undefined);
        if (typeof tokens?.refresh_token === 'string') holder.refreshToken = tokens.refresh_token;
        else await sleep(300);
        return;
      }
      const outcome = await refreshRound(rec, target, holder);
      if (outcome !== 'expired') rec.operation('refresh', outcome === 'ok');
      await sleep(outcome === 'failed' ? 300 : pause);
    });
  }
  const drained: Promise<void>[] = [];
  let drainUntil = Number.POSITIVE_INFINITY;
  for (const queue of queues) {
    drained.push((async () => {
      while (running || (queue.pending && Date.now() < drainUntil)) {
        if (!queue.pending) {
          await sleep((options.kioskPaceMs ?? 200) * (0.5 + Math.random()));
          if (!running) break;
          queue.pending = await nextCheckin(rec, target);
          if (!queue.pending) continue;
        }
        rec.operation('checkin', await queue.send(rec));
      }
    })());
  }
  return {
    queues,
    async stop(drainMs = 30_000) {
      drainUntil = Date.now() + drainMs;
      running = false;
      await Promise.all([...workers, ...drained]);
      return queues.filter((q) => q.pending).length;
    },
  };
}

// What the PASS app's screen tests share: a stand-in for PASS's API on a local port, the app
// session store in memory, the app's routes on a Koa server, and a cookie jar signed in as the
// session a test sets up. No browser and no database.
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import type { Middleware } from 'koa';
import { CookieJar, request } from '../helpers/browserless.ts';
import { FeatureKit } from '../../clients/app/feature-kit.ts';
import { APP_COOKIE } from '../../clients/app/routes.ts';
import type { RpSession } from '../../clients/shared/relying-party.ts';
import type { ClientSessions } from '../../clients/shared/session-store.ts';

/** The app's CSRF key in these tests: long enough for FeatureKit, never used outside them. */
export const CSRF_KEY = 'test-csrf-key-0123456789';

const PUNCTUATION = '、。「」『』（）［］｛｝【】・：；！？〜ー　…';
/** Japanese punctuation and brackets that English texts must not use. */
export const JAPANESE_PUNCTUATION = new RegExp(`[${PUNCTUATION}]`);
/** The same punctuation, or any kana or kanji: Japanese left in an English text. */
export const JAPANESE = new RegExp(`[${PUNCTUATION}\\u3040-\\u30ff\\u4e00-\\u9fff]`);

/** One request as the stand-in for PASS received it. */
export interface PassCall {
  method: string;
  path: string;
  query: string;
  auth: string | undefined;
  body: any;
}

/** Answers a request with a status and, unless undefined, a JSON body. */
export type Send = (status: number, json?: unknown) => void;

/**
 * A stand-in for PASS's API: records every request in `calls`, refuses one without
 * `Bearer <token>` as PASS does (401 invalid_token), and hands the rest to `answer`.
 */
export function passStandIn(token: string, answer: (call: PassCall, send: Send, url: URL) => void): { server: http.Server; calls: PassCall[] } {
  const calls: PassCall[] = [];
  const server = http.createServer((req, res) => {
    let text = '';
    req.on('data', (chunk: Buffer) => (text += chunk.toString()));
    req.on('end', () => {
      const url = new URL(req.url!, 'http://pass.test');
      const call: PassCall = { method: req.method!, path: url.pathname, query: url.search, auth: req.headers.authorization, body: text ? JSON.parse(text) : undefined };
      calls.push(call);
      const send: Send = (status, json) => {
        res.writeHead(status, json === undefined ? {} : { 'content-type': 'application/json' });
        res.end(json === undefined ? '' : JSON.stringify(json));
      };
      if (call.auth !== `Bearer ${token}`) return send(401, { error: 'invalid_token' });
      answer(call, send, url);
    });
  });
  return { server, calls };
}

export type MemorySessions = ClientSessions<RpSession> & { rows: Map<string, RpSession & Record<string, unknown>> };

/** The app session store, in memory (the real one seals rows in the database). */
export function memorySessions(): MemorySessions {
  const rows = new Map<string, RpSession & Record<string, unknown>>();
  return {
    rows,
    async load(cookie: string | undefined) {
      return cookie ? rows.get(cookie) : undefined;
    },
    async update(cookie: string, data: RpSession) {
      rows.set(cookie, data as RpSession & Record<string, unknown>);
    },
    async destroy(cookie: string | undefined) {
      if (cookie) rows.delete(cookie);
    },
  } as unknown as MemorySessions;
}

/** The running pair: the app's base URL, and a stop for afterAll. */
export interface AppUnderTest {
  base: string;
  close(): void;
}

/**
 * Starts the stand-in for PASS, then the app with the middleware `routes` makes from a FeatureKit
 * pointed at it (the issuer is passed too, for routes that build their own relying party).
 */
export async function startApp(pass: http.Server, sessions: MemorySessions, routes: (kit: FeatureKit, issuer: string) => unknown[]): Promise<AppUnderTest> {
  pass.listen(0, '127.0.0.1');
  await once(pass, 'listening');
  const issuer = `http://127.0.0.1:${(pass.address() as AddressInfo).port}`;
  const kit = new FeatureKit({ sessions, issuer, csrfKey: CSRF_KEY, production: false });
  const koa = new Koa();
  for (const middleware of routes(kit, issuer) as Middleware[]) koa.use(middleware);
  const app = koa.listen(0, '127.0.0.1');
  await once(app, 'listening');
  return {
    base: `http://127.0.0.1:${(app.address() as AddressInfo).port}`,
    close() {
      app.close();
      pass.close();
    },
  };
}

/**
 * Requests as the signed-in resident: each call carries the app cookie naming `cookie`, whose
 * session row the test sets in beforeEach. `base` is read at call time, after beforeAll started the app.
 */
export function residentBrowser(base: () => string, cookie: string) {
  function jar(): CookieJar {
    const cookies = new CookieJar();
    cookies.store(new Response(null, { headers: { 'set-cookie': `${APP_COOKIE}=${cookie}; path=/app` } }));
    return cookies;
  }
  const get = (path: string, init: RequestInit = {}) => request(jar(), `${base()}${path}`, init);
  const form = (path: string, fields: Record<string, string>, headers: Record<string, string> = {}) => get(path, { method: 'POST', body: new URLSearchParams(fields), headers });
  return { get, form };
}

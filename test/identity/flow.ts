import { CookieJar, csrfOf, pkce, request } from '../helpers/browserless.ts';
import type { startPass } from '../helpers/pass.ts';
import type { Database } from '../../src/db/database.ts';

export type Pass = Awaited<ReturnType<typeof startPass>>;
export const REDIRECT = 'http://127.0.0.1:9/cb';

/** A browser-like visitor of PASS's pages: cookies, a language, and the page it is on. */
export class Visitor {
  readonly jar = new CookieJar();
  readonly issuer: string;
  readonly lang: 'ja' | 'en';
  uid = '';
  html = '';
  status = 0;
  location: string | null = null;
  readonly extraHeaders: Record<string, string>;

  constructor(issuer: string, lang: 'ja' | 'en', extraHeaders: Record<string, string> = {}) {
    this.issuer = issuer;
    this.lang = lang;
    this.extraHeaders = extraHeaders;
  }

  #headers(): Record<string, string> {
    return { 'accept-language': this.lang === 'en' ? 'en-US,en;q=0.9' : 'ja,en;q=0.5', ...this.extraHeaders };
  }

  async get(path: string): Promise<this> {
    const response = await request(this.jar, new URL(path, this.issuer).toString(), { headers: this.#headers() });
    this.status = response.status;
    this.location = response.headers.get('location');
    this.html = await response.text();
    return this;
  }

  /** Posts a form of the current page (its CSRF token added) to a path. */
  async post(path: string, form: Record<string, string>): Promise<this> {
    const body = new URLSearchParams({ ...(this.html.includes('name="csrf"') ? { csrf: csrfOf(this.html) } : {}), ...form });
    const response = await request(this.jar, new URL(path, this.issuer).toString(), { method: 'POST', body, headers: this.#headers() });
    this.status = response.status;
    this.location = response.headers.get('location');
    this.html = await response.text();
    return this;
  }

  /** Follows redirects on this origin until a page is shown (or a redirect leaves PASS). */
  async follow(): Promise<this> {
    for (let i = 0; i < 10 && this.location; i += 1) {
      const next = new URL(this.location, this.issuer).toString();
      if (!next.startsWith(this.issuer)) return this;
      await this.get(next);
    }
    return this;
  }

  /** Starts an authorization request of `clientId` and lands on the sign-in page. */
  verifier = '';

  async startSignIn(clientId: string, extra: Record<string, string> = {}): Promise<this> {
    const { challenge, verifier } = pkce();
    this.verifier = verifier;
    const query = new URLSearchParams({
      client_id: clientId,
      redirect_uri: REDIRECT,
      response_type: 'code',
      scope: 'openid email phone',
      code_challenge: challenge,
      code_challenge_method: 'S256',
      ...extra,
    });
    await this.get(`/auth?${query}`);
    await this.follow();
    const match = /action="\/interaction\/([^/"]+)\//.exec(this.html);
    if (!match) throw new Error(`no interaction page: ${this.html.slice(0, 300)}`);
    this.uid = match[1]!;
    return this;
  }

  /** The authorization code, once PASS redirected back to the relying party. */
  code(): string {
    const code = this.location ? new URL(this.location, this.issuer).searchParams.get('code') : null;
    if (!code) throw new Error(`no code: ${this.status} ${this.location} ${this.html.slice(0, 300)}`);
    return code;
  }

  /** The text of the page's alert (the error message), if any. */
  alert(): string | undefined {
    const text = /role="alert"[^>]*>([^<]*)</.exec(this.html)?.[1]?.trim();
    return text?.replace(/&#(\d+);/g, (_m, n: string) => String.fromCodePoint(Number(n))).replace(/&quot;/g, '"').replace(/&amp;/g, '&');
  }
}

interface OutboxEntry {
  channel: 'mail' | 'sms';
  to: string;
  text: string;
}

/** The newest six-digit code sent to `to`, read from the development outbox. */
export async function latestCode(pass: Pass, to: string): Promise<string> {
  const entries = (await (await fetch(`${pass.issuer}/dev/outbox.json`)).json()) as OutboxEntry[];
  const entry = entries.find((e) => e.to === to);
  const code = entry && /\b(\d{6})\b/.exec(entry.text)?.[1];
  if (!code) throw new Error(`no code sent to ${to}`);
  return code;
}

export async function outboxCount(pass: Pass): Promise<number> {
  return ((await (await fetch(`${pass.issuer}/dev/outbox.json`)).json()) as unknown[]).length;
}

/**
 * Everything sign-up and sign-in keep, as comparable JSON. The attempt counter of a code is left
 * out: counting a wrong try is the one change a wrong code must make.
 */
export async function snapshot(db: Database): Promise<string> {
  const tables: Record<string, unknown> = {};
  for (const table of ['accounts', 'signups', 'password_resets', 'login_failures', 'authentication_events', 'verification_codes']) {
    const rows = (await db(table).select('*')) as Array<Record<string, unknown>>;
    tables[table] = rows
      .map((row) => {
        const { attempts: _ignored, ...rest } = row;
        return JSON.stringify(rest);
      })
      .sort();
  }
  return JSON.stringify(tables);
}

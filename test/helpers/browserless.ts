import { createHash, randomBytes } from 'node:crypto';
import type { PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/server';
import { maskEmail, maskPhone, mobileToE164 } from '../../src/identity/phone.ts';
import { hotp, totpStep, TOTP_PERIOD_SECONDS } from '../../src/identity/factors/totp.ts';
import type { SoftAuthenticator } from './soft-authenticator.ts';

/**
 * A minimal user agent for protocol tests: keeps cookies, follows nothing by itself, and reads
 * the hidden CSRF field from PASS's forms. Browser tests use Playwright instead.
 */
export class CookieJar {
  readonly #cookies = new Map<string, string>();

  store(response: Response): void {
    for (const header of response.headers.getSetCookie()) {
      const [pair] = header.split(';');
      const index = pair!.indexOf('=');
      const name = pair!.slice(0, index).trim();
      const value = pair!.slice(index + 1).trim();
      if (/expires=Thu, 01 Jan 1970/i.test(header) || value === '') this.#cookies.delete(name);
      else this.#cookies.set(name, value);
    }
  }

  header(): string {
    return [...this.#cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  get(name: string): string | undefined {
    return this.#cookies.get(name);
  }

  /** A cookie this browser kept from earlier, e.g. the remembered-device cookie `pass_device` in a new browser session. */
  set(name: string, value: string): void {
    this.#cookies.set(name, value);
  }
}

export async function request(jar: CookieJar, url: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  const cookie = jar.header();
  if (cookie) headers.set('cookie', cookie);
  const response = await fetch(url, { ...init, headers, redirect: 'manual' });
  jar.store(response);
  return response;
}

export function csrfOf(html: string): string {
  const match = /name="csrf" value="([^"]+)"/.exec(html);
  if (!match) throw new Error(`no CSRF field in page: ${html.slice(0, 200)}`);
  return match[1]!;
}

export function pkce(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

/**
 * An authenticator app holding an account's TOTP secret. PASS takes each time step's code once per
 * account, and one step of drift either way: each code is of the step after the last one used
 * (the current step, or the next one), so an account can sign in again within the same 30 seconds.
 * Only a third sign-in within one step waits for the clock.
 */
export class TotpApp {
  readonly secret: Uint8Array;
  #lastStep: number;

  constructor(secret: Uint8Array, lastStep: number) {
    this.secret = secret;
    this.#lastStep = lastStep;
  }

  async code(): Promise<string> {
    const step = Math.max(totpStep(new Date()), this.#lastStep + 1);
    const wait = (step - 1) * TOTP_PERIOD_SECONDS * 1000 - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait + 50));
    this.#lastStep = step;
    return hotp(this.secret, step);
  }
}

/** The passkey and the authenticator app a test account has been given, by issuer and sign-in name. */
export interface SignInFactors {
  passkey?: SoftAuthenticator;
  totp?: TotpApp;
}

const factors = new Map<string, SignInFactors>();
const factorKey = (issuer: string, login: string) => `${new URL(issuer).origin}\n${outboxAddress(login)}`;

/** Records a factor given to `login` on `issuer`'s PASS, for the sign-in helpers to use. */
export function giveFactor(issuer: string, login: string, factor: SignInFactors): void {
  const key = factorKey(issuer, login);
  factors.set(key, { ...factors.get(key), ...factor });
}

export function factorsOf(issuer: string, login: string): SignInFactors {
  return factors.get(factorKey(issuer, login)) ?? {};
}

/** How a test signs in on PASS's pages: the password and then the one-time code, or a passkey. */
export interface SignInAs {
  login: string;
  password: string;
  /**
   * Sign in with this authenticator's passkey instead of the password (it holds the account's only
   * credential for PASS). Default: the passkey given to the account (giveFactor), if any; false: the password.
   */
  passkey?: SoftAuthenticator | false | undefined;
  /** The authenticator app, for an account with TOTP (default: the one given to the account). SMS and e-mail codes are read from the outbox. */
  totp?: TotpApp | undefined;
  /** Tick 「この端末を記憶する」 on the code page (default true): later password sign-ins in the same jar skip the code. */
  remember?: boolean | undefined;
  /**
   * Where the development outboxes are, when several PASS processes stand behind one issuer (each
   * keeps its own): every node's own address. Default: the issuer.
   */
  outboxes?: string[] | undefined;
}

interface OutboxEntry {
  channel: 'mail' | 'sms';
  to: string;
  text: string;
  sentAt: string;
}

const unescapeHtml = (text: string): string =>
  text
    .replace(/&#(\d+);/g, (_m, n: string) => String.fromCodePoint(Number(n)))
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');

/** Where an SMS or e-mail to `login` goes: a 0-prefixed mobile number is listed as +81…; anything else as it is. */
export function outboxAddress(login: string): string {
  try {
    return mobileToE164(login);
  } catch {
    return login.trim().toLowerCase();
  }
}

/**
 * The newest six-digit code in the development outbox (${issuer}/dev/outbox, or those of `outboxes`) for `login`, or, when
 * `destination` (the masked address the code page shows) is given and the login's own address does
 * not match it (an e-mail login of an account with a verified mobile number gets an SMS), for the
 * newest address that masks to it.
 */
export async function outboxCode(issuer: string, login: string, destination?: string, outboxes: string[] = [issuer]): Promise<string> {
  const lists = await Promise.all(
    outboxes.map(async (at) => {
      const response = await fetch(new URL('/dev/outbox.json', at));
      if (!response.ok) throw new Error(`no development outbox at ${at} (${response.status})`);
      return (await response.json()) as OutboxEntry[];
    }),
  );
  // Newest first, across the nodes (each list is newest first already).
  const entries = lists.length === 1 ? lists[0]! : lists.flat().sort((a, b) => Date.parse(b.sentAt) - Date.parse(a.sentAt));
  const mask = (to: string) => (to.includes('@') ? maskEmail(to) : maskPhone(to));
  const address = outboxAddress(login);
  const matches = (e: OutboxEntry) =>
    destination === undefined || mask(address) === destination ? e.to.toLowerCase() === address : mask(e.to) === destination;
  const entry = entries.find(matches);
  const code = entry && /\b(\d{6})\b/.exec(entry.text)?.[1];
  if (!code) throw new Error(`no code in the outbox for ${login}${destination ? ` (${destination})` : ''}`);
  return code;
}

/** A request the sign-in continues with. */
export interface NextRequest {
  url: string;
  init: RequestInit;
}

/** The passkey section of PASS's sign-in and strong step-up pages (views/interaction/passkey.ejs): its interaction and CSRF token. */
function passkeySection(html: string): { uid: string; csrf: string } | undefined {
  const section = /<section id="passkey"[^>]*data-uid="([^"]+)"[^>]*data-csrf="([^"]+)"/.exec(html);
  return section ? { uid: section[1]!, csrf: unescapeHtml(section[2]!) } : undefined;
}

/**
 * The passkey sign-in as PASS's page script does it: challenge, assertion, and where PASS sends the
 * browser next (a page, or back to the authorization endpoint).
 */
export async function passkeySignIn(jar: CookieJar, issuer: string, html: string, authenticator: SoftAuthenticator): Promise<string> {
  const section = passkeySection(html);
  if (!section) throw new Error(`no passkey sign-in on this page: ${html.slice(0, 300)}`);
  const base = new URL(`/interaction/${section.uid}/passkey`, issuer).toString();
  const optionsResponse = await request(jar, `${base}/options`, {
    method: 'POST',
    headers: { accept: 'application/json' },
    body: new URLSearchParams({ csrf: section.csrf }),
  });
  const options = (await optionsResponse.json()) as PublicKeyCredentialRequestOptionsJSON;
  if (!optionsResponse.ok) throw new Error(`passkey options refused ${optionsResponse.status}: ${JSON.stringify(options)}`);
  const assertion = authenticator.authenticate(options, new URL(issuer).origin);
  const answer = await request(jar, base, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ csrf: section.csrf, response: assertion }),
  });
  const body = (await answer.json()) as { ok?: boolean; next?: string; reason?: string; message?: string };
  if (!answer.ok || !body.ok || !body.next) throw new Error(`passkey sign-in refused ${answer.status}: ${JSON.stringify(body)}`);
  return new URL(body.next, issuer).toString();
}

/**
 * What a person does on one of PASS's sign-in pages (views/interaction/*): the sign-in form (the
 * password, or the passkey where `who` has one), the code page (the authenticator app's code, or
 * the SMS/e-mail code read from the outbox, the browser remembered unless `who.remember` is false),
 * the strong step (the passkey), and the consent page (`decision`). Undefined: not such a page.
 * A page that shows an error (role="alert") after a step is not answered again: it throws.
 */
export async function signInStep(jar: CookieJar, issuer: string, html: string, who: SignInAs, decision = 'allow'): Promise<NextRequest | undefined> {
  const post = (path: string, form: Record<string, string>): NextRequest => ({
    url: new URL(path, issuer).toString(),
    init: { method: 'POST', body: new URLSearchParams(form) },
  });
  const given = factorsOf(issuer, who.login);
  const passkey = who.passkey === false ? undefined : (who.passkey ?? given.passkey);
  const totp = who.totp ?? given.totp;
  const alert = /role="alert"[^>]*>\s*([^<]+)</.exec(html)?.[1]?.trim();
  const login = /action="(\/interaction\/[^/"]+\/login)"/.exec(html);
  if (login) {
    if (alert) throw new Error(`sign-in refused: ${unescapeHtml(alert)}`);
    if (passkey) return { url: await passkeySignIn(jar, issuer, html, passkey), init: {} };
    return post(login[1]!, { login: who.login, password: who.password, csrf: csrfOf(html) });
  }
  const verify = /action="(\/interaction\/[^/"]+\/verify)"/.exec(html);
  if (verify) {
    if (alert) throw new Error(`code refused: ${unescapeHtml(alert)}`);
    const destination = /<p class="destination"><strong>([^<]*)<\/strong>/.exec(html)?.[1];
    let code: string;
    if (destination !== undefined) code = await outboxCode(issuer, who.login, unescapeHtml(destination), who.outboxes);
    else if (totp) code = await totp.code();
    else throw new Error(`${who.login} signs in with an authenticator app: give its code (totp)`);
    return post(verify[1]!, { code, csrf: csrfOf(html), ...(who.remember === false ? {} : { remember: '1' }) });
  }
  // The strong step (urn:pass:acr:mfa-strong asked, no authenticator app): the passkey.
  if (/action="\/interaction\/[^/"]+\/step-up\/cancel"/.test(html) && passkeySection(html)) {
    if (!passkey) throw new Error(`${who.login} is asked for a passkey and has none here`);
    return { url: await passkeySignIn(jar, issuer, html, passkey), init: {} };
  }
  const consent = /action="(\/interaction\/[^/"]+\/consent)"/.exec(html);
  if (consent) return post(consent[1]!, { decision, csrf: csrfOf(html) });
  return undefined;
}

export interface CodeFlowOptions extends SignInAs {
  issuer: string;
  clientId: string;
  redirectUri: string;
  scope?: string;
  jar?: CookieJar;
  /** RFC 8707 resource indicator, e.g. `${issuer}/api` for a PASS API access token. */
  resource?: string;
  /** OIDC claims request parameter (sent as JSON), e.g. for verified_claims. */
  claims?: Record<string, unknown>;
  /** acr_values of the authorization request. */
  acrValues?: string;
}

function location(response: Response, base: string): string {
  const value = response.headers.get('location');
  if (!value) throw new Error(`expected a redirect, got ${response.status}`);
  return new URL(value, base).toString();
}

/**
 * Walks authorize → sign-in (password and one-time code, or passkey) → consent → callback in
 * PASS's own pages, and returns the code. When the jar already holds a session, sign-in is skipped
 * the way a browser would see it; a remembered browser skips the code.
 */
export async function authorize(options: CodeFlowOptions & { prompt?: string }): Promise<{ code: string; verifier: string; jar: CookieJar }> {
  const jar = options.jar ?? new CookieJar();
  const { verifier, challenge } = pkce();
  const url = new URL('/auth', options.issuer);
  url.search = new URLSearchParams({
    client_id: options.clientId,
    redirect_uri: options.redirectUri,
    response_type: 'code',
    scope: options.scope ?? 'openid offline_access email',
    code_challenge: challenge,
    code_challenge_method: 'S256',
    state: randomBytes(8).toString('hex'),
    nonce: randomBytes(8).toString('hex'),
    ...(options.resource ? { resource: options.resource } : {}),
    ...(options.claims ? { claims: JSON.stringify(options.claims) } : {}),
    ...(options.acrValues ? { acr_values: options.acrValues } : {}),
    // OpenID Connect drops offline_access unless the resident is asked: ask, so a refresh token comes.
    ...(options.prompt ? { prompt: options.prompt } : (options.scope ?? 'offline_access').includes('offline_access') ? { prompt: 'consent' } : {}),
  }).toString();
  let next = url.toString();
  let init: RequestInit = {};
  for (let step = 0; step < 16; step += 1) {
    if (next.startsWith(options.redirectUri)) {
      const params = new URL(next).searchParams;
      const code = params.get('code');
      if (!code) throw new Error(`authorization failed: ${params.get('error')} ${params.get('error_description')}`);
      return { code, verifier, jar };
    }
    const page = await request(jar, next, init);
    init = {};
    if (page.status >= 300 && page.status < 400) {
      next = location(page, next);
      continue;
    }
    const html = await page.text();
    const then = await signInStep(jar, options.issuer, html, options);
    if (!then) throw new Error(`unexpected page ${page.status}: ${html.slice(0, 300)}`);
    ({ url: next, init } = then);
  }
  throw new Error('too many redirects');
}

export async function exchangeCode(
  issuer: string,
  clientId: string,
  redirectUri: string,
  code: string,
  verifier: string,
): Promise<Record<string, unknown>> {
  const response = await fetch(new URL('/token', issuer), {
    method: 'POST',
    body: new URLSearchParams({ grant_type: 'authorization_code', client_id: clientId, redirect_uri: redirectUri, code, code_verifier: verifier }),
  });
  const body = (await response.json()) as Record<string, unknown>;
  if (!response.ok) throw new Error(`token exchange failed: ${JSON.stringify(body)}`);
  return body;
}

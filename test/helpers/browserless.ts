import { createHash, randomBytes } from 'node:crypto';

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

export interface CodeFlowOptions {
  issuer: string;
  clientId: string;
  redirectUri: string;
  login: string;
  password: string;
  scope?: string;
  jar?: CookieJar;
  /** RFC 8707 resource indicator, e.g. `${issuer}/api` for a PASS API access token. */
  resource?: string;
  /** OIDC claims request parameter (sent as JSON), e.g. for verified_claims. */
  claims?: Record<string, unknown>;
}

function location(response: Response, base: string): string {
  const value = response.headers.get('location');
  if (!value) throw new Error(`expected a redirect, got ${response.status}`);
  return new URL(value, base).toString();
}

/**
 * Walks authorize → sign-in → consent → callback in PASS's own pages, and returns the code.
 * When the jar already holds a session, sign-in is skipped the way a browser would see it.
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
    // OpenID Connect drops offline_access unless the resident is asked: ask, so a refresh token comes.
    ...(options.prompt ? { prompt: options.prompt } : (options.scope ?? 'offline_access').includes('offline_access') ? { prompt: 'consent' } : {}),
  }).toString();
  let next = url.toString();
  for (let step = 0; step < 12; step += 1) {
    if (next.startsWith(options.redirectUri)) {
      const params = new URL(next).searchParams;
      const code = params.get('code');
      if (!code) throw new Error(`authorization failed: ${params.get('error')} ${params.get('error_description')}`);
      return { code, verifier, jar };
    }
    const page = await request(jar, next);
    if (page.status >= 300 && page.status < 400) {
      next = location(page, next);
      continue;
    }
    const html = await page.text();
    const uid = /action="\/interaction\/([^/]+)\/(login|consent)"/.exec(html);
    if (!uid) throw new Error(`unexpected page ${page.status}: ${html.slice(0, 300)}`);
    const form: Record<string, string> =
      uid[2] === 'login'
        ? { login: options.login, password: options.password, csrf: csrfOf(html) }
        : { decision: 'allow', csrf: csrfOf(html) };
    const posted = await request(jar, new URL(`/interaction/${uid[1]}/${uid[2]}`, options.issuer).toString(), {
      method: 'POST',
      body: new URLSearchParams(form),
    });
    next = location(posted, next);
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

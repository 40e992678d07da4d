// What a browser and an OAuth client see while a backing service is away, checked exactly: the
// load checks every answer for cleanliness; these check the shape of the answer each one gets.
import { randomUUID } from 'node:crypto';
import { CookieJar, csrfOf, pkce, request } from '../helpers/browserless.ts';
import type { Deployment } from './fixture.ts';
import { uncleanReason } from './load.ts';

export const OUTAGE_TEXT = { ja: 'ただいまPASSを一時的にご利用いただけません', en: 'PASS is temporarily unavailable' };

/** A resident on PASS's sign-in page, ready to post it (the interaction is in Redis, the account in PostgreSQL). */
export async function onSignInPage(deployment: Deployment): Promise<{ post(accept: string): Promise<Response>; jar: CookieJar }> {
  const jar = new CookieJar();
  const { challenge } = pkce();
  const query = new URLSearchParams({
    client_id: deployment.app.clientId,
    redirect_uri: deployment.app.redirectUri,
    response_type: 'code',
    scope: 'openid',
    code_challenge: challenge,
    code_challenge_method: 'S256',
    state: randomUUID(),
  });
  let next = `${deployment.issuer}/auth?${query}`;
  for (let i = 0; i < 5; i += 1) {
    const response = await request(jar, next);
    if (response.status >= 300 && response.status < 400) {
      next = new URL(response.headers.get('location')!, next).toString();
      continue;
    }
    const html = await response.text();
    const action = /action="(\/interaction\/[^/"]+\/login)"/.exec(html)?.[1];
    if (!action) throw new Error(`no sign-in form: ${response.status} ${html.slice(0, 200)}`);
    const form = new URLSearchParams({ login: deployment.residents[0]!.email, password: deployment.residents[0]!.password, csrf: csrfOf(html) });
    return {
      jar,
      post: (accept: string) =>
        request(jar, `${deployment.issuer}${action}`, { method: 'POST', body: form, headers: { accept, 'accept-language': 'ja' }, signal: AbortSignal.timeout(10_000) }),
    };
  }
  throw new Error('the sign-in page did not come');
}

/** A clean 503: Retry-After in seconds, nothing internal in the body. */
export async function expectClean503(response: Response): Promise<string> {
  const text = await response.text();
  expect({ status: response.status, unclean: uncleanReason({ status: response.status, headers: response.headers, text }, false) }).toEqual({ status: 503, unclean: undefined });
  expect(response.headers.get('retry-after')).toMatch(/^\d+$/);
  return text;
}

export function basicAuth(deployment: Deployment): string {
  return `Basic ${Buffer.from(`${encodeURIComponent(deployment.machine.clientId)}:${encodeURIComponent(deployment.machine.secret)}`).toString('base64')}`;
}

// Shared setup of the PASS Manager tests: facilities, staff of two municipalities, a signed-in
// console session walked through PASS's own pages (no browser), and Manager API tokens.
import { authorize, CookieJar, exchangeCode, factorsOf, request, signInStep } from '../helpers/browserless.ts';
import { storageModes } from '../helpers/services.ts';
import { givePasskey, giveTotp } from '../helpers/sign-in-factors.ts';
import { PASSWORD, runtime, withFacilities, type Pass } from '../kiosk/helpers.ts';
import type { StaffRole } from '../../src/staff/staff-service.ts';
import { demoClients } from '../../src/demo/seed.ts';

export { PASSWORD, givePasskey, giveTotp, type Pass };

/** Who the tests sign in as: staff of two facilities in two cities, a city's admin, and a resident. */
export const STAFF = {
  niconico: { email: 'staff@niconico.example.jp', role: 'facility_staff' as StaffRole, where: { facilityId: 'kaga-niconico-park' } },
  sakai: { email: 'staff@sakai-kids.example.jp', role: 'facility_staff' as StaffRole, where: { facilityId: 'sakai-kids-park' } },
  kagaAdmin: { email: 'admin@city.kaga.example.jp', role: 'municipal_admin' as StaffRole, where: { municipalityCode: '172065' } },
};
export const NOT_STAFF = 'someone@example.jp';

/** PGlite and PostgreSQL (+ Redis where the run has it): the two ends of the storage modes, for SQL both must run. */
export function storageEnds() {
  return storageModes().filter((_m, i, all) => i === 0 || i === all.length - 1);
}

/**
 * An account that can sign in to PASS Manager the way staff must (urn:pass:acr:mfa-strong): with
 * a passkey (what the browserless helpers use) and an authenticator app (what browser tests type).
 */
export async function strongAccount(pass: Pass, email: string): Promise<string> {
  const account = await pass.platform.accounts.create({ email, password: PASSWORD, verified: true });
  await givePasskey(pass, account.id, email);
  await giveTotp(pass, account.id, email);
  return account.id;
}

/** A staff member (a strongAccount with a staff assignment). */
export async function staffMember(pass: Pass, email: string, role: StaffRole, where: { facilityId?: string; municipalityCode?: string }): Promise<string> {
  const accountId = await strongAccount(pass, email);
  await runtime(pass).staff.assign({ accountId, role, ...where });
  return accountId;
}

/**
 * The facilities, STAFF and NOT_STAFF, each a strongAccount, so that NOT_STAFF is refused for not
 * being staff, not for a weak sign-in.
 */
export async function staffWorld(pass: Pass): Promise<Record<keyof typeof STAFF, string>> {
  await withFacilities(pass);
  const ids = {} as Record<keyof typeof STAFF, string>;
  for (const [key, s] of Object.entries(STAFF) as Array<[keyof typeof STAFF, (typeof STAFF)[keyof typeof STAFF]]>) {
    ids[key] = await staffMember(pass, s.email, s.role, s.where);
  }
  await strongAccount(pass, NOT_STAFF);
  return ids;
}

/**
 * A console session as a browser gets one: /manager/login → PASS sign-in → /manager/callback. The
 * sign-in is the account's passkey where it has one (givePasskey), else the password and the code
 * (the e-mail code from the outbox, or the authenticator app's).
 */
export async function managerSession(issuer: string, login: string, jar = new CookieJar(), start = '/manager/login'): Promise<{ jar: CookieJar; landed: Response; at: string }> {
  let next = `${issuer}${start}`;
  let init: RequestInit = {};
  for (let step = 0; step < 16; step += 1) {
    const response = await request(jar, next, init);
    init = {};
    if (response.status >= 300 && response.status < 400) {
      next = new URL(response.headers.get('location')!, next).toString();
      continue;
    }
    if (new URL(next).pathname.startsWith('/manager/')) return { jar, landed: response, at: next };
    const html = await response.text();
    const then = await signInStep(jar, issuer, html, { login, password: PASSWORD, passkey: factorsOf(issuer, login).passkey });
    if (!then) throw new Error(`unexpected page ${response.status} at ${next}: ${html.slice(0, 300)}`);
    ({ url: next, init } = then);
  }
  throw new Error('Manager sign-in did not finish');
}

/** A Manager API token (scope `manager`) of an account, from a test relying party (signed in as managerSession does). */
export async function managerToken(pass: Pass, email: string, scope = 'openid manager'): Promise<string> {
  const clientId = 'manager-api-test';
  const redirectUri = 'http://127.0.0.1:9/manager-cb';
  if (!(await pass.oidc.clients.find(clientId))) await pass.oidc.clients.create({ clientId, name: 'manager API (test)', redirectUris: [redirectUri], tokenEndpointAuthMethod: 'none' });
  const flow = await authorize({ issuer: pass.issuer, clientId, redirectUri, login: email, password: PASSWORD, scope, resource: `${pass.issuer}/api` });
  return String((await exchangeCode(pass.issuer, clientId, redirectUri, flow.code, flow.verifier)).access_token);
}

/**
 * An admin's token for the admin API, obtained the way PASS Manager gets one: scope `admin` goes to
 * PASS's own apps only, so PASS Manager's client asks (with its secret), for the PASS API resource.
 * PASS Manager's client is seeded by its capability where that runs, else made here.
 */
export async function adminToken(pass: Pass, email: string, password = PASSWORD): Promise<string> {
  if (!(await pass.oidc.clients.find('pass-manager'))) await pass.oidc.clients.create(demoClients(pass.issuer).find((c) => c.clientId === 'pass-manager')!);
  const manager = (await pass.oidc.clients.find('pass-manager'))!;
  const redirectUri = `${pass.issuer}/manager/callback`;
  const flow = await authorize({ issuer: pass.issuer, clientId: 'pass-manager', redirectUri, login: email, password, scope: 'openid admin', resource: `${pass.issuer}/api` });
  const response = await fetch(new URL('/token', pass.issuer), {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from(`pass-manager:${manager.clientSecret}`).toString('base64')}` },
    body: new URLSearchParams({ grant_type: 'authorization_code', redirect_uri: redirectUri, code: flow.code, code_verifier: flow.verifier }),
  });
  const tokens = (await response.json()) as Record<string, unknown>;
  if (!response.ok) throw new Error(`admin token: ${JSON.stringify(tokens)}`);
  // Said here rather than as a 403 from the first admin call.
  if (!String(tokens.scope).split(' ').includes('admin')) throw new Error(`admin token without the admin scope: ${String(tokens.scope)}`);
  return String(tokens.access_token);
}

/** A Manager API token of each of STAFF. */
export async function staffTokens(pass: Pass): Promise<Record<keyof typeof STAFF, string>> {
  const tokens = {} as Record<keyof typeof STAFF, string>;
  for (const key of Object.keys(STAFF) as Array<keyof typeof STAFF>) tokens[key] = await managerToken(pass, STAFF[key].email);
  return tokens;
}

export async function api(pass: Pass, token: string, path: string, init: RequestInit = {}): Promise<{ status: number; headers: Headers; text: string; body: Record<string, any> }> {
  const headers = new Headers(init.headers);
  headers.set('authorization', `Bearer ${token}`);
  const response = await fetch(new URL(path, pass.issuer), { ...init, headers });
  const text = await response.text();
  let body: Record<string, any> = {};
  try {
    body = text ? (JSON.parse(text) as Record<string, any>) : {};
  } catch {
    body = {};
  }
  return { status: response.status, headers: response.headers, text, body };
}

/** `api` with `json` as the body (a POST unless `method` says otherwise); with no body, a GET. */
export function callApi(pass: Pass, token: string, path: string, json?: unknown, method = json === undefined ? 'GET' : 'POST') {
  return api(pass, token, path, { method, ...(json !== undefined ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(json) } : {}) });
}

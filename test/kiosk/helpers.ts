// Shared setup of the kiosk and check-in tests: a PASS with facilities, staff, and a kiosk
// provisioned the way the tablet does it (device grant approved by staff, DPoP-bound tokens).
import { createHash, randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { authorize, CookieJar, exchangeCode, request, signInStep } from '../helpers/browserless.ts';
import type { startPass } from '../helpers/pass.ts';
import { readCatalog } from '../../src/facilities/facility-service.ts';
import type { StaffRole } from '../../src/staff/staff-service.ts';

export type Pass = Awaited<ReturnType<typeof startPass>>;
export const PASSWORD = 'noto hanto yuki 2026';

export async function withFacilities(pass: Pass): Promise<void> {
  await pass.platform.facilities.importCatalog(readCatalog());
}

export function runtime(pass: Pass) {
  const r = pass.provided.kiosk;
  if (!r) throw new Error('kiosk capability not running');
  return r;
}

export async function staffAccount(pass: Pass, email: string, role: StaffRole, where: { facilityId?: string; municipalityCode?: string }): Promise<string> {
  const account = await pass.platform.accounts.create({ email, password: PASSWORD, verified: true });
  await runtime(pass).staff.assign({ accountId: account.id, role, ...where });
  return account.id;
}

/**
 * What a staff member does at the verification URL: sign in (password and code, or passkey), confirm
 * the user code, allow. `outboxes`: where the sign-in code may be (see SignInAs).
 */
export async function approveDevice(issuer: string, url: string, login: string, password = PASSWORD, decision: 'allow' | 'deny' = 'allow', outboxes?: string[]): Promise<void> {
  const jar = new CookieJar();
  let next = url;
  let init: RequestInit = {};
  for (let step = 0; step < 16; step += 1) {
    const response = await request(jar, next, init);
    init = {};
    if (response.status >= 300 && response.status < 400) {
      next = new URL(response.headers.get('location')!, next).toString();
      continue;
    }
    const html = await response.text();
    const then = await signInStep(jar, issuer, html, { login, password, outboxes }, decision);
    if (then) {
      ({ url: next, init } = then);
      continue;
    }
    const action = /<form method="post" action="([^"]+)"/.exec(html)?.[1]?.replace(/&amp;/g, '&');
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(html)?.[1];
    const userCode = /name="user_code" value="([^"]+)"/.exec(html)?.[1];
    if (action && xsrf && userCode) {
      next = new URL(action, issuer).toString();
      init = { method: 'POST', body: new URLSearchParams({ xsrf, user_code: userCode, confirm: 'yes' }) };
      continue;
    }
    if (response.status === 200 && /role="status"/.test(html)) return;
    throw new Error(`unexpected page ${response.status}: ${html.slice(0, 400)}`);
  }
  throw new Error('device approval did not finish');
}

/** A kiosk in Node: a P-256 DPoP key, the device grant, the kiosk API, PASS's DPoP nonces (as the kiosk app keeps them). */
export class TestKiosk {
  readonly issuer: string;
  key!: { privateKey: CryptoKey; jwk: JWK };
  accessToken = '';
  refreshToken: string | undefined;
  id = '';
  /** The latest DPoP-Nonce of the token endpoint (as) and of the kiosk API (rs). */
  nonces: { as: string | undefined; rs: string | undefined } = { as: undefined, rs: undefined };

  constructor(issuer: string) {
    this.issuer = issuer;
  }

  async init(): Promise<this> {
    const { privateKey, publicKey } = await generateKeyPair('ES256');
    this.key = { privateKey, jwk: await exportJWK(publicKey) };
    return this;
  }

  /** A proof with the nonce of the server it goes to: the kiosk API when it carries a token, else the token endpoint. `nonce: null` leaves it out. */
  async proof(method: string, url: string, token?: string, nonce?: string | null): Promise<string> {
    const payload: Record<string, unknown> = { jti: randomUUID(), htm: method, htu: url, iat: Math.floor(Date.now() / 1000) };
    if (token) payload.ath = createHash('sha256').update(token).digest('base64url');
    const chosen = nonce === undefined ? this.nonces[token ? 'rs' : 'as'] : nonce;
    if (chosen) payload.nonce = chosen;
    return new SignJWT(payload).setProtectedHeader({ typ: 'dpop+jwt', alg: 'ES256', jwk: this.key.jwk }).sign(this.key.privateKey);
  }

  async deviceAuthorization(): Promise<Record<string, any>> {
    const response = await fetch(`${this.issuer}/device/auth`, {
      method: 'POST',
      body: new URLSearchParams({ client_id: 'pass-kiosk', scope: 'kiosk offline_access', resource: `${this.issuer}/api` }),
    });
    return (await response.json()) as Record<string, any>;
  }

  /** Keeps the DPoP-Nonce a response brings; true when there was one. */
  learnNonce(response: Response, server: 'as' | 'rs' = 'rs'): boolean {
    const nonce = response.headers.get('dpop-nonce');
    if (nonce) this.nonces[server] = nonce;
    return Boolean(nonce);
  }

  async token(params: Record<string, string>): Promise<{ status: number; body: Record<string, any> }> {
    const url = `${this.issuer}/token`;
    const send = async () => {
      const response = await fetch(url, { method: 'POST', headers: { DPoP: await this.proof('POST', url) }, body: new URLSearchParams({ client_id: 'pass-kiosk', ...params }) });
      return { response, body: (await response.json()) as Record<string, any> };
    };
    let { response, body } = await send();
    // RFC 9449 §8: the token endpoint answers 400 use_dpop_nonce with a nonce to use.
    if (this.learnNonce(response, 'as') && response.status === 400 && body.error === 'use_dpop_nonce') ({ response, body } = await send());
    this.learnNonce(response, 'as');
    if (response.status === 200) {
      this.accessToken = body.access_token;
      this.refreshToken = body.refresh_token ?? this.refreshToken;
    }
    return { status: response.status, body };
  }

  async call(method: string, path: string, options: { json?: unknown; body?: Uint8Array; contentType?: string; proof?: string; scheme?: string } = {}): Promise<{ status: number; body: Record<string, any> }> {
    const url = `${this.issuer}${path}`;
    const send = async () => {
      const headers: Record<string, string> = {
        authorization: `${options.scheme ?? 'DPoP'} ${this.accessToken}`,
        DPoP: options.proof ?? (await this.proof(method, url.split('?')[0]!, this.accessToken)),
      };
      if (options.json !== undefined) headers['content-type'] = 'application/json';
      if (options.body) headers['content-type'] = options.contentType ?? 'image/jpeg';
      const response = await fetch(url, { method, headers, ...(options.json !== undefined ? { body: JSON.stringify(options.json) } : options.body ? { body: options.body } : {}) });
      const text = await response.text();
      const nonceAsked = /error="use_dpop_nonce"/.test(response.headers.get('www-authenticate') ?? '');
      return { status: response.status, body: text ? (JSON.parse(text) as Record<string, any>) : {}, retry: this.learnNonce(response) && nonceAsked };
    };
    let answer = await send();
    // RFC 9449 §9: the kiosk API answers 401 use_dpop_nonce with a nonce; a proof made here is made again with it.
    if (answer.retry && !options.proof) answer = await send();
    return { status: answer.status, body: answer.body };
  }
}

/** Device authorization → staff approval → DPoP-bound tokens → activation. */
export async function provisionKiosk(pass: Pass, staffEmail: string, facilityId?: string): Promise<TestKiosk> {
  const kiosk = await new TestKiosk(pass.issuer).init();
  const auth = await kiosk.deviceAuthorization();
  await approveDevice(pass.issuer, auth.verification_uri_complete, staffEmail);
  const tokens = await kiosk.token({ grant_type: 'urn:ietf:params:oauth:grant-type:device_code', device_code: auth.device_code });
  if (tokens.status !== 200) throw new Error(`device token: ${JSON.stringify(tokens.body)}`);
  const activated = await kiosk.call('POST', '/api/kiosk/activation', { json: facilityId ? { facilityId } : {} });
  if (activated.status !== 201) throw new Error(`activation: ${activated.status} ${JSON.stringify(activated.body)}`);
  kiosk.id = activated.body.kiosk.id;
  return kiosk;
}

/** A PASS API token (`pass:api`) of an account, as PASS Manager or the PASS app holds one. */
export async function apiToken(pass: Pass, email: string): Promise<string> {
  const clientId = 'kiosk-admin-test';
  const redirectUri = 'http://127.0.0.1:9/cb';
  if (!(await pass.oidc.clients.find(clientId))) await pass.oidc.clients.create({ clientId, name: 'manager (test)', redirectUris: [redirectUri], tokenEndpointAuthMethod: 'none' });
  const flow = await authorize({ issuer: pass.issuer, clientId, redirectUri, login: email, password: PASSWORD, scope: 'openid pass:api', resource: `${pass.issuer}/api` });
  return String((await exchangeCode(pass.issuer, clientId, redirectUri, flow.code, flow.verifier)).access_token);
}

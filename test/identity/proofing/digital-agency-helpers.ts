/**
 * What the Digital Agency tests share: PASS configured as the relying party of a stand-in
 * authorization server that the test hosts itself (the same code PASS serves in development), so
 * the test can make it misbehave — an ID token signed by another key, another nonce or issuer, a
 * UserInfo answer with other facts — and the flow a resident goes through, over plain HTTP.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Server } from 'node:http';
import Koa from 'koa';
import { decodeJwt, decodeProtectedHeader, SignJWT, type JWTPayload } from 'jose';
import { DEMO_RESIDENTS } from '../../../src/jpki/demo-residents.ts';
import { loadDevelopmentCas } from '../../../src/identity/proofing/dev-pki.ts';
import { DatabaseTransientStore } from '../../../src/identity/proofing/transient-store.ts';
import { signingKeyOf, type SigningKey } from '../../../src/identity/proofing/digital-agency/keys.ts';
import { standInRoutes } from '../../../src/identity/proofing/digital-agency/stand-in/authorization-server.ts';
import { PhoneCards } from '../../../src/identity/proofing/digital-agency/stand-in/phone-card.ts';
import { freePort } from '../../helpers/pass.ts';
import { tempDir } from '../../helpers/services.ts';
import { api, startEnv, type ApiResult, type Env } from '../../jpki/proofing-helpers.ts';
import type { StorageMode } from '../../helpers/services.ts';

export const CLIENT_ID = 'RP00000001';
export const CALLBACK_PATH = '/app/identity/digital-agency/callback';

/** How the hosted server misbehaves for the next exchanges; cleared by each test. */
export interface Tampering {
  /** Rewrites the ID token's claims; signs with `key` instead of the server's own. */
  idToken?: (claims: JWTPayload) => { claims: JWTPayload; key?: SigningKey };
  userinfo?: (claims: Record<string, unknown>) => Record<string, unknown>;
}

export interface DaEnv extends Env {
  issuer: string;
  serverKey: SigningKey;
  tampering: Tampering;
  closeStandIn(): Promise<void>;
}

export async function startDaEnv(mode: StorageMode): Promise<DaEnv> {
  const port = await freePort();
  const issuer = `http://127.0.0.1:${port}/realms/main`;
  const rp = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const keyDir = tempDir('pass-da-key-');
  const keyFile = path.join(keyDir.path, 'rp.pem');
  writeFileSync(keyFile, rp.privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  const env = await startEnv(mode, { DIGITAL_AGENCY_ISSUER: issuer, DIGITAL_AGENCY_CLIENT_ID: CLIENT_ID, DIGITAL_AGENCY_SIGNING_KEY: keyFile });
  const { pass } = env;
  const serverKey = await signingKeyOf(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey);
  const tampering: Tampering = {};
  const app = new Koa();
  app.use(async (ctx, next) => {
    await next();
    const body = ctx.body as Record<string, unknown> | undefined;
    if (ctx.status !== 200 || !body) return;
    if (ctx.path.endsWith('/token') && tampering.idToken && typeof body.id_token === 'string') {
      const { claims, key } = tampering.idToken(decodeJwt(body.id_token));
      const signer = key ?? serverKey;
      const header = decodeProtectedHeader(body.id_token);
      body.id_token = await new SignJWT(claims).setProtectedHeader({ alg: signer.alg, kid: String(header.kid), typ: 'JWT' }).sign(signer.privateKey);
    }
    if (ctx.path.endsWith('/userinfo') && tampering.userinfo) ctx.body = tampering.userinfo(body);
  });
  const router = standInRoutes({
    issuer,
    client: { clientId: CLIENT_ID, redirectUris: [`${pass.issuer}${CALLBACK_PATH}`], publicJwk: (await signingKeyOf(rp.privateKey)).publicJwk },
    signingKey: serverKey,
    subjectSecret: randomBytes(32),
    cards: new PhoneCards(await loadDevelopmentCas(pass.platform.db, pass.platform.box), pass.provided.proofing!.pki.verifier, DEMO_RESIDENTS),
    store: new DatabaseTransientStore(pass.platform.db),
    production: false,
  });
  app.use(router.routes());
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(port, '127.0.0.1', () => resolve(s));
  });
  return {
    ...env,
    issuer,
    serverKey,
    tampering,
    async closeStandIn() {
      await new Promise((resolve) => server.close(resolve));
      keyDir.remove();
    },
  };
}

export interface Redirect {
  code?: string;
  state?: string;
  iss?: string;
  error?: string;
}

/** The "phone app" page: picks the resident, types the PIN (or cancels); where the server sends the browser back. */
export async function useApp(authorizationUrl: string, residentId: string, pin = '1234', action: 'share' | 'cancel' = 'share'): Promise<{ status: number; redirect?: Redirect; html?: string }> {
  const page = await fetch(authorizationUrl, { redirect: 'manual' });
  const html = await page.text();
  const request = /name="request" value="([^"]+)"/.exec(html)?.[1];
  if (!request) return { status: page.status, html };
  const action_ = new URL(/action="([^"]+)"/.exec(html)![1]!, authorizationUrl);
  const answer = await fetch(action_, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ request, resident: residentId, pin, action }).toString(),
  });
  if (answer.status !== 303) return { status: answer.status, html: await answer.text() };
  const to = new URL(answer.headers.get('location')!);
  const get = (name: string) => to.searchParams.get(name) ?? undefined;
  const redirect: Redirect = {};
  for (const name of ['code', 'state', 'iss', 'error'] as const) {
    const value = get(name);
    if (value !== undefined) redirect[name] = value;
  }
  return { status: 303, redirect };
}

export interface Started {
  requestId: string;
  authorizationUrl: string;
  state: string;
}

export async function start(env: Env, token: string): Promise<Started> {
  const started = await api(env, token, 'POST', '/api/identity/digital-agency/start');
  if (started.status !== 200) throw new Error(`start: ${started.status} ${JSON.stringify(started.body)}`);
  const authorizationUrl = String(started.body.authorization_url);
  return { requestId: String(started.body.request_id), authorizationUrl, state: new URL(authorizationUrl).searchParams.get('state')! };
}

/** start → the app → callback: the callback's answer. */
export async function proveWithApp(env: Env, token: string, residentId: string): Promise<ApiResult> {
  const started = await start(env, token);
  const { redirect } = await useApp(started.authorizationUrl, residentId);
  return api(env, token, 'POST', '/api/identity/digital-agency/callback', { request_id: started.requestId, ...redirect });
}

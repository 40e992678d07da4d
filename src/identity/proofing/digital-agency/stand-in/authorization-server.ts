/**
 * A stand-in for the Digital Agency's authorization server (デジタル認証アプリ), for development
 * and tests only: it follows the published API reference for private businesses where it speaks,
 * at the reference's Keycloak paths under its issuer —
 *   GET  /.well-known/openid-configuration
 *   GET  /protocol/openid-connect/auth      the request checked as the reference lists it; a page
 *   POST /protocol/openid-connect/auth      that plays the phone app: pick a demo resident, type the
 *                                           card's 4-digit PIN (checked by the simulated card)
 *   POST /protocol/openid-connect/token     authorization_code with PKCE S256 and private_key_jwt
 *                                           (the RP's registered public key), one-time codes
 *   GET|POST /protocol/openid-connect/userinfo  the basic four of the granted scopes
 *   GET  /protocol/openid-connect/certs     its ES256 key
 * Where the reference is silent it behaves as Keycloak does, and docs/jpki.md lists each point in
 * which it differs from the real service. It refuses to exist in production.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Router from '@koa/router';
import type { Context, Middleware } from 'koa';
import { koaBody } from 'koa-body';
import { importJWK, jwtVerify, SignJWT, type JWK } from 'jose';
import { pageRenderer } from '../../../../http/render.ts';
import { pickLanguage } from '../../../../http/i18n.ts';
import { describeCardError, isCardError } from '../../../../card/errors.ts';
import { PassError } from '../../../../core/errors.ts';
import type { TransientStore } from '../../transient-store.ts';
import { PROOFING_REASONS } from '../../messages.ts';
import type { SigningKey } from '../keys.ts';
import type { PhoneCards } from './phone-card.ts';
import { STAND_IN_MESSAGES } from './messages.ts';

const render = pageRenderer(path.join(path.dirname(fileURLToPath(import.meta.url)), 'views'));

/** The reference's scopes; `sign` (the signature flow) is not played by the stand-in. */
const SCOPES = ['openid', 'name', 'address', 'birthdate', 'gender'] as const;
const REQUEST_TTL_SECONDS = 600;
const CODE_TTL_SECONDS = 60;
const TOKEN_TTL_SECONDS = 300;
const ASSERTION_MAX_LIFETIME_SECONDS = 600;
const VSCHAR = /^[\x20-\x7E]{1,255}$/;
const CLIENT_ID = /^[0-9A-Za-z]{1,255}$/;
const CODE_CHALLENGE = /^[0-9A-Za-z_-]{43,128}$/;
const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

/** The relying party registered with the stand-in: its id, redirect URIs and public key. */
export interface RegisteredClient {
  clientId: string;
  redirectUris: readonly string[];
  publicJwk: JWK;
}

export interface StandInOptions {
  /** The issuer identifier; the routes are served under its path. */
  issuer: string;
  client: RegisteredClient;
  signingKey: SigningKey;
  /** Makes each resident's `sub` for the client (a per-relying-party identifier, like the real one's). */
  subjectSecret: Uint8Array;
  cards: PhoneCards;
  /** Requests, codes and tokens, shared by every node. */
  store: TransientStore;
  production: boolean;
  now?: () => Date;
}

interface AuthRequest {
  clientId: string;
  redirectUri: string;
  scope: string[];
  state: string;
  nonce: string;
  codeChallenge: string;
}

interface IssuedCode {
  clientId: string;
  redirectUri: string;
  codeChallenge: string;
  nonce: string;
  scope: string[];
  residentId: string;
  sub: string;
  authTime: number;
}

interface IssuedToken {
  clientId: string;
  scope: string[];
  residentId: string;
  sub: string;
}

const form = koaBody({ urlencoded: true, json: false, multipart: false, text: false, formLimit: '16kb' }) as unknown as Middleware;

/** A form that cannot be read is the client's error, answered in the endpoint's own words. */
const readForm: Middleware = async (ctx, next) => {
  try {
    await form(ctx, async () => {});
  } catch {
    ctx.status = 400;
    ctx.body = { error: 'invalid_request', error_description: 'the form could not be read' };
    return;
  }
  await next();
};

function field(source: unknown, name: string): string | undefined {
  const value = (source as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' ? value : undefined;
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

const sha256 = (text: string) => createHash('sha256').update(text, 'ascii').digest();

export function standInRoutes(options: StandInOptions): Router {
  if (options.production) throw new Error('the Digital Agency stand-in is for development and tests; production never serves it');
  const { issuer, client, signingKey, store, cards } = options;
  const now = options.now ?? (() => new Date());
  const base = new URL(issuer).pathname.replace(/\/$/, '');
  const endpoints = {
    auth: `${issuer}/protocol/openid-connect/auth`,
    token: `${issuer}/protocol/openid-connect/token`,
    userinfo: `${issuer}/protocol/openid-connect/userinfo`,
    certs: `${issuer}/protocol/openid-connect/certs`,
  };
  const clientKey = importJWK(client.publicJwk);
  const router = new Router({ prefix: base });
  const subOf = (residentId: string) => createHmac('sha256', options.subjectSecret).update(`${client.clientId}\0${residentId}`).digest('hex').slice(0, 32);

  router.get('/.well-known/openid-configuration', (ctx) => {
    ctx.set('Cache-Control', 'public, max-age=300');
    ctx.body = {
      issuer,
      authorization_endpoint: endpoints.auth,
      token_endpoint: endpoints.token,
      userinfo_endpoint: endpoints.userinfo,
      jwks_uri: endpoints.certs,
      response_types_supported: ['code'],
      grant_types_supported: ['authorization_code'],
      subject_types_supported: ['pairwise'],
      scopes_supported: [...SCOPES],
      claims_supported: ['sub', 'name', 'address', 'birthdate', 'gender'],
      id_token_signing_alg_values_supported: ['ES256'],
      token_endpoint_auth_methods_supported: ['private_key_jwt'],
      token_endpoint_auth_signing_alg_values_supported: ['ES256', 'RS256'],
      code_challenge_methods_supported: ['S256'],
      authorization_response_iss_parameter_supported: true,
    };
  });

  router.get('/protocol/openid-connect/certs', (ctx) => {
    ctx.set('Cache-Control', 'public, max-age=300');
    ctx.body = { keys: [signingKey.publicJwk] };
  });

  // ── the authorization endpoint and the page that plays the phone app ─────────────────────

  async function page(ctx: Context, requestId: string, request: AuthRequest, error: string | null, chosen: string, status = 200): Promise<void> {
    ctx.status = status;
    ctx.set('Cache-Control', 'no-store');
    await render(ctx, 'phone-app', STAND_IN_MESSAGES, {
      requestId,
      action: `${base}/protocol/openid-connect/auth`,
      clientId: request.clientId,
      residents: cards.residents().map((r) => ({ id: r.id, name: r.name })),
      chosen,
      error,
    });
  }

  /** A request that cannot be answered at the client's redirect URI: said on the page, in the visitor's language. */
  async function errorPage(ctx: Context, problem: 'client' | 'redirect' | 'state' | 'expired'): Promise<void> {
    ctx.status = 400;
    ctx.set('Cache-Control', 'no-store');
    await render(ctx, 'stand-in-error', STAND_IN_MESSAGES, { description: STAND_IN_MESSAGES[`stand-in.error.${problem}`]![pickLanguage(ctx)] });
  }

  /** Back to the client with an error, as RFC 6749 §4.1.2.1 says, once the redirect URI is known good. */
  function redirectError(ctx: Context, request: Pick<AuthRequest, 'redirectUri' | 'state'>, error: string, description: string): void {
    const to = new URL(request.redirectUri);
    to.searchParams.set('error', error);
    to.searchParams.set('error_description', description);
    to.searchParams.set('state', request.state);
    to.searchParams.set('iss', issuer);
    ctx.status = 303;
    ctx.redirect(to.href);
  }

  router.get('/protocol/openid-connect/auth', async (ctx) => {
    const q = ctx.query as Record<string, unknown>;
    const clientId = field(q, 'client_id');
    const redirectUri = field(q, 'redirect_uri');
    // An unknown client or redirect URI is never redirected to: that would make the page an open redirector.
    if (!clientId || !CLIENT_ID.test(clientId) || clientId !== client.clientId) return errorPage(ctx, 'client');
    if (!redirectUri || !client.redirectUris.includes(redirectUri)) return errorPage(ctx, 'redirect');
    const state = field(q, 'state');
    if (!state || !VSCHAR.test(state)) return errorPage(ctx, 'state');
    const reply = { redirectUri, state };
    if (field(q, 'response_type') !== 'code') return redirectError(ctx, reply, 'unsupported_response_type', 'response_type must be code');
    const scope = (field(q, 'scope') ?? '').split(' ').filter(Boolean);
    if (!scope.includes('openid')) return redirectError(ctx, reply, 'invalid_scope', 'openid is required');
    if (scope.some((s) => !(SCOPES as readonly string[]).includes(s))) return redirectError(ctx, reply, 'invalid_scope', 'unknown scope');
    const nonce = field(q, 'nonce');
    if (!nonce || !VSCHAR.test(nonce)) return redirectError(ctx, reply, 'invalid_request', 'nonce is required (1–255 printable ASCII characters)');
    const codeChallenge = field(q, 'code_challenge');
    if (!codeChallenge || !CODE_CHALLENGE.test(codeChallenge)) return redirectError(ctx, reply, 'invalid_request', 'code_challenge is required');
    if (field(q, 'code_challenge_method') !== 'S256') return redirectError(ctx, reply, 'invalid_request', 'code_challenge_method must be S256');
    const request: AuthRequest = { clientId, redirectUri, scope, state, nonce, codeChallenge };
    const requestId = randomBytes(16).toString('base64url');
    await store.put(`da-stand-in:request:${requestId}`, JSON.stringify(request), REQUEST_TTL_SECONDS);
    await page(ctx, requestId, request, null, cards.residents()[0]?.id ?? '');
  });

  router.post('/protocol/openid-connect/auth', readForm, async (ctx) => {
    const body = ctx.request.body;
    const requestId = field(body, 'request') ?? '';
    const key = `da-stand-in:request:${requestId}`;
    const raw = /^[A-Za-z0-9_-]{16,64}$/.test(requestId) ? await store.peek(key) : undefined;
    if (!raw) return errorPage(ctx, 'expired');
    const request = JSON.parse(raw) as AuthRequest;
    const lang = pickLanguage(ctx);
    if (field(body, 'action') === 'cancel') {
      await store.take(key);
      return redirectError(ctx, request, 'access_denied', 'the resident cancelled in the app');
    }
    const residentId = field(body, 'resident') ?? '';
    const pin = field(body, 'pin') ?? '';
    if (!cards.resident(residentId)) return page(ctx, requestId, request, STAND_IN_MESSAGES['stand-in.error.resident']![lang], '', 400);
    // A PIN that cannot be right is refused before it costs one of the card's tries.
    if (!/^\d{4}$/.test(pin)) return page(ctx, requestId, request, STAND_IN_MESSAGES['stand-in.error.pin_format']![lang], residentId, 400);
    try {
      await cards.authenticate(residentId, pin);
    } catch (error) {
      if (isCardError(error)) return page(ctx, requestId, request, describeCardError(error, lang), residentId, 400);
      if (error instanceof PassError) return page(ctx, requestId, request, PROOFING_REASONS.text(error.reason)?.[lang] ?? error.message, residentId, 400);
      throw error;
    }
    // The request is used once: a second submission of the page finds nothing.
    if (!(await store.take(key))) return errorPage(ctx, 'expired');
    const code = randomBytes(32).toString('base64url');
    const issued: IssuedCode = {
      clientId: request.clientId,
      redirectUri: request.redirectUri,
      codeChallenge: request.codeChallenge,
      nonce: request.nonce,
      scope: request.scope,
      residentId,
      sub: subOf(residentId),
      authTime: Math.floor(now().getTime() / 1000),
    };
    await store.put(`da-stand-in:code:${code}`, JSON.stringify(issued), CODE_TTL_SECONDS);
    const to = new URL(request.redirectUri);
    to.searchParams.set('state', request.state);
    to.searchParams.set('session_state', randomBytes(16).toString('hex'));
    to.searchParams.set('iss', issuer);
    to.searchParams.set('code', code);
    ctx.status = 303;
    ctx.redirect(to.href);
  });

  // ── the token endpoint ──────────────────────────────────────────────────────────────────

  function tokenError(ctx: Context, status: number, error: string, description: string): void {
    ctx.status = status;
    ctx.set('Cache-Control', 'no-store');
    ctx.body = { error, error_description: description };
  }

  /** private_key_jwt (RFC 7523): signed by the registered key, iss = sub = client_id, aud this endpoint (or the issuer, as Keycloak takes), fresh, used once. */
  async function authenticateClient(body: unknown): Promise<string | undefined> {
    if (field(body, 'client_assertion_type') !== ASSERTION_TYPE) return undefined;
    const assertion = field(body, 'client_assertion');
    if (!assertion || assertion.length > 8192) return undefined;
    try {
      const { payload } = await jwtVerify(assertion, await clientKey, {
        issuer: client.clientId,
        subject: client.clientId,
        audience: [endpoints.token, issuer],
        algorithms: ['ES256', 'RS256', 'PS256'],
        requiredClaims: ['exp', 'jti'],
        currentDate: now(),
      });
      const claimed = field(body, 'client_id');
      if (claimed !== undefined && claimed !== client.clientId) return undefined;
      if (payload.exp! - Math.floor(now().getTime() / 1000) > ASSERTION_MAX_LIFETIME_SECONDS) return undefined;
      const jtiKey = `da-stand-in:jti:${createHash('sha256').update(String(payload.jti)).digest('hex')}`;
      if (await store.peek(jtiKey)) return undefined;
      await store.put(jtiKey, '1', ASSERTION_MAX_LIFETIME_SECONDS);
      return client.clientId;
    } catch {
      return undefined;
    }
  }

  router.post('/protocol/openid-connect/token', readForm, async (ctx) => {
    const body = ctx.request.body;
    const clientId = await authenticateClient(body);
    if (!clientId) return tokenError(ctx, 401, 'invalid_client', 'client authentication failed (private_key_jwt)');
    if (field(body, 'grant_type') !== 'authorization_code') return tokenError(ctx, 400, 'unsupported_grant_type', 'only authorization_code');
    const code = field(body, 'code') ?? '';
    // One time: the code is gone after this, whatever the outcome.
    const raw = code && code.length <= 128 ? await store.take(`da-stand-in:code:${code}`) : undefined;
    if (!raw) return tokenError(ctx, 400, 'invalid_grant', 'the code is unknown, expired or already used');
    const issued = JSON.parse(raw) as IssuedCode;
    if (issued.clientId !== clientId) return tokenError(ctx, 400, 'invalid_grant', 'the code was issued to another client');
    if (field(body, 'redirect_uri') !== issued.redirectUri) return tokenError(ctx, 400, 'invalid_grant', 'redirect_uri differs from the authorization request');
    const verifier = field(body, 'code_verifier') ?? '';
    if (!/^[A-Za-z0-9._~-]{43,128}$/.test(verifier) || !sameText(sha256(verifier).toString('base64url'), issued.codeChallenge)) {
      return tokenError(ctx, 400, 'invalid_grant', 'PKCE verification failed');
    }
    const accessToken = randomBytes(32).toString('base64url');
    const token: IssuedToken = { clientId, scope: issued.scope, residentId: issued.residentId, sub: issued.sub };
    await store.put(`da-stand-in:token:${sha256(accessToken).toString('hex')}`, JSON.stringify(token), TOKEN_TTL_SECONDS);
    const at = Math.floor(now().getTime() / 1000);
    const idToken = await new SignJWT({
      nonce: issued.nonce,
      at_hash: sha256(accessToken).subarray(0, 16).toString('base64url'),
      auth_time: issued.authTime,
      azp: clientId,
    })
      .setProtectedHeader({ alg: signingKey.alg, kid: signingKey.kid, typ: 'JWT' })
      .setIssuer(issuer)
      .setSubject(issued.sub)
      .setAudience(clientId)
      .setIssuedAt(at)
      .setExpirationTime(at + TOKEN_TTL_SECONDS)
      .sign(signingKey.privateKey);
    ctx.set('Cache-Control', 'no-store');
    ctx.set('Pragma', 'no-cache');
    ctx.body = { access_token: accessToken, token_type: 'Bearer', expires_in: TOKEN_TTL_SECONDS, id_token: idToken, scope: issued.scope.join(' ') };
  });

  // ── UserInfo ────────────────────────────────────────────────────────────────────────────

  const userinfo: Middleware = async (ctx) => {
    const header = ctx.get('authorization');
    const token = /^Bearer ([A-Za-z0-9_-]{16,128})$/.exec(header)?.[1];
    const raw = token ? await store.peek(`da-stand-in:token:${sha256(token).toString('hex')}`) : undefined;
    if (!raw) {
      ctx.status = 401;
      ctx.set('WWW-Authenticate', 'Bearer error="invalid_token"');
      ctx.body = { error: 'invalid_token', error_description: 'the access token is unknown or expired' };
      return;
    }
    const granted = JSON.parse(raw) as IssuedToken;
    const resident = cards.resident(granted.residentId)!;
    const claims: Record<string, unknown> = { sub: granted.sub };
    if (granted.scope.includes('name')) claims.name = resident.name;
    if (granted.scope.includes('address')) claims.address = resident.address;
    if (granted.scope.includes('birthdate')) claims.birthdate = resident.birthdate;
    if (granted.scope.includes('gender') && resident.sex !== '3') claims.gender = resident.sex === '1' ? 'male' : 'female';
    ctx.set('Cache-Control', 'no-store');
    ctx.body = claims;
  };
  router.get('/protocol/openid-connect/userinfo', userinfo);
  router.post('/protocol/openid-connect/userinfo', userinfo);

  return router;
}

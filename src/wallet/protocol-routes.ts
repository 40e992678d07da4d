/**
 * The OpenID4VCI endpoints a wallet calls (issue 19), each open to any origin (the wallet may be a
 * page served elsewhere; no cookie is involved, the access token travels in a header):
 *   GET  /.well-known/openid-credential-issuer          credential issuer metadata
 *   GET  /.well-known/oauth-authorization-server/wallet the wallet's authorization server
 *   GET  /.well-known/jwt-vc-issuer                     the issuer's keys (SD-JWT VC)
 *   POST /wallet/token                                  pre-authorized code → access token
 *   POST /wallet/nonce                                  a fresh c_nonce
 *   POST /wallet/credential                             access token + proof → one credential
 *   GET  /wallet/status-lists/:id                       a signed status list token
 * Refusals answer in OAuth's words (`error`, `error_description`) with PASS's reason and text.
 */
import Router from '@koa/router';
import type { Context, Middleware } from 'koa';
import { koaBody } from 'koa-body';
import { z } from 'zod';
import { textOf } from '../core/reasons.ts';
import { refusalOf } from '../http/api-edge.ts';
import { jsonBody, BODY_REASONS } from '../http/request-body.ts';
import { validation } from '../http/validate.ts';
import { canActFor } from '../households/directory.ts';
import type { Knex } from 'knex';
import { isConfigurationId } from './credential-types.ts';
import type { OfferGrant, WalletGrants } from './grants.ts';
import type { CredentialIssuer } from './issuance.ts';
import type { WalletKeys } from './issuer-keys.ts';
import { authorizationServerMetadata, credentialIssuerMetadata, jwtVcIssuerMetadata, PRE_AUTHORIZED_GRANT, WALLET_PATHS } from './metadata.ts';
import { checkProof } from './proof.ts';
import { OAUTH_ERROR, WALLET_REASONS, type WalletReason } from './reasons.ts';
import { STATUS_LIST_MEDIA_TYPE, STATUS_LIST_PATH, type StatusLists } from './status-lists.ts';
import { ACCESS_TOKEN_SECONDS } from './grants.ts';

export interface ProtocolDeps {
  db: Knex;
  issuer: string;
  /** The PASS app's client id: the only client a token is handed to. */
  appClientId: string;
  keys: WalletKeys;
  grants: WalletGrants;
  credentials: CredentialIssuer;
  lists: StatusLists;
}

const METADATA_MAX_AGE = 300;

/** OAuth's error answer, with PASS's reason and words beside it. */
export function protocolErrors(): Middleware {
  return async (ctx, next) => {
    try {
      await next();
    } catch (thrown) {
      const error = refusalOf(thrown);
      if (!error) throw thrown;
      const reason = error.reason as WalletReason;
      ctx.status = error.status;
      ctx.set('Cache-Control', 'no-store');
      if (error.status === 401) ctx.set('WWW-Authenticate', `Bearer error="${OAUTH_ERROR[reason] ?? 'invalid_token'}"`);
      ctx.body = {
        error: OAUTH_ERROR[reason] ?? (error.status === 413 || error.status === 415 || error.status === 400 ? 'invalid_request' : error.code),
        error_description: error.message,
        reason: error.reason,
        message: textOf(error.reason, [WALLET_REASONS, BODY_REASONS]) ?? { ja: 'リクエストが正しくありません。', en: 'The request is not valid.' },
        request_id: ctx.state.requestId,
      };
    }
  };
}

const { validate } = validation((issues) => WALLET_REASONS.refuse('invalid_credential_request', issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ')));

const credentialBody = z.object({
  credential_configuration_id: z.string().min(1).max(64),
  proofs: z.object({ jwt: z.array(z.string().min(1).max(4096)).min(1).max(1) }),
});

const tokenForm = koaBody({ json: false, urlencoded: true, multipart: false, text: false, formLimit: '8kb' }) as unknown as Middleware;

function bearer(ctx: Context): string {
  const match = /^Bearer ([A-Za-z0-9_-]{16,128})$/.exec(ctx.get('Authorization'));
  if (!match) throw WALLET_REASONS.refuse('invalid_token', 'an access token from the wallet token endpoint is required');
  return match[1]!;
}

function field(form: Record<string, unknown>, name: string): string | undefined {
  const value = form[name];
  return typeof value === 'string' && value.length > 0 && value.length <= 512 ? value : undefined;
}

function noStore(ctx: Context, body: unknown): void {
  ctx.set('Cache-Control', 'no-store');
  ctx.body = body;
}

export function protocolRoutes(deps: ProtocolDeps): Router {
  const router = new Router();
  router.use(protocolErrors());

  router.get(WALLET_PATHS.issuerMetadata, (ctx) => {
    ctx.set('Cache-Control', `public, max-age=${METADATA_MAX_AGE}`);
    ctx.body = credentialIssuerMetadata(deps.issuer);
  });

  router.get(WALLET_PATHS.authorizationServerMetadata, (ctx) => {
    ctx.set('Cache-Control', `public, max-age=${METADATA_MAX_AGE}`);
    ctx.body = authorizationServerMetadata(deps.issuer);
  });

  router.get(WALLET_PATHS.jwtVcIssuer, async (ctx) => {
    // Short: a verifier must meet a new key soon after a rotation publishes it.
    ctx.set('Cache-Control', 'public, max-age=60');
    ctx.body = jwtVcIssuerMetadata(deps.issuer, await deps.keys.publishedKeys());
  });

  router.post(WALLET_PATHS.token, tokenForm, async (ctx) => {
    const form = (ctx.request.body ?? {}) as Record<string, unknown>;
    if (field(form, 'grant_type') !== PRE_AUTHORIZED_GRANT) throw WALLET_REASONS.refuse('unsupported_grant_type', `grant_type must be ${PRE_AUTHORIZED_GRANT}`);
    const clientId = field(form, 'client_id');
    if (clientId !== undefined && clientId !== deps.appClientId) throw WALLET_REASONS.refuse('invalid_client', 'credentials are handed to the PASS app only');
    const code = field(form, 'pre-authorized_code');
    if (!code) throw WALLET_REASONS.refuse('invalid_grant', 'pre-authorized_code is required');
    const grant = await deps.grants.redeemCode(code);
    if (!grant) throw WALLET_REASONS.refuse('invalid_grant');
    const token = await deps.grants.newAccessToken(grant);
    noStore(ctx, {
      access_token: token,
      token_type: 'Bearer',
      expires_in: ACCESS_TOKEN_SECONDS,
      authorization_details: [{ type: 'openid_credential', credential_configuration_id: grant.configurationId }],
    });
  });

  router.post(WALLET_PATHS.nonce, async (ctx) => {
    noStore(ctx, { c_nonce: await deps.grants.newNonce() });
  });

  // The body is read before the token, so a body that cannot be read is refused as such whoever sends it.
  const withToken: Middleware = async (ctx, next) => {
    const token = bearer(ctx);
    const grant = await deps.grants.tokenGrant(token);
    if (!grant) throw WALLET_REASONS.refuse('invalid_token', 'the access token is invalid, used or expired');
    ctx.state.walletGrant = { token, grant };
    await next();
  };
  router.post(WALLET_PATHS.credential, jsonBody, withToken as never, validate({ body: credentialBody }), async (ctx) => {
    const { token, grant } = ctx.state.walletGrant as { token: string; grant: OfferGrant };
    const body = ctx.state.input.body as z.output<typeof credentialBody>;
    if (!isConfigurationId(body.credential_configuration_id)) throw WALLET_REASONS.refuse('unknown_credential_configuration');
    if (body.credential_configuration_id !== grant.configurationId) throw WALLET_REASONS.refuse('credential_not_offered');
    const proof = await checkProof(body.proofs.jwt[0]!, deps.issuer);
    if (!(await deps.grants.spendNonce(proof.nonce))) throw WALLET_REASONS.refuse('invalid_nonce');
    // Households may have changed since the offer: the asking account must still act for the person.
    if (!(await canActFor(deps.db, grant.accountId, grant.personId))) throw WALLET_REASONS.refuse('not_represented');
    if (!(await deps.grants.spendToken(token))) throw WALLET_REASONS.refuse('invalid_token', 'the access token was used');
    const credential = await deps.credentials.issue({
      personId: grant.personId,
      holderAccountId: grant.accountId,
      configurationId: grant.configurationId,
      holderJwk: proof.jwk,
      holderKeyThumbprint: proof.thumbprint,
    });
    noStore(ctx, { credentials: [{ credential }] });
  });

  router.get(`${STATUS_LIST_PATH}/:id`, async (ctx) => {
    const id = String(ctx.params.id);
    if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(id)) throw WALLET_REASONS.refuse('status_list_not_found');
    const list = await deps.lists.token(id);
    ctx.set('Cache-Control', `public, max-age=${list.maxAge}`);
    ctx.type = STATUS_LIST_MEDIA_TYPE;
    ctx.body = list.token;
  });

  return router;
}

/** The paths a page of another origin may call (CORS): every protocol endpoint above. */
export function isProtocolPath(path: string): boolean {
  return Object.values(WALLET_PATHS).includes(path as never) || path.startsWith(`${STATUS_LIST_PATH}/`);
}

/**
 * CORS for the protocol endpoints: any origin, no credentials (nothing here reads a cookie), and
 * the preflight answered here. A plain middleware, not routes: OPTIONS is no operation of the API.
 */
export function protocolCors(): Middleware {
  return async (ctx, next) => {
    if (!isProtocolPath(ctx.path)) return next();
    ctx.set('Access-Control-Allow-Origin', '*');
    if (ctx.method === 'OPTIONS' && ctx.get('Access-Control-Request-Method')) {
      ctx.set('Access-Control-Allow-Methods', 'GET, POST');
      ctx.set('Access-Control-Allow-Headers', 'Authorization, Content-Type, DPoP');
      ctx.set('Access-Control-Max-Age', '600');
      ctx.status = 204;
      return;
    }
    await next();
  };
}

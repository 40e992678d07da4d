/**
 * Relying-party administration for municipal admins (PASS Manager will call it; scripts may):
 *   GET    /api/admin/clients                  → registered clients, without secrets
 *   POST   /api/admin/clients                  → 201 { client_id, client_secret (once), … }
 *   GET    /api/admin/clients/:clientId        → one client
 *   PATCH  /api/admin/clients/:clientId        → the client with its redirect URIs, name… changed
 *   DELETE /api/admin/clients/:clientId        → 204
 *   POST   /api/admin/initial-access-tokens    → 201 { initial_access_token, facility_id, expires_at }
 *   GET    /api/admin/resource-servers         → registered resource servers
 *   POST   /api/admin/resource-servers         → 201
 * Every route needs a PASS API access token with scope `admin` (granted to PASS's own apps only)
 * acting for an account whose role is `admin`. Refusals are PASS's API refusals (src/http/api-edge.ts).
 */
import Router from '@koa/router';
import type { Context, Middleware } from 'koa';
import { z } from 'zod';
import type Provider from 'oidc-provider';
import { defineReasons } from '../../core/reasons.ts';
import { apiEdge } from '../../http/api-edge.ts';
import { jsonBody } from '../../http/request-body.ts';
import { validate } from '../../http/validate.ts';
import type { AccountService } from '../../identity/accounts.ts';
import type { OidcModule } from '../oidc-module.ts';
import type { RegisteredClient } from '../clients/client-service.ts';

export const ADMIN_PREFIX = '/api/admin';

/** The admin API's reasons, with the words an administrator reads. */
export const ADMIN_REASONS = defineReasons('oidc-admin', {
  invalid_request: { status: 400, ja: '入力内容が正しくありません。', en: 'The request is not valid.' },
  admin_required: { status: 403, ja: 'この操作には PASS の管理者権限が必要です。', en: 'This needs a PASS administrator.' },
  client_not_found: { status: 404, ja: '連携システムが見つかりません。', en: 'No such relying party.' },
  facility_not_found: { status: 404, ja: '施設が見つかりません。', en: 'No such facility.' },
  client_exists: { status: 409, ja: 'このクライアントIDはすでに使われています。', en: 'This client ID is already in use.' },
  client_has_no_secret: { status: 409, ja: 'この連携システムはクライアントシークレットを使わない認証方式です。', en: 'This relying party does not authenticate with a client secret.' },
  invalid_client_id: { status: 400, ja: 'クライアントIDの形式が正しくありません。', en: 'The client ID is not valid.' },
  invalid_client_metadata: { status: 400, ja: '連携システムの設定が正しくありません。', en: 'The relying party settings are not valid.' },
  invalid_client_secret: {
    status: 400,
    ja: 'クライアントシークレットは空白を含まない32～512文字の半角英数記号にしてください。',
    en: 'A client secret has 32 to 512 printable ASCII characters and no spaces.',
  },
  client_secret_not_used: { status: 400, ja: 'この認証方式ではクライアントシークレットを使いません。', en: 'This authentication method uses no client secret.' },
  invalid_ttl: { status: 400, ja: '有効期間の指定が正しくありません。', en: 'The lifetime is not valid.' },
  resource_exists: { status: 409, ja: 'このリソースサーバーはすでに登録されています。', en: 'This resource server is already registered.' },
  invalid_resource: { status: 400, ja: 'リソースの識別子が正しくありません。', en: 'The resource identifier is not valid.' },
  invalid_name: { status: 400, ja: '名前を入力してください。', en: 'Give a name.' },
  invalid_scope: { status: 400, ja: 'スコープの指定が正しくありません。', en: 'The scopes are not valid.' },
  invalid_format: { status: 400, ja: 'トークンの形式は jwt か opaque です。', en: 'The token format is jwt or opaque.' },
});

const uri = z.string().url().max(2000);
const applicationType = z.enum(['web', 'native']);
const clientSchema = z.object({
  client_id: z.string().optional(),
  client_name: z.string().min(1).max(200),
  application_type: applicationType.optional(),
  /** The operator's own secret (client_secret_* methods); checked by the client service, never echoed or logged. */
  client_secret: z.string().max(512).optional(),
  facility_id: z.string().max(64).optional(),
  redirect_uris: z.array(uri).max(20).optional(),
  post_logout_redirect_uris: z.array(uri).max(20).optional(),
  grant_types: z.array(z.string().max(100)).max(5).optional(),
  token_endpoint_auth_method: z.enum(['client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none']).optional(),
  jwks_uri: uri.optional(),
  jwks: z.object({ keys: z.array(z.record(z.string(), z.unknown())).min(1).max(10) }).optional(),
  backchannel_logout_uri: uri.optional(),
  pass_fapi: z.boolean().optional(),
  require_signed_request_object: z.boolean().optional(),
  subject_type: z.enum(['public', 'pairwise']).optional(),
}).strict();

/** What an admin may change on a registered client; redirect URIs are replaced as a whole. */
const clientChangesSchema = z
  .object({
    client_name: z.string().min(1).max(200).optional(),
    application_type: applicationType.optional(),
    redirect_uris: z.array(uri).max(20).optional(),
    post_logout_redirect_uris: z.array(uri).max(20).optional(),
    backchannel_logout_uri: uri.nullable().optional(),
  })
  .strict()
  .refine((changes) => Object.keys(changes).length > 0, { message: 'nothing to change' });

const clientParams = z.object({ clientId: z.string().min(1).max(100) });

const tokenSchema = z.object({ facility_id: z.string().max(64).optional(), ttl_seconds: z.number().int().optional() }).strict();

const resourceSchema = z.object({
  identifier: z.string().max(500),
  name: z.string().min(1).max(200),
  scopes: z.array(z.string()).min(1).max(50),
  token_format: z.enum(['jwt', 'opaque']).optional(),
  access_token_ttl: z.number().int().optional(),
  facility_id: z.string().max(64).optional(),
}).strict();

/** What an admin sees of a client; the secret only in the answer that created it. */
export function describeClient(client: RegisteredClient, withSecret = false): Record<string, unknown> {
  const { client_secret: _secret, ...metadata } = client.metadata;
  return {
    ...metadata,
    facility_id: client.facilityId,
    source: client.source,
    created_at: client.createdAt.toISOString(),
    ...(withSecret && client.clientSecret ? { client_secret: client.clientSecret } : {}),
  };
}

/** The token's account must be an admin; client-only tokens never are. */
function requireAdminAccount(accounts: AccountService): Middleware {
  return async (ctx, next) => {
    const accountId = ctx.state.principal?.accountId;
    const account = accountId ? await accounts.findById(accountId) : undefined;
    if (account?.role !== 'admin') throw ADMIN_REASONS.refuse('admin_required', 'this API is for municipal administrators');
    await next();
  };
}

export interface AdminRoutesDeps {
  oidc: OidcModule;
  accounts: AccountService;
  /** requireApiToken(…, ['admin']) */
  auth: Middleware;
  provider: () => Provider;
}

function noStore(ctx: Context, status: number, body: unknown): void {
  ctx.set('Cache-Control', 'no-store');
  ctx.status = status;
  ctx.body = body;
}

export function adminRoutes({ oidc, accounts, auth, provider }: AdminRoutesDeps): Router {
  const router = new Router({ prefix: ADMIN_PREFIX });
  router.use(apiEdge({ reasons: [ADMIN_REASONS], retryAfter: { 503: 30 }, logMessage: 'admin request refused' }), auth, requireAdminAccount(accounts));

  router.get('/clients', async (ctx) => noStore(ctx, 200, (await oidc.clients.list()).map((c) => describeClient(c))));

  router.post('/clients', jsonBody, validate({ body: clientSchema }), async (ctx) => {
    const input = ctx.state.input.body;
    const client = await oidc.clients.create({
      clientId: input.client_id,
      name: input.client_name,
      applicationType: input.application_type,
      clientSecret: input.client_secret,
      facilityId: input.facility_id,
      redirectUris: input.redirect_uris ?? [],
      postLogoutRedirectUris: input.post_logout_redirect_uris ?? [],
      ...(input.grant_types ? { grantTypes: input.grant_types } : {}),
      ...(input.token_endpoint_auth_method ? { tokenEndpointAuthMethod: input.token_endpoint_auth_method } : {}),
      jwksUri: input.jwks_uri,
      jwks: input.jwks,
      backchannelLogoutUri: input.backchannel_logout_uri,
      fapi: input.pass_fapi,
      extra: {
        ...(input.require_signed_request_object !== undefined ? { require_signed_request_object: input.require_signed_request_object } : {}),
        ...(input.subject_type ? { subject_type: input.subject_type } : {}),
      },
    });
    ctx.state.log?.info({ clientId: client.clientId, by: ctx.state.principal?.accountId }, 'client registered by an admin');
    // A secret PASS made is shown once, here; one the admin gave is never sent back.
    noStore(ctx, 201, describeClient(client, input.client_secret === undefined));
  });

  router.patch('/clients/:clientId', jsonBody, validate({ params: clientParams, body: clientChangesSchema }), async (ctx) => {
    const { params, body } = ctx.state.input;
    const client = await oidc.clients.update(params.clientId, body);
    ctx.state.log?.info({ clientId: client.clientId, changed: Object.keys(body), by: ctx.state.principal?.accountId }, 'client changed by an admin');
    noStore(ctx, 200, describeClient(client));
  });

  router.get('/clients/:clientId', async (ctx) => {
    const client = await oidc.clients.find(ctx.params.clientId!);
    if (!client) throw ADMIN_REASONS.refuse('client_not_found', 'no such client');
    noStore(ctx, 200, describeClient(client));
  });

  router.delete('/clients/:clientId', async (ctx) => {
    await oidc.clients.remove(ctx.params.clientId!);
    ctx.state.log?.info({ clientId: ctx.params.clientId, by: ctx.state.principal?.accountId }, 'client removed by an admin');
    ctx.status = 204;
  });

  router.post('/initial-access-tokens', jsonBody, validate({ body: tokenSchema }), async (ctx) => {
    const input = ctx.state.input.body;
    const minted = await oidc.initialAccessTokens.mint(provider(), { facilityId: input.facility_id, ttlSeconds: input.ttl_seconds });
    noStore(ctx, 201, { initial_access_token: minted.token, facility_id: minted.facilityId, expires_at: minted.expiresAt.toISOString() });
  });

  router.get('/resource-servers', async (ctx) => noStore(ctx, 200, await oidc.resourceServers.list()));

  router.post('/resource-servers', jsonBody, validate({ body: resourceSchema }), async (ctx) => {
    const input = ctx.state.input.body;
    const server = await oidc.resourceServers.create({
      identifier: input.identifier,
      name: input.name,
      scopes: input.scopes,
      ...(input.token_format ? { tokenFormat: input.token_format } : {}),
      ...(input.access_token_ttl !== undefined ? { accessTokenTtl: input.access_token_ttl } : {}),
      ...(input.facility_id ? { facilityId: input.facility_id } : {}),
    });
    noStore(ctx, 201, server);
  });

  return router;
}

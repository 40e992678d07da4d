/**
 * The PASS app's "sign-in and security" API (resource `${issuer}/api`, scope `pass:api`):
 *   GET    /api/account/security                    passkeys, authenticator app, remembered devices, SMS number
 *   POST   /api/account/security/passkeys/options   a registration challenge (WebAuthn creation options)
 *   POST   /api/account/security/passkeys           the new passkey { response, name? } → 201
 *   DELETE /api/account/security/passkeys/:id
 *   POST   /api/account/security/totp               a new authenticator app secret (pending until confirmed)
 *   POST   /api/account/security/totp/confirm       { code } the app's first code → confirmed
 *   DELETE /api/account/security/totp
 *   DELETE /api/account/security/devices[/:id]      forget one or all remembered browsers
 * Changes are audited as authentication events' neighbours in the log; rules live in the services.
 */
import Router from '@koa/router';
import type { Context, Middleware } from 'koa';
import { z } from 'zod';
import { apiEdge } from '../../http/api-edge.ts';
import { jsonBody } from '../../http/request-body.ts';
import { validate } from '../../http/validate.ts';
import { PassError } from '../../core/errors.ts';
import { maskPhone } from '../phone.ts';
import type { IdentityServices } from '../identity-services.ts';
import { SECURITY_REASONS } from './security-reasons.ts';

export const SECURITY_PREFIX = '/api/account/security';

const uuid = z.string().regex(/^[0-9a-f-]{36}$/);
const registration = z.object({
  response: z.object({ id: z.string().min(1).max(1400), rawId: z.string().max(1400), type: z.literal('public-key'), response: z.object({}).passthrough() }).passthrough(),
  name: z.string().max(64).optional(),
});
const totpCode = z.object({ code: z.string().min(1).max(16) });

function accountOf(ctx: Context): string {
  const accountId = ctx.state.principal?.accountId;
  if (!accountId) throw new PassError('forbidden', 'no_account', 'this API acts for a signed-in resident');
  return accountId;
}

export function securityRoutes(services: IdentityServices, auth: Middleware): Router {
  const router = new Router({ prefix: SECURITY_PREFIX });
  const { passkeys, totp, devices, accounts, limits } = services;
  router.use(apiEdge({ reasons: [SECURITY_REASONS], logMessage: 'account security request refused' }), auth, async (ctx, next) => {
    ctx.set('Cache-Control', 'no-store');
    await next();
  });

  router.get('/', async (ctx) => {
    const accountId = accountOf(ctx);
    const [account, keys, app, remembered] = await Promise.all([accounts.findById(accountId), passkeys.list(accountId), totp.status(accountId), devices.list(accountId)]);
    ctx.body = {
      passkeys: keys.map((k) => ({ id: k.id, name: k.name, created_at: k.createdAt, last_used_at: k.lastUsedAt, backed_up: k.backedUp, device_type: k.deviceType })),
      totp: { enrolled: app.enrolled, confirmed_at: app.confirmedAt },
      devices: remembered.map((d) => ({ id: d.id, label: d.label, factor: d.factor, created_at: d.createdAt, last_used_at: d.lastUsedAt, expires_at: d.expiresAt })),
      phone: { masked: account?.phoneE164 ? maskPhone(account.phoneE164) : null, verified: Boolean(account?.phoneVerified) },
      strong: keys.length > 0 || app.enrolled,
      remember_days: devices.days,
    };
  });

  router.post('/passkeys/options', async (ctx) => {
    const accountId = accountOf(ctx);
    const account = await accounts.findById(accountId);
    await limits.consume('send', ctx.ip, accountId);
    ctx.body = await passkeys.registrationOptions(accountId, account?.email ?? accountId);
  });

  router.post('/passkeys', jsonBody, validate({ body: registration }), async (ctx) => {
    const accountId = accountOf(ctx);
    const { body } = ctx.state.input as { body: z.infer<typeof registration> };
    const added = await passkeys.register(accountId, body.response as unknown as Parameters<typeof passkeys.register>[1], body.name);
    ctx.state.log?.info({ accountId, passkey: added.id }, 'account security: passkey added');
    ctx.status = 201;
    ctx.body = { id: added.id, name: added.name };
  });

  router.delete('/passkeys/:id', validate({ params: z.object({ id: uuid }) }), async (ctx) => {
    const accountId = accountOf(ctx);
    await passkeys.remove(accountId, ctx.params.id!);
    ctx.state.log?.info({ accountId, passkey: ctx.params.id }, 'account security: passkey removed');
    ctx.status = 204;
  });

  router.post('/totp', async (ctx) => {
    const accountId = accountOf(ctx);
    const account = await accounts.findById(accountId);
    const started = await totp.begin(accountId, account?.email ?? 'PASS');
    ctx.body = { secret: started.secret, otpauth_uri: started.otpauthUri };
  });

  router.post('/totp/confirm', jsonBody, validate({ body: totpCode }), async (ctx) => {
    const accountId = accountOf(ctx);
    await limits.consume('check', ctx.ip, accountId);
    const confirmedAt = await totp.confirm(accountId, (ctx.state.input as { body: { code: string } }).body.code);
    ctx.state.log?.info({ accountId }, 'account security: authenticator app confirmed');
    ctx.body = { confirmed_at: confirmedAt };
  });

  router.delete('/totp', async (ctx) => {
    const accountId = accountOf(ctx);
    if (!(await totp.remove(accountId))) throw new PassError('not_found', 'totp_not_enrolled', 'no authenticator app is set up');
    ctx.state.log?.info({ accountId }, 'account security: authenticator app removed');
    ctx.status = 204;
  });

  router.delete('/devices', async (ctx) => {
    await devices.revokeAll(accountOf(ctx));
    ctx.status = 204;
  });

  router.delete('/devices/:id', validate({ params: z.object({ id: uuid }) }), async (ctx) => {
    if (!(await devices.revoke(accountOf(ctx), ctx.params.id!))) throw new PassError('not_found', 'device_not_found', 'no such remembered device');
    ctx.status = 204;
  });

  return router;
}

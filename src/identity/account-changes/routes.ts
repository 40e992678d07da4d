/**
 * The PASS app's account API (resource `${issuer}/api`, scope `pass:api`, a resident's token):
 *   GET  /api/account                  → { email, phone_number, phone_display, phone_masked, phone_verified }
 *   POST /api/account/email            { email, lang? } → 202 { sent_to }   a code to the NEW address
 *   POST /api/account/email/confirm    { email, code, lang? } → { email, notice_sent }
 *   POST /api/account/phone            { phone, lang? } → 202 { sent_to }   a code by SMS to the NEW number
 *   POST /api/account/phone/confirm    { phone, code, lang? } → { phone_number, phone_display, remembered_devices, notice_sent }
 *   POST /api/account/password         { current_password, new_password, lang? } → { remembered_devices_revoked, notice_sent }
 * A mobile number may be typed with hyphens or spaces (090-2468-1357). `lang` is the language of
 * the messages sent (the app's page language). Refusals: { error, reason, message: { ja, en } }
 * from the reason catalogue (reasons.ts); the rules are in service.ts.
 */
import Router from '@koa/router';
import type { Context, Middleware } from 'koa';
import { z } from 'zod';
import { PassError } from '../../core/errors.ts';
import { apiEdge, exposing } from '../../http/api-edge.ts';
import { jsonBody } from '../../http/request-body.ts';
import { validate } from '../../http/validate.ts';
import { e164ToDisplay, maskPhone } from '../phone.ts';
import type { AccountChanges } from './service.ts';
import { ACCOUNT_REASONS } from './reasons.ts';

export const ACCOUNT_PREFIX = '/api/account';

const lang = z.enum(['ja', 'en']).default('ja');
const code = z.string().min(1).max(20);
const emailStart = z.object({ email: z.string().min(1).max(254), lang });
const emailConfirm = z.object({ email: z.string().min(1).max(254), code, lang });
const phoneStart = z.object({ phone: z.string().min(1).max(32), lang });
const phoneConfirm = z.object({ phone: z.string().min(1).max(32), code, lang });
const passwordChange = z.object({ current_password: z.string().min(1).max(1024), new_password: z.string().min(1).max(1024), lang });

function accountOf(ctx: Context): string {
  const accountId = ctx.state.principal?.accountId;
  if (!accountId) throw new PassError('forbidden', 'no_account', 'this API acts for a signed-in resident');
  return accountId;
}

export function accountRoutes(changes: AccountChanges, auth: Middleware): Router {
  const router = new Router({ prefix: ACCOUNT_PREFIX });
  router.use(apiEdge({ reasons: [ACCOUNT_REASONS], details: exposing(['attemptsLeft', 'retryAfterSeconds']), retryAfter: { 429: 60 }, logMessage: 'account change refused' }), auth, async (ctx, next) => {
    ctx.set('Cache-Control', 'no-store');
    await next();
  });

  router.get('/', async (ctx) => {
    const c = await changes.contacts(accountOf(ctx));
    ctx.body = {
      email: c.email,
      phone_number: c.phoneE164,
      phone_display: c.phoneE164 ? e164ToDisplay(c.phoneE164) : null,
      phone_masked: c.phoneE164 ? maskPhone(c.phoneE164) : null,
      phone_verified: c.phoneVerified,
    };
  });

  /** The first step of a new e-mail address or phone number: a code goes to the new one; 202 says where, masked. */
  function sendCodeToNew<S extends z.ZodType>(path: string, schema: S, start: (accountId: string, body: z.infer<S>, ip: string) => Promise<{ sentTo: string }>): void {
    router.post(path, jsonBody, validate({ body: schema }), async (ctx) => {
      const { body } = ctx.state.input as { body: z.infer<S> };
      const sent = await start(accountOf(ctx), body, ctx.ip);
      ctx.status = 202;
      ctx.body = { sent_to: sent.sentTo };
    });
  }

  sendCodeToNew('/email', emailStart, (accountId, body, ip) => changes.startEmailChange(accountId, body.email, body.lang, ip));
  sendCodeToNew('/phone', phoneStart, (accountId, body, ip) => changes.startPhoneChange(accountId, body.phone, body.lang, ip));

  router.post('/email/confirm', jsonBody, validate({ body: emailConfirm }), async (ctx) => {
    const { body } = ctx.state.input as { body: z.infer<typeof emailConfirm> };
    const done = await changes.confirmEmailChange(accountOf(ctx), body.email, body.code, body.lang, ctx.ip);
    ctx.body = { email: done.email, notice_sent: done.noticeSent };
  });

  router.post('/phone/confirm', jsonBody, validate({ body: phoneConfirm }), async (ctx) => {
    const { body } = ctx.state.input as { body: z.infer<typeof phoneConfirm> };
    const done = await changes.confirmPhoneChange(accountOf(ctx), body.phone, body.code, body.lang, ctx.ip);
    ctx.body = { phone_number: done.phoneE164, phone_display: e164ToDisplay(done.phoneE164), remembered_devices: done.rememberedDevices, notice_sent: done.noticeSent };
  });

  router.post('/password', jsonBody, validate({ body: passwordChange }), async (ctx) => {
    const { body } = ctx.state.input as { body: z.infer<typeof passwordChange> };
    const done = await changes.changePassword(accountOf(ctx), body.current_password, body.new_password, body.lang, ctx.ip);
    ctx.body = { remembered_devices_revoked: done.rememberedDevicesRevoked, notice_sent: done.noticeSent };
  });

  return router;
}

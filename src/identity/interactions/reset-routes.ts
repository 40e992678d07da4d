import Router from '@koa/router';
import type { Context } from 'koa';
import { applyRefusal, describeRefusal } from './refusals.ts';
import type { RouteDeps } from './login-routes.ts';
import { csrfToken, csrfValid } from './csrf.ts';
import { field, formBody, interactionCsrf, lang, loadInteraction, postedInteraction, showError, showPage, t } from './page.ts';

/** "Forgot your password?" inside an interaction: asks for the e-mail address and sends the link. */
export function forgotRoutes(router: Router, deps: RouteDeps): void {
  router.get('/:uid/forgot', async (ctx) => {
    const details = await loadInteraction(ctx, deps.provider());
    if (details) await showPage(ctx, 'interaction/forgot', { uid: details.uid, csrf: interactionCsrf(deps.csrfKey, details), email: '' });
  });

  router.post('/:uid/forgot', formBody, async (ctx) => {
    const details = await postedInteraction(ctx, deps.provider(), deps.csrfKey);
    if (!details) return;
    const email = field(ctx, 'email');
    try {
      await deps.services.resets.request(email, lang(ctx), ctx.ip);
      await showPage(ctx, 'interaction/forgot-sent', { uid: details.uid, here: `/interaction/${details.uid}/forgot` });
    } catch (error) {
      const message = applyRefusal(ctx, error, lang(ctx));
      await showPage(ctx, 'interaction/forgot', { uid: details.uid, csrf: interactionCsrf(deps.csrfKey, details), email, error: message, here: `/interaction/${details.uid}/forgot` });
    }
  });
}

/**
 * The link from the reset mail: /password/reset?token=…. It works in any browser (the mail may be
 * opened on another device), so it is not tied to an interaction; its CSRF token is bound to the
 * reset token, which only the mail's reader knows.
 */
export function passwordResetRoutes(deps: RouteDeps): Router {
  const router = new Router({ prefix: '/password' });
  const { resets } = deps.services;

  async function resetPage(ctx: Context, token: string, email: string, error: string | null = null): Promise<void> {
    await showPage(ctx, 'interaction/reset', { token, email, csrf: csrfToken(deps.csrfKey, `reset:${token}`), error, here: `/password/reset?token=${token}` });
  }

  router.get('/reset', async (ctx) => {
    const token = typeof ctx.query.token === 'string' ? ctx.query.token : '';
    try {
      const { email } = await resets.check(token);
      await resetPage(ctx, token, email);
    } catch (error) {
      const refusal = describeRefusal(error, lang(ctx));
      if (!refusal) throw error;
      await showError(ctx, refusal.status, refusal.message);
    }
  });

  router.post('/reset', formBody, async (ctx) => {
    const token = field(ctx, 'token', 64);
    if (!csrfValid(deps.csrfKey, `reset:${token}`, field(ctx, 'csrf', 200))) return showError(ctx, 403, t(ctx)('error.csrf'));
    try {
      await resets.complete(token, field(ctx, 'password', 1024), ctx.ip);
      await showPage(ctx, 'interaction/reset-done', { here: '/app/' });
    } catch (error) {
      const message = applyRefusal(ctx, error, lang(ctx));
      const state = await resets.check(token).catch(() => undefined);
      if (!state) return showError(ctx, ctx.status, message);
      await resetPage(ctx, token, state.email, message);
    }
  });

  return router;
}

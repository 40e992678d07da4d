import type { Middleware } from 'koa';
import type Provider from 'oidc-provider';

/** oidc-provider's default path of the device flow's user-code form. */
const DEVICE_FORM = '/device';

/** oidc-provider's default routes that read a request body (PASS keeps its default `routes`). */
const BODY_ROUTES = /^\/(auth|backchannel|challenge|device|device\/auth|session\/end(\/confirm)?|token(\/introspection|\/revocation)?|request|reg(\/[^/]+)?|me|credential)$/;

/**
 * Requests that oidc-provider 9 mishandles, answered before it sees them (installed with
 * `provider.use`, so they run for the provider's routes only).
 */
export function providerEdge(provider: Provider): Middleware {
  const sessionCookie = provider.cookieName('session');
  return async (ctx, next) => {
    // oidc-provider reads bodies as they come and ignores Content-Encoding: a gzip body would be
    // parsed as if it were a form. Clients do not compress requests to an authorization server.
    const encoding = ctx.get('Content-Encoding').trim().toLowerCase();
    if (encoding && encoding !== 'identity' && BODY_ROUTES.test(ctx.path)) {
      ctx.status = 415;
      ctx.set('Cache-Control', 'no-store');
      ctx.body = { error: 'invalid_request', error_description: 'request bodies must not be content-encoded' };
      return;
    }
    // A POST of the device flow's user-code form without a live browser session (cookies blocked,
    // the session expired, a forged post) makes oidc-provider throw a TypeError (a 500) while it
    // re-renders the form: the session it made up for the request was never saved. With no session
    // there is nothing to check the form's xsrf value against anyway, so the browser goes back to
    // the form (GET), which starts one; the staff member enters the code again.
    if (ctx.method === 'POST' && ctx.path === DEVICE_FORM) {
      const id = ctx.cookies.get(sessionCookie, { signed: true });
      const session = id ? await provider.Session.find(id) : undefined;
      if (!session) {
        ctx.set('Cache-Control', 'no-store');
        ctx.redirect(DEVICE_FORM);
        ctx.status = 303;
        return;
      }
    }
    await next();
  };
}

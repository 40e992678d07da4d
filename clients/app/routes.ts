import Router from '@koa/router';
import type { Context } from 'koa';
import { koaBody } from 'koa-body';
import { csrfToken, csrfValid } from '../../src/identity/interactions/csrf.ts';
import { e164ToDisplay } from '../../src/identity/phone.ts';
import { APP_MESSAGES } from './messages.ts';
import type { PassApi } from './pass-api.ts';
import { HOME_SECTIONS } from './sections.ts';
import { render } from './render.ts';
import { loadSecurity, offersPasskey, SECURITY_BASE } from './security/section.ts';
import { loadVerification } from './proofing/section.ts';
import { greetingName, nextStep } from './next-step.ts';
import { ACCOUNT_BASE } from './account/section.ts';
import type { PassRelyingParty, RpSession } from '../shared/relying-party.ts';
import type { ClientSessions } from '../shared/session-store.ts';
import { signInRoutes } from '../shared/sign-in-routes.ts';

export const APP_COOKIE = 'pass_app';

export interface AppDeps {
  sessions: ClientSessions<RpSession>;
  client: PassRelyingParty;
  csrfKey: string;
  secureCookies: boolean;
  sessionTtlSeconds: number;
  /** PASS's own API, for the home screen's tiles. */
  api: PassApi;
}

/**
 * The PASS app's pages: landing (signed out), home (signed in), and the sign-in and sign-out
 * round trips to PASS. Server-rendered on purpose: tokens never reach the browser (the
 * "backend for frontend" pattern of the OAuth browser-based apps BCP), pages work with no
 * JavaScript on old phones and with the strict CSP, and later features add a route and a view.
 */
/** A page of the app to come back to after signing in; anything else (another site, a header injection) is the home page. */
export function appReturn(value: unknown): string | undefined {
  return typeof value === 'string' && value.startsWith('/app/') && !value.startsWith('//') && !/[\\\r\n]/.test(value) && value.length <= 4096 ? value : undefined;
}

export function appRoutes(deps: AppDeps): Router {
  const router = new Router({ prefix: '/app' });
  const body = koaBody({ urlencoded: true, json: false, multipart: false, text: false, formLimit: '4kb' });

  function setCookie(ctx: Context, value: string | null, maxAgeSeconds: number): void {
    ctx.cookies.set(APP_COOKIE, value, { httpOnly: true, sameSite: 'lax', secure: deps.secureCookies, path: '/app', signed: false, maxAge: maxAgeSeconds * 1000, overwrite: true });
  }

  async function current(ctx: Context): Promise<{ cookie: string | undefined; data: RpSession | undefined }> {
    const cookie = ctx.cookies.get(APP_COOKIE, { signed: false });
    return { cookie, data: await deps.sessions.load(cookie) };
  }

  async function page(ctx: Context, view: string, locals: Record<string, unknown>): Promise<void> {
    await render(ctx, view, APP_MESSAGES, { here: '/app/', error: null, notice: null, ...locals });
  }

  router.get('/', async (ctx) => {
    if (!ctx.path.endsWith('/')) return ctx.redirect('/app/');
    const { cookie, data } = await current(ctx);
    if (!cookie || !data?.user || !data.tokens || data.tokens.expiresAt <= Date.now()) {
      // Signed out, or the access token ran out: a signed-in PASS session brings the resident straight back.
      if (data?.user) return ctx.redirect('/app/login');
      return page(ctx, 'landing', { notice: ctx.query.signedout ? 'landing.signedout' : null, error: ctx.query.failed ? 'landing.failed' : null });
    }
    // One GET /api/account/security per home page: the security tile and the passkey offer share it;
    // one GET of the proofing: its tile and the greeting share it.
    const security = loadSecurity(deps.api, data.tokens.accessToken);
    const verification = loadVerification(deps.api, data.tokens.accessToken);
    const env = { api: deps.api, security: () => security, verification: () => verification };
    const sections = (await Promise.all(HOME_SECTIONS.map((section) => section(data, env)))).filter((s) => s !== undefined);
    const proofed = await verification;
    await page(ctx, 'home', {
      user: { ...data.user, phoneDisplay: data.user.phoneNumber ? e164ToDisplay(data.user.phoneNumber) : null },
      greeting: greetingName(proofed?.verified ? proofed.claims?.name : undefined, data.user.email),
      next: nextStep(sections),
      accountHref: ACCOUNT_BASE,
      sections,
      csrf: csrfToken(deps.csrfKey, `app:${cookie}`),
      securityHref: SECURITY_BASE,
      passkeyOffer: offersPasskey(await security, data),
    });
  });

  signInRoutes(router, {
    label: 'PASS app',
    client: deps.client,
    sessions: deps.sessions,
    sessionTtlSeconds: deps.sessionTtlSeconds,
    current,
    setCookie,
    failedUrl: '/app/?failed=1',
    landing: (returnTo) => returnTo,
    requestedReturn: (ctx) => appReturn(ctx.query.return),
  });

  router.post('/logout', body, async (ctx) => {
    const { cookie, data } = await current(ctx);
    const token = (ctx.request.body as Record<string, unknown> | undefined)?.csrf;
    if (!cookie || !csrfValid(deps.csrfKey, `app:${cookie}`, token)) return ctx.redirect('/app/');
    await deps.sessions.destroy(cookie);
    setCookie(ctx, null, 0);
    ctx.status = 303;
    ctx.redirect(deps.client.endSessionUrl(data?.tokens?.idToken));
  });

  return router;
}

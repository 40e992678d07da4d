/**
 * The shell of PASS Manager (/manager): the landing page, sign-in and sign-out round trips to
 * PASS, the home screen, the console's static files, and the sections of MANAGER_SECTIONS behind
 * one gate (signed in, a staff principal, one of the section's roles). Server-rendered like the
 * PASS app: the access token stays in the server-side session, pages work under the strict CSP,
 * and scripts only enhance them (the live alerts).
 */
import { fileURLToPath } from 'node:url';
import Router from '@koa/router';
import type { Context, Middleware, Next } from 'koa';
import { koaBody } from 'koa-body';
import { pickLanguage, translator, type Lang, type Messages } from '../../src/http/i18n.ts';
import { staticFiles } from '../../src/http/static-files.ts';
import { csrfToken, csrfValid } from '../../src/identity/interactions/csrf.ts';
import type { StaffPrincipal } from '../../src/manager/staff-scope.ts';
import type { PassRelyingParty, RpSession } from '../shared/relying-party.ts';
import type { ClientSessions } from '../shared/session-store.ts';
import { signInRoutes } from '../shared/sign-in-routes.ts';
import { homeLocals } from './home.ts';
import { ManagerApi } from './manager-api.ts';
import { SHELL_MESSAGES } from './messages.ts';
import { MANAGER_BASE } from './paths.ts';
import { render } from './render.ts';
import type { ManagerEnv, ManagerSection, StaffRequest } from './sections.ts';

export const MANAGER_COOKIE = 'pass_manager';
const STATIC_DIR = fileURLToPath(new URL('./static', import.meta.url));

declare module 'koa' {
  interface DefaultState {
    manager?: StaffRequest & { cookie: string };
  }
}

export interface ConsoleDeps {
  issuer: string;
  sessions: ClientSessions<RpSession>;
  client: PassRelyingParty;
  csrfKey: string;
  secureCookies: boolean;
  sessionTtlSeconds: number;
  sections: readonly ManagerSection[];
}

/** Only paths of the console itself are places to come back to after sign-in. */
function safeReturn(value: unknown): string {
  return typeof value === 'string' && value.startsWith(`${MANAGER_BASE}/`) && !value.startsWith('//') && !/[\\\r\n]/.test(value) ? value : `${MANAGER_BASE}/`;
}

/** This page's address without `lang`, for the language switch; after a form post, the page the form belongs to. */
function hereOf(ctx: Context): string {
  if (ctx.method !== 'GET') return ctx.path.replace(/[^/]*$/, '');
  const params = new URLSearchParams(ctx.querystring);
  params.delete('lang');
  const search = params.toString();
  return search ? `${ctx.path}?${search}` : ctx.path;
}

/** Fetches, form posts made by scripts and event streams get a status, never a redirect to a page. */
function wantsData(ctx: Context): boolean {
  const accept = ctx.get('Accept');
  return accept.includes('application/json') || accept.includes('text/event-stream');
}

function hasRole(principal: StaffPrincipal, section: ManagerSection): boolean {
  return section.roles.some((role) => principal.roles.includes(role));
}

export interface ManagerConsole {
  router: Router;
  /** Shutdown begins: end the long-lived responses the sections registered. */
  drain(): void;
}

export function consoleRoutes(deps: ConsoleDeps): ManagerConsole {
  const router = new Router({ prefix: MANAGER_BASE });
  const longLived = new Set<() => void>();
  let draining = false;
  const form = koaBody({ urlencoded: true, json: false, multipart: false, text: false, formLimit: '16kb' }) as unknown as Middleware;
  const messages: Messages = Object.assign({}, SHELL_MESSAGES, ...deps.sections.map((s) => s.messages ?? {}));
  const files = staticFiles({ dir: STATIC_DIR, prefix: `${MANAGER_BASE}/static/`, cacheControl: 'no-cache' });

  function setCookie(ctx: Context, value: string | null, maxAgeSeconds: number): void {
    ctx.cookies.set(MANAGER_COOKIE, value, { httpOnly: true, sameSite: 'lax', secure: deps.secureCookies, path: MANAGER_BASE, signed: false, maxAge: maxAgeSeconds * 1000, overwrite: true });
  }

  async function current(ctx: Context): Promise<{ cookie: string | undefined; data: RpSession | undefined }> {
    const cookie = ctx.cookies.get(MANAGER_COOKIE, { signed: false });
    return { cookie, data: await deps.sessions.load(cookie) };
  }

  function navOf(principal: StaffPrincipal | undefined, lang: Lang) {
    if (!principal) return [];
    const t = translator(messages, lang);
    return [
      { id: 'home', href: `${MANAGER_BASE}/`, label: t('nav.home') },
      ...deps.sections.filter((s) => hasRole(principal, s)).map((s) => ({ id: s.id, href: `${MANAGER_BASE}${s.path}/`, label: t(s.navKey) })),
    ];
  }

  async function page(ctx: Context, view: string, locals: Record<string, unknown> = {}): Promise<void> {
    const staff = ctx.state.manager;
    const lang = pickLanguage(ctx);
    await render(ctx, view, messages, {
      here: hereOf(ctx),
      nav: navOf(staff?.principal, lang),
      principal: staff?.principal ?? null,
      csrf: staff?.csrf ?? null,
      section: null,
      notice: null,
      error: null,
      scripts: [],
      ...locals,
    });
  }

  async function refuse(ctx: Context, status: number, messageKey: string): Promise<void> {
    const t = translator(messages, pickLanguage(ctx));
    if (wantsData(ctx)) {
      ctx.status = status;
      ctx.body = { error: status === 403 ? 'forbidden' : 'invalid_request', message: t(messageKey) };
      return;
    }
    await page(ctx, 'refused', { title: t('refused.title'), reason: t(messageKey) });
    ctx.status = status;
  }

  function signedOut(ctx: Context, data: RpSession | undefined): void {
    if (wantsData(ctx)) {
      ctx.status = 401;
      ctx.body = { error: 'unauthorized', reason: 'signed_out' };
    } else if (data?.user) {
      // The access token ran out: a signed-in PASS session brings the staff member straight back.
      ctx.redirect(`${MANAGER_BASE}/login?return=${encodeURIComponent(ctx.method === 'GET' ? ctx.url : `${MANAGER_BASE}/`)}`);
    } else ctx.redirect(`${MANAGER_BASE}/`);
  }

  /** The gate of every signed-in screen: a live session and a staff principal from the API. */
  async function staffGate(ctx: Context, next: Next): Promise<unknown> {
    const { cookie, data } = await current(ctx);
    if (!cookie || !data?.user || !data.tokens || data.tokens.expiresAt <= Date.now()) return signedOut(ctx, data);
    const lang = pickLanguage(ctx);
    const api = new ManagerApi(deps.issuer, data.tokens.accessToken, lang);
    const me = await api.get<StaffPrincipal>('/api/manager/me').catch((error: unknown) => {
      ctx.state.log?.warn({ err: error }, 'PASS Manager could not reach the PASS API');
      return undefined;
    });
    if (!me) return refuse(ctx, 503, 'error.unavailable');
    if (me.status === 401) return signedOut(ctx, data);
    const csrf = csrfToken(deps.csrfKey, `manager:${cookie}`);
    if (me.status === 403) {
      if (wantsData(ctx)) return refuse(ctx, 403, 'refused.not_staff');
      // Signed in, but no staff assignment: say so, and offer to sign out (the form needs the token).
      ctx.state.manager = undefined;
      await page(ctx, 'refused', { title: translator(messages, lang)('refused.title'), reason: translator(messages, lang)('refused.not_staff'), csrf, signout: true });
      ctx.status = 403;
      return;
    }
    if (!me.ok) {
      ctx.state.log?.warn({ status: me.status }, 'PASS Manager could not load the staff principal');
      return refuse(ctx, 503, 'error.unavailable');
    }
    ctx.state.manager = { principal: me.body, api, lang, t: translator(messages, lang), csrf, cookie };
    return next();
  }

  const env: ManagerEnv = {
    issuer: deps.issuer,
    staff(ctx) {
      const staff = ctx.state.manager;
      if (!staff) throw new Error('a Manager section ran outside the staff gate');
      return staff;
    },
    render: page,
    refuse,
    form,
    csrfOk(ctx) {
      const staff = ctx.state.manager;
      const field = (ctx.request.body as Record<string, unknown> | undefined)?.csrf;
      const value = typeof field === 'string' ? field : ctx.get('X-CSRF-Token');
      return Boolean(staff) && csrfValid(deps.csrfKey, `manager:${staff!.cookie}`, value);
    },
    seeOther(ctx, location) {
      ctx.status = 303;
      ctx.redirect(location);
    },
    untilShutdown(end) {
      if (draining) {
        queueMicrotask(end);
        return () => {};
      }
      longLived.add(end);
      return () => longLived.delete(end);
    },
  };

  router.get('/static/:name', files);

  router.get('/', async (ctx) => {
    if (!ctx.path.endsWith('/')) return ctx.redirect(`${MANAGER_BASE}/`);
    const { cookie, data } = await current(ctx);
    if (!cookie || !data?.user) {
      const t = translator(messages, pickLanguage(ctx));
      return page(ctx, 'landing', { title: t('landing.title'), notice: ctx.query.signedout ? t('landing.signedout') : null, error: ctx.query.failed === 'strong' ? t('landing.strong') : ctx.query.failed ? t('landing.failed') : null, strong: ctx.query.failed === 'strong' });
    }
    return staffGate(ctx, async () => page(ctx, 'home', await homeLocals(ctx.state.manager!)));
  });

  signInRoutes(router, {
    label: 'PASS Manager',
    client: deps.client,
    sessions: deps.sessions,
    sessionTtlSeconds: deps.sessionTtlSeconds,
    current,
    setCookie,
    failedUrl: `${MANAGER_BASE}/?failed=1`,
    strongerSignInUrl: `${MANAGER_BASE}/?failed=strong`,
    landing: safeReturn,
    requestedReturn: (ctx) => safeReturn(ctx.query.return),
  });

  router.post('/logout', form, async (ctx) => {
    const { cookie, data } = await current(ctx);
    const token = (ctx.request.body as Record<string, unknown> | undefined)?.csrf;
    if (!cookie || !csrfValid(deps.csrfKey, `manager:${cookie}`, token)) return ctx.redirect(`${MANAGER_BASE}/`);
    await deps.sessions.destroy(cookie);
    setCookie(ctx, null, 0);
    ctx.status = 303;
    ctx.redirect(deps.client.endSessionUrl(data?.tokens?.idToken));
  });

  for (const section of deps.sections) {
    const sub = section.routes(env);
    const roleGate: Middleware = async (ctx, next) => {
      if (!hasRole(env.staff(ctx).principal, section)) return refuse(ctx, 403, 'refused.role');
      return next();
    };
    router.use(section.path, staffGate, roleGate, sub.routes() as unknown as Middleware, sub.allowedMethods() as unknown as Middleware);
  }

  return {
    router,
    drain() {
      draining = true;
      for (const end of [...longLived]) end();
      longLived.clear();
    },
  };
}

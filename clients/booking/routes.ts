import Router from '@koa/router';
import type { Context } from 'koa';
import { koaBody } from 'koa-body';
import { pickLanguage } from '../../src/http/i18n.ts';
import { render } from './render.ts';
import { csrfToken, csrfValid } from '../../src/identity/interactions/csrf.ts';
import { BOOKING_MESSAGES, ROOMS, SLOTS } from './messages.ts';
import { LogoutTokenError, type BookingRp } from './rp.ts';
import type { ClientSessions } from '../shared/session-store.ts';
import type { BookingSessionData, BookingStore } from './store.ts';

export const BOOKING_PREFIX = '/demo/booking';
export const BOOKING_COOKIE = 'toyooka_booking';
const FLOW_TTL_SECONDS = 3600;

export interface BookingDeps {
  store: BookingStore;
  sessions: ClientSessions<BookingSessionData>;
  rp: BookingRp;
  csrfKey: string;
  secureCookies: boolean;
  sessionTtlSeconds: number;
}

function isDay(value: unknown): value is string {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(value) && date.getTime() >= Date.now() - 86_400_000;
}

/**
 * The booking site's pages: landing with 「PASSでログイン」, the login round trip, my page (the
 * claims PASS gave, bookings, a booking form), logout (RP-initiated, at PASS) and the
 * back-channel logout endpoint PASS calls.
 */
export function bookingRoutes(deps: BookingDeps): Router {
  const router = new Router({ prefix: BOOKING_PREFIX });
  const form = koaBody({ urlencoded: true, json: false, multipart: false, text: false, formLimit: '8kb' });

  function setCookie(ctx: Context, value: string | null, maxAgeSeconds: number): void {
    ctx.cookies.set(BOOKING_COOKIE, value, { httpOnly: true, sameSite: 'lax', secure: deps.secureCookies, path: BOOKING_PREFIX, signed: false, maxAge: maxAgeSeconds * 1000, overwrite: true });
  }

  async function current(ctx: Context): Promise<{ cookie: string | undefined; data: BookingSessionData | undefined }> {
    const cookie = ctx.cookies.get(BOOKING_COOKIE, { signed: false });
    return { cookie, data: await deps.sessions.load(cookie) };
  }

  async function page(ctx: Context, view: string, locals: Record<string, unknown>): Promise<void> {
    await render(ctx, view, BOOKING_MESSAGES, { here: `${BOOKING_PREFIX}/`, error: null, notice: null, ...locals });
  }

  router.get('/', async (ctx) => {
    if (!ctx.path.endsWith('/')) return ctx.redirect(`${BOOKING_PREFIX}/`);
    const { cookie, data } = await current(ctx);
    const user = cookie && data?.userId ? await deps.store.findUser(data.userId) : undefined;
    if (!cookie || !user) {
      const configured = await deps.rp.configured();
      return page(ctx, 'landing', {
        configured,
        notice: ctx.query.loggedout ? 'landing.loggedout' : null,
        error: !configured ? 'landing.unconfigured' : ctx.query.failed ? 'landing.failed' : null,
      });
    }
    if (data?.firstLogin) await deps.sessions.update(cookie, { ...data, firstLogin: false });
    const result = typeof ctx.query.result === 'string' && ['booked', 'taken', 'invalid'].includes(ctx.query.result) ? ctx.query.result : null;
    await page(ctx, 'home', {
      user,
      reservations: await deps.store.reservations(user.id),
      rooms: ROOMS,
      slots: SLOTS,
      welcome: Boolean(data?.firstLogin),
      notice: result === 'booked' ? 'home.booked' : null,
      error: result === 'taken' ? 'home.taken' : result === 'invalid' ? 'home.invalid' : null,
      csrf: csrfToken(deps.csrfKey, `booking:${cookie}`),
    });
  });

  router.get('/login', async (ctx) => {
    const { cookie } = await current(ctx);
    await deps.sessions.destroy(cookie);
    const started = await deps.rp.start(pickLanguage(ctx));
    if (!started) return ctx.redirect(`${BOOKING_PREFIX}/`);
    setCookie(ctx, await deps.sessions.create({ flow: started.flow }, FLOW_TTL_SECONDS), FLOW_TTL_SECONDS);
    ctx.redirect(started.url);
  });

  router.get('/callback', async (ctx) => {
    const { cookie, data } = await current(ctx);
    await deps.sessions.destroy(cookie);
    if (!data?.flow) {
      setCookie(ctx, null, 0);
      return ctx.redirect(`${BOOKING_PREFIX}/?failed=1`);
    }
    try {
      const signedIn = await deps.rp.complete(data.flow, ctx.url);
      const { user, created } = await deps.store.upsertUser(signedIn.sub, signedIn.profile);
      const session = { userId: user.id, idToken: signedIn.idToken, firstLogin: created };
      setCookie(ctx, await deps.sessions.create(session, deps.sessionTtlSeconds, { sub: signedIn.sub, sid: signedIn.sid }), deps.sessionTtlSeconds);
      ctx.redirect(`${BOOKING_PREFIX}/`);
    } catch (error) {
      // An error response from PASS (access_denied…) or a failed check: no session.
      ctx.state.log?.warn({ err: { message: (error as Error).message } }, 'booking site login failed');
      setCookie(ctx, null, 0);
      ctx.redirect(`${BOOKING_PREFIX}/?failed=1`);
    }
  });

  router.post('/reservations', form, async (ctx) => {
    const { cookie, data } = await current(ctx);
    const body = (ctx.request.body ?? {}) as Record<string, unknown>;
    if (!cookie || !data?.userId || !csrfValid(deps.csrfKey, `booking:${cookie}`, body.csrf)) return ctx.redirect(`${BOOKING_PREFIX}/`);
    ctx.status = 303;
    if (!ROOMS.includes(String(body.room)) || !SLOTS.includes(String(body.slot)) || !isDay(body.day)) {
      return ctx.redirect(`${BOOKING_PREFIX}/?result=invalid`);
    }
    const booked = await deps.store.reserve(data.userId, String(body.room), body.day, String(body.slot));
    ctx.redirect(`${BOOKING_PREFIX}/?result=${booked ? 'booked' : 'taken'}`);
  });

  router.post('/logout', form, async (ctx) => {
    const { cookie, data } = await current(ctx);
    const token = (ctx.request.body as Record<string, unknown> | undefined)?.csrf;
    if (!cookie || !csrfValid(deps.csrfKey, `booking:${cookie}`, token)) return ctx.redirect(`${BOOKING_PREFIX}/`);
    await deps.sessions.destroy(cookie);
    setCookie(ctx, null, 0);
    ctx.status = 303;
    ctx.redirect(await deps.rp.endSessionUrl(data?.idToken));
  });

  // OpenID Connect Back-Channel Logout: PASS posts a logout token; the sessions it names end now.
  router.post('/backchannel-logout', form, async (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    try {
      const { sub, sid } = await deps.rp.verifyLogoutToken((ctx.request.body as Record<string, unknown> | undefined)?.logout_token);
      const ended = await deps.sessions.endPassSessions(sub, sid);
      ctx.state.log?.info({ ended }, 'booking site sessions ended by back-channel logout');
      ctx.status = 200;
    } catch (error) {
      if (!(error instanceof LogoutTokenError)) throw error;
      ctx.status = 400;
      ctx.body = { error: 'invalid_request', error_description: error.message };
    }
  });

  return router;
}

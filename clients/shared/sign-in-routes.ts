import type Router from '@koa/router';
import type { Context } from 'koa';
import { pickLanguage } from '../../src/http/i18n.ts';
import { isAcrRefusal, type PassRelyingParty, type RpSession } from './relying-party.ts';
import type { ClientSessions } from './session-store.ts';

/** A pending sign-in lives as long as an interaction could take. */
const FLOW_TTL_SECONDS = 3600;

export interface SignInRoutesDeps {
  /** Named in the log line of a failed sign-in ("PASS app", "PASS Manager"). */
  label: string;
  client: PassRelyingParty;
  sessions: ClientSessions<RpSession>;
  sessionTtlSeconds: number;
  current(ctx: Context): Promise<{ cookie: string | undefined; data: RpSession | undefined }>;
  setCookie(ctx: Context, value: string | null, maxAgeSeconds: number): void;
  /** Where a failed or forged sign-in lands (the landing page says it failed). */
  failedUrl: string;
  /** Where a sign-in lands that could not reach the class the client asks for (acrValues); failedUrl otherwise. */
  strongerSignInUrl?: string;
  /** Where to go after signing in: the flow's `returnTo`, checked again by the caller. */
  landing(returnTo: string): string;
  /** The page to return to, from `/login?return=` (optional). */
  requestedReturn?(ctx: Context): string | undefined;
}

/**
 * The round trip to PASS that PASS's own relying parties (the app, Manager) make the same way:
 * `/login` starts a code flow with PKCE and a fresh session cookie, `/callback` checks the state,
 * redeems the code and starts the signed-in session. A forged or replayed callback ends the pending
 * flow and lands on the failure page.
 */
export function signInRoutes(router: Router, deps: SignInRoutesDeps): void {
  router.get('/login', async (ctx) => {
    const { cookie } = await deps.current(ctx);
    await deps.sessions.destroy(cookie);
    const flow = deps.client.newFlow(deps.requestedReturn?.(ctx));
    const authorizationUrl = await deps.client.authorizationUrl(flow, pickLanguage(ctx));
    deps.setCookie(ctx, await deps.sessions.create({ flow }, FLOW_TTL_SECONDS), FLOW_TTL_SECONDS);
    ctx.redirect(authorizationUrl);
  });

  router.get('/callback', async (ctx) => {
    const { cookie, data } = await deps.current(ctx);
    const flow = data?.flow;
    const code = typeof ctx.query.code === 'string' ? ctx.query.code : undefined;
    await deps.sessions.destroy(cookie);
    if (!flow || !code || ctx.query.state !== flow.state) {
      deps.setCookie(ctx, null, 0);
      // PASS answered this flow (its state) that the account cannot reach the class this client asks for.
      const unmet = flow && ctx.query.state === flow.state && ctx.query.error === 'unmet_authentication_requirements';
      return ctx.redirect(unmet && deps.strongerSignInUrl ? deps.strongerSignInUrl : deps.failedUrl);
    }
    try {
      const { tokens, user } = await deps.client.complete(flow, ctx.querystring);
      deps.setCookie(ctx, await deps.sessions.create({ tokens, user }), deps.sessionTtlSeconds);
      ctx.redirect(deps.landing(flow.returnTo));
    } catch (error) {
      ctx.state.log?.warn({ err: error }, `${deps.label} sign-in failed`);
      deps.setCookie(ctx, null, 0);
      ctx.redirect(isAcrRefusal(error) && deps.strongerSignInUrl ? deps.strongerSignInUrl : deps.failedUrl);
    }
  });
}

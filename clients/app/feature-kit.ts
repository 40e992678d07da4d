/**
 * What the PASS app's feature screens (identity proofing, face, and later family and facilities)
 * share: the signed-in app session, pages in the resident's language, CSRF on every form and
 * fetch, and the PASS API with the session's token. A screen module gets one FeatureKit and adds
 * its own router; routes.ts stays the shell (landing, home, sign-in and sign-out).
 */
import type { Context } from 'koa';
import { pickLanguage, type Lang, type Messages } from '../../src/http/i18n.ts';
import { csrfToken, csrfValid } from '../../src/identity/interactions/csrf.ts';
import { APP_COOKIE } from './routes.ts';
import { PassApi } from './pass-api.ts';
import type { RpSession } from '../shared/relying-party.ts';
import type { ClientSessions } from '../shared/session-store.ts';
import { render } from './render.ts';

export interface SignedIn<F> {
  cookie: string;
  data: RpSession & { [key: string]: unknown };
  token: string;
  /** This feature's own state in the session (e.g. a proofing flow in progress). */
  flow: F | undefined;
}

export interface FeatureKitDeps {
  sessions: ClientSessions<RpSession>;
  issuer: string;
  csrfKey: string;
  production: boolean;
}

export class FeatureKit {
  readonly api: PassApi;
  readonly production: boolean;
  readonly #deps: FeatureKitDeps;

  constructor(deps: FeatureKitDeps) {
    this.#deps = deps;
    this.api = new PassApi(deps.issuer);
    this.production = deps.production;
  }

  /**
   * The signed-in session with a live access token, or undefined after redirecting to sign-in
   * (a signed-in PASS session brings the resident straight back) or answering 401 for fetches.
   */
  async signedIn<F>(ctx: Context, flowKey: string, json = false, { returnHere = false } = {}): Promise<SignedIn<F> | undefined> {
    const cookie = ctx.cookies.get(APP_COOKIE, { signed: false });
    const data = (await this.#deps.sessions.load(cookie)) as SignedIn<F>['data'] | undefined;
    if (!cookie || !data?.user || !data.tokens || data.tokens.expiresAt <= Date.now()) {
      if (json) {
        ctx.status = 401;
        ctx.body = { error: 'unauthorized', reason: 'signed_out' };
      } else if (returnHere && ctx.method === 'GET') {
        // A page reached from outside (a verifier's request): sign in, then come back to exactly it.
        ctx.redirect(`/app/login?return=${encodeURIComponent(ctx.url)}`);
      } else ctx.redirect(data?.user ? '/app/login' : '/app/');
      return undefined;
    }
    return { cookie, data, token: data.tokens.accessToken, flow: data[flowKey] as F | undefined };
  }

  /** Stores (or, with undefined, clears) this feature's state in the session. */
  async saveFlow<F>(session: SignedIn<F>, flowKey: string, flow: F | undefined): Promise<void> {
    const data = { ...session.data };
    if (flow === undefined) delete data[flowKey];
    else data[flowKey] = flow;
    await this.#deps.sessions.update(session.cookie, data);
    session.data = data;
    session.flow = flow;
  }

  /** Changes the session's own fields (the signed-in user after an account change), keeping the rest. */
  async updateSession<F>(session: SignedIn<F>, changes: Partial<RpSession>): Promise<void> {
    const data = { ...session.data, ...changes };
    await this.#deps.sessions.update(session.cookie, data);
    session.data = data;
  }

  csrf(session: SignedIn<unknown>): string {
    return csrfToken(this.#deps.csrfKey, `app:${session.cookie}`);
  }

  /** The form field `csrf` or, for fetches, the X-CSRF-Token header. */
  csrfOk(ctx: Context, session: SignedIn<unknown>): boolean {
    const field = (ctx.request.body as Record<string, unknown> | undefined)?.csrf;
    const value = typeof field === 'string' ? field : ctx.get('X-CSRF-Token');
    return csrfValid(this.#deps.csrfKey, `app:${session.cookie}`, value);
  }

  lang(ctx: Context): Lang {
    return pickLanguage(ctx);
  }

  /**
   * Renders a feature page. `error` and `notice` (already in the page's language) are shown by the
   * view itself near the top (clients/app/views/partials/feedback.ejs), not by the shared bottom partial.
   */
  async page(ctx: Context, view: string, messages: Messages, here: string, locals: Record<string, unknown>): Promise<void> {
    const { error = null, notice = null, ...rest } = locals;
    await render(ctx, view, messages, { here, ...rest, problem: error, news: notice, error: null, notice: null });
  }

  /** Post/redirect/get: a 303 so a reload never re-sends a form. */
  seeOther(ctx: Context, location: string): void {
    ctx.status = 303;
    ctx.redirect(location);
  }
}

import type { Context } from 'koa';
import { koaBody } from 'koa-body';
import type Provider from 'oidc-provider';
import type { InteractionResults } from 'oidc-provider';
import { pickLanguage, translator, type Lang } from '../../http/i18n.ts';
import { render } from '../../http/render.ts';
import { csrfToken, csrfValid } from './csrf.ts';
import { MESSAGES } from './messages.ts';
import { isOutage } from '../../db/outage.ts';

export type Details = Awaited<ReturnType<Provider['interactionDetails']>>;

/** Forms are small url-encoded posts; nothing else is parsed. */
export const formBody = koaBody({ urlencoded: true, json: false, multipart: false, text: false, formLimit: '16kb' });

export function field(ctx: Context, name: string, max = 254): string {
  const value = (ctx.request.body as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' ? value.slice(0, max) : '';
}

export async function showPage(ctx: Context, view: string, locals: Record<string, unknown>): Promise<void> {
  await render(ctx, view, MESSAGES, { here: ctx.path, notice: null, error: null, ...locals });
}

export async function showError(ctx: Context, status: number, message: string): Promise<void> {
  ctx.status = status;
  await showPage(ctx, 'error', { message, code: null });
}

export function lang(ctx: Context): Lang {
  return pickLanguage(ctx);
}

export function t(ctx: Context): (key: string) => string {
  return translator(MESSAGES, pickLanguage(ctx));
}

/** The interaction behind /interaction/:uid, or an error page when it has expired or is not this browser's. */
export async function loadInteraction(ctx: Context, provider: Provider): Promise<Details | undefined> {
  try {
    const details = await provider.interactionDetails(ctx.req, ctx.res);
    if (ctx.params.uid && details.uid !== ctx.params.uid) throw new Error('interaction mismatch');
    return details;
  } catch (error) {
    // Redis away is not an expired sign-in: the error handler answers 503, and the resident retries.
    if (isOutage(error)) throw error;
    await showError(ctx, 400, t(ctx)('error.interaction'));
    return undefined;
  }
}

/** For a POST: the interaction, after its CSRF token checked out; undefined when a page was shown instead. */
export async function postedInteraction(ctx: Context, provider: Provider, csrfKey: string): Promise<Details | undefined> {
  const details = await loadInteraction(ctx, provider);
  if (!details) return undefined;
  if (!csrfValid(csrfKey, details.uid, field(ctx, 'csrf', 200))) {
    await showError(ctx, 403, t(ctx)('error.csrf'));
    return undefined;
  }
  return details;
}

export function interactionCsrf(csrfKey: string, details: Details): string {
  return csrfToken(csrfKey, details.uid);
}

export async function clientName(provider: Provider, clientId: unknown): Promise<string> {
  const client = typeof clientId === 'string' ? await provider.Client.find(clientId) : undefined;
  return (client?.clientName as string | undefined) ?? (typeof clientId === 'string' ? clientId : '');
}

/**
 * Finishes an interaction as oidc-provider's interactionFinished() does, but with the record this
 * request already loaded: interactionFinished() would load the interaction and its session from
 * storage again (three round trips more on every sign-in and every consent).
 */
export async function finishInteraction(
  ctx: Context,
  details: Details,
  result: InteractionResults,
  { mergeWithLastSubmission }: { mergeWithLastSubmission: boolean },
): Promise<void> {
  details.result = mergeWithLastSubmission && !('error' in result) ? { ...details.lastSubmission, ...result } : result;
  await details.save(details.exp - Math.floor(Date.now() / 1000));
  seeOther(ctx, details.returnTo);
}

/** Finishes the sign-in part of an interaction; the browser goes back to the authorization endpoint. */
export async function finishLogin(ctx: Context, details: Details, login: { accountId: string; amr: string[]; acr: string }): Promise<void> {
  await finishInteraction(ctx, details, { login: { ...login, remember: true } }, { mergeWithLastSubmission: false });
}

export function seeOther(ctx: Context, location: string): void {
  ctx.status = 303;
  ctx.redirect(location);
}

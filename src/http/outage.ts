import type { Context } from 'koa';
import { MESSAGES } from '../identity/interactions/messages.ts';
import { pickLanguage } from './i18n.ts';
import { render } from './render.ts';

/** How long a caller should wait before trying again while PostgreSQL or Redis is away. */
export const OUTAGE_RETRY_AFTER_SECONDS = 5;

export const OUTAGE_MESSAGE = {
  ja: 'ただいまPASSを一時的にご利用いただけません。しばらくしてからもう一度お試しください。',
  en: 'PASS is temporarily unavailable. Please try again in a moment.',
};

declare module 'koa' {
  interface DefaultState {
    /** Set when oidc-provider answered server_error for an outage of PostgreSQL or Redis. */
    outage?: boolean;
  }
}

export const OUTAGE_DESCRIPTION = 'the service is temporarily unavailable; try again shortly';

const PAGE_MESSAGES = { ...MESSAGES, 'outage.message': OUTAGE_MESSAGE };

/**
 * The answer while a backing service is away: 503 with Retry-After, a page for browsers, JSON for
 * everyone else. `oauth` gives oidc-provider's error shape (RFC 6749 `temporarily_unavailable`);
 * otherwise PASS's API shape with the text an app shows.
 */
export async function answerOutage(ctx: Context, shape: 'oauth' | 'api'): Promise<void> {
  ctx.status = 503;
  ctx.set('Retry-After', String(OUTAGE_RETRY_AFTER_SECONDS));
  ctx.set('Cache-Control', 'no-store');
  if (ctx.accepts('json', 'html') === 'html') {
    await render(ctx, 'error', PAGE_MESSAGES, { here: ctx.path, message: OUTAGE_MESSAGE[pickLanguage(ctx)], code: 'temporarily_unavailable' });
    return;
  }
  ctx.body =
    shape === 'oauth'
      ? { error: 'temporarily_unavailable', error_description: OUTAGE_DESCRIPTION }
      : { error: 'unavailable', reason: 'service_unavailable', error_description: OUTAGE_DESCRIPTION, message: OUTAGE_MESSAGE, request_id: ctx.state.requestId };
}

import type { Middleware } from 'koa';
import { MESSAGES } from '../identity/interactions/messages.ts';
import { pickLanguage } from './i18n.ts';
import { render } from './render.ts';

const NOT_FOUND_MESSAGE = {
  ja: 'お探しのページは見つかりませんでした。アドレスをご確認ください。',
  en: 'The page you were looking for was not found. Please check the address.',
};

const PAGE_MESSAGES = { ...MESSAGES, 'not-found.message': NOT_FOUND_MESSAGE };

/**
 * A browser asking for an address nothing answers gets a page in its language (with a title and
 * the document's language, as every PASS page has), not Koa's bare "Not Found"; APIs and other
 * callers keep the plain 404.
 */
export function notFoundPage(): Middleware {
  return async (ctx, next) => {
    await next();
    if (ctx.status !== 404 || ctx.body != null || !['GET', 'HEAD'].includes(ctx.method)) return;
    if (ctx.accepts('json', 'html') !== 'html') return;
    await render(ctx, 'error', PAGE_MESSAGES, { here: ctx.path, message: NOT_FOUND_MESSAGE[pickLanguage(ctx)], code: 'not_found' });
    ctx.status = 404;
  };
}

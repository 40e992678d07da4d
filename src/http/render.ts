import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ejs from 'ejs';
import type { Context } from 'koa';
import { pickLanguage, translator, type Messages } from './i18n.ts';

/** Renders `<name>.ejs` of one views folder in the visitor's language. */
export type PageRenderer = (ctx: Context, name: string, messages: Messages, locals: Record<string, unknown>) => Promise<void>;

/**
 * A renderer for one views folder: PASS's own pages use views/, each client passes its own
 * folder (clients/<app>/views), so a client's pages never live in PASS's tree. ejs escapes every
 * `<%= %>` value; the page title defaults to the message `<view file name>.title`.
 */
export function pageRenderer(viewsDir: string): PageRenderer {
  return async (ctx, name, messages, locals) => {
    const lang = pickLanguage(ctx);
    const t = translator(messages, lang);
    ctx.type = 'html';
    ctx.set('Cache-Control', 'no-store');
    ctx.body = await ejs.renderFile(path.join(viewsDir, `${name}.ejs`), { lang, t, title: t(`${name.split('/').pop()}.title`), ...locals }, { cache: true, async: true });
  };
}

/** PASS's own pages (sign-in, consent, device, check-in…), from views/. */
export const render = pageRenderer(path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../views'));

import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ejs from 'ejs';
import type { Context } from 'koa';
import { pickLanguage, translator, type Messages } from './i18n.ts';

export const VIEWS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../views');

/** Renders views/<name>.ejs in the visitor's language; ejs escapes every `<%= %>` value. */
export async function render(ctx: Context, name: string, messages: Messages, locals: Record<string, unknown>): Promise<void> {
  const lang = pickLanguage(ctx);
  const t = translator(messages, lang);
  ctx.type = 'html';
  ctx.set('Cache-Control', 'no-store');
  ctx.body = await ejs.renderFile(path.join(VIEWS_DIR, `${name}.ejs`), { lang, t, title: t(`${name.split('/').pop()}.title`), ...locals }, { cache: true, async: true });
}

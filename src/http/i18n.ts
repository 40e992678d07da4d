import type { Context } from 'koa';
import { t, type Lang, type Messages, type Translate } from '../core/reasons.ts';

export type { Lang, Messages, Translate };

/**
 * Japanese first: a page is Japanese unless the user chose English (`?lang=en`, remembered in a
 * cookie) or the browser prefers English over Japanese.
 */
export function pickLanguage(ctx: Context): Lang {
  const query = ctx.query.lang;
  if (query === 'ja' || query === 'en') {
    ctx.cookies.set('pass_lang', query, { httpOnly: true, sameSite: 'lax', maxAge: 365 * 86400 * 1000, signed: false });
    return query;
  }
  const cookie = ctx.cookies.get('pass_lang', { signed: false });
  if (cookie === 'ja' || cookie === 'en') return cookie;
  const accepted = ctx.acceptsLanguages('ja', 'en');
  return accepted === 'en' ? 'en' : 'ja';
}

/** A page's t() over one message table (src/core/reasons.ts has the lookup over several, catalogues included). */
export function translator(messages: Messages, lang: Lang): Translate {
  return t(lang, messages);
}

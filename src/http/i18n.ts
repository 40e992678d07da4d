import type { Context } from 'koa';

export type Lang = 'ja' | 'en';

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

export type Messages = Record<string, { ja: string; en: string }>;

export function translator(messages: Messages, lang: Lang): (key: string) => string {
  return (key) => messages[key]?.[lang] ?? key;
}

/**
 * Data-rights screens of the PASS app (/app/privacy): the resident downloads their data (the JSON
 * of GET /api/privacy/export, passed through as a file) and deletes their account after a warning
 * in Japanese and English, their password and an explicit confirmation (POST /api/privacy/deletion).
 * A household representative with members is told to remove them first, or to delete them too.
 * After a deletion the app's session is gone and a plain page says so.
 */
import Router from '@koa/router';
import type { Context } from 'koa';
import { koaBody } from 'koa-body';
import { translator } from '../../../src/http/i18n.ts';
import { APP_COOKIE } from '../routes.ts';
import { APP_MESSAGES } from '../messages.ts';
import type { FeatureKit, SignedIn } from '../feature-kit.ts';
import { refusalText } from '../pass-api.ts';
import type { RpSession } from '../../shared/relying-party.ts';
import type { ClientSessions } from '../../shared/session-store.ts';
import { DELETION_WARNING, PRIVACY_APP_MESSAGES } from './messages.ts';

const BASE = '/app/privacy';
const API = '/api/privacy';
const MESSAGES = { ...APP_MESSAGES, ...PRIVACY_APP_MESSAGES };
const form = koaBody({ urlencoded: true, json: false, multipart: false, text: false, formLimit: '4kb' });

interface Preview {
  members: number;
  blocked_by: string | null;
  relying_parties: Array<{ client_id: string; name: string }>;
  active_registrations: number;
  face_enrollments: number;
  checkins: number;
}

function field(ctx: Context, name: string, max = 200): string {
  const value = (ctx.request.body as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' ? value.slice(0, max) : '';
}

export function privacyAppRoutes(kit: FeatureKit, deps: { sessions: ClientSessions<RpSession>; secureCookies: boolean }): Router {
  const router = new Router({ prefix: BASE });

  router.get('/', async (ctx) => {
    const s = await kit.signedIn(ctx, 'privacy');
    if (!s) return;
    await kit.page(ctx, 'privacy/privacy', MESSAGES, `${BASE}/`, {});
  });

  /** The export as a file: the API's JSON, indented for people who open it. */
  router.get('/export', async (ctx) => {
    const s = await kit.signedIn(ctx, 'privacy');
    if (!s) return;
    const answer = await kit.api.call<{ generated_at?: string }>(s.token, 'GET', `${API}/export`);
    if (!answer.ok) {
      ctx.status = answer.status;
      await kit.page(ctx, 'privacy/privacy', MESSAGES, `${BASE}/`, { error: refusalText(answer, kit.lang(ctx), translator(MESSAGES, kit.lang(ctx))('privacy.error.generic')) });
      return;
    }
    ctx.set('Cache-Control', 'no-store');
    ctx.set('Content-Disposition', `attachment; filename="pass-data-${String(answer.body.generated_at ?? '').slice(0, 10) || 'export'}.json"`);
    ctx.type = 'application/json; charset=utf-8';
    ctx.body = `${JSON.stringify(answer.body, null, 2)}\n`;
  });

  async function deletePage(ctx: Context, s: SignedIn<unknown>, error: string | null = null, status = 200): Promise<void> {
    const lang = kit.lang(ctx);
    const preview = await kit.api.call<Preview>(s.token, 'GET', `${API}/deletion`);
    if (!preview.ok) {
      ctx.status = preview.status;
      await kit.page(ctx, 'privacy/privacy', MESSAGES, `${BASE}/`, { error: refusalText(preview, lang, translator(MESSAGES, lang)('privacy.error.generic')) });
      return;
    }
    const other = lang === 'ja' ? 'en' : 'ja';
    ctx.status = status;
    await kit.page(ctx, 'privacy/privacy-delete', MESSAGES, `${BASE}/delete`, {
      csrf: kit.csrf(s),
      error,
      preview: preview.body,
      membersText: translator(MESSAGES, lang)('privacy.delete.members').replace('{n}', String(preview.body.members)),
      warning: { main: DELETION_WARNING[lang], other: DELETION_WARNING[other], otherLang: other },
    });
  }

  router.get('/delete', async (ctx) => {
    const s = await kit.signedIn(ctx, 'privacy');
    if (s) await deletePage(ctx, s);
  });

  router.post('/delete', form, async (ctx) => {
    const s = await kit.signedIn(ctx, 'privacy');
    if (!s) return;
    const lang = kit.lang(ctx);
    const t = translator(MESSAGES, lang);
    if (!kit.csrfOk(ctx, s)) return deletePage(ctx, s, t('privacy.error.form'), 403);
    const answer = await kit.api.call(s.token, 'POST', `${API}/deletion`, {
      json: {
        password: field(ctx, 'password'),
        confirm: field(ctx, 'confirm') === 'yes',
        members: field(ctx, 'members') === 'delete' ? 'delete' : 'refuse',
      },
    });
    if (!answer.ok) return deletePage(ctx, s, refusalText(answer, lang, t('privacy.error.generic')), answer.status);
    // PASS already ended every session of the account; this browser's cookie goes too.
    await deps.sessions.destroy(s.cookie);
    ctx.cookies.set(APP_COOKIE, null, { httpOnly: true, sameSite: 'lax', secure: deps.secureCookies, path: '/app', signed: false, maxAge: 0, overwrite: true });
    kit.seeOther(ctx, `${BASE}/deleted`);
  });

  /** After a deletion: no session needed, nothing personal shown. */
  router.get('/deleted', async (ctx) => {
    await kit.page(ctx, 'privacy/privacy-deleted', MESSAGES, `${BASE}/deleted`, {});
  });

  return router;
}

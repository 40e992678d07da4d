/**
 * Check-in history: a filter form (GET, so a filtered list can be bookmarked and shared among
 * staff of the same facility), a paged table, and the CSV of every matching row. The rows come
 * from /api/manager/checkins, which decides what the staff member may see.
 */
import { Readable } from 'node:stream';
import Router from '@koa/router';
import type { Context } from 'koa';
import { CHECKIN_METHODS } from '../../../src/checkins/checkin-store.ts';
import { DIRECTION_LABELS, GENDER_LABELS, HISTORY_COLUMNS, METHOD_LABELS, RESULT_LABELS, TYPE_LABELS, japanTime, label, padLabel, reasonLabel } from '../../../src/manager/labels.ts';
import type { HistoryPage } from '../../../src/manager/history/history-service.ts';
import { MANAGER_BASE } from '../paths.ts';
import type { ManagerEnv, ManagerSection } from '../sections.ts';
import { withQuery } from '../manager-api.ts';
import { fill } from '../admin/page-kit.ts';
import { HISTORY_MESSAGES } from './messages.ts';

const FIELDS = ['facility', 'from', 'to', 'method', 'result', 'q'] as const;
const BASE = `${MANAGER_BASE}/history`;

function japanDay(offsetDays = 0): string {
  return new Date(Date.now() + 9 * 3600_000 + offsetDays * 86400_000).toISOString().slice(0, 10);
}

/** The filter from the query; a first visit (no form sent) shows the last 7 days. */
function filterOf(ctx: Context): Record<string, string> {
  const out: Record<string, string> = {};
  for (const field of FIELDS) {
    const value = ctx.query[field];
    if (typeof value === 'string' && value.trim() !== '') out[field] = value.trim().slice(0, 100);
  }
  if (ctx.query.f !== '1' && !out.from && !out.to) {
    out.from = japanDay(-6);
    out.to = japanDay();
  }
  return out;
}

function routes(env: ManagerEnv): Router {
  const router = new Router();

  router.get('/', async (ctx) => {
    const { api, t } = env.staff(ctx);
    const filter = filterOf(ctx);
    const page = typeof ctx.query.page === 'string' && /^\d{1,6}$/.test(ctx.query.page) ? ctx.query.page : '1';
    const answer = await api.get<HistoryPage>('/api/manager/checkins', { ...filter, page, size: '50' });
    if (answer.status === 403) return env.refuse(ctx, 403, api.refusal(answer, t('refused.facility')));
    const query = { ...filter, f: '1' };
    await env.render(ctx, 'history/history', {
      section: 'history',
      filter,
      result: answer.ok ? answer.body : null,
      error: answer.ok ? null : api.refusal(answer, t('error.unavailable')),
      methods: CHECKIN_METHODS,
      pageHref: (n: number) => withQuery(`${BASE}/`, { ...query, page: String(n) }),
      csvHref: withQuery(`${BASE}/export.csv`, query),
      words: { METHOD_LABELS, RESULT_LABELS, DIRECTION_LABELS, GENDER_LABELS, TYPE_LABELS, HISTORY_COLUMNS },
      label,
      reasonLabel,
      padLabel,
      japanTime,
      fill,
    });
  });

  // The API's CSV, passed through as it comes (bytes untouched: the BOM and CRLFs are the API's).
  router.get('/export.csv', async (ctx) => {
    const { api, lang, t } = env.staff(ctx);
    const upstream = await api.raw('/api/manager/checkins.csv', { query: { ...filterOf(ctx), lang } });
    if (!upstream.ok || !upstream.body) {
      const body = (await upstream.json().catch(() => ({}))) as { message?: { ja: string; en: string } };
      return env.refuse(ctx, upstream.status === 403 ? 403 : 400, body.message?.[lang] ?? t('error.unavailable'));
    }
    ctx.set('Cache-Control', 'no-store');
    ctx.set('Content-Disposition', upstream.headers.get('content-disposition') ?? 'attachment; filename="checkins.csv"');
    ctx.type = upstream.headers.get('content-type') ?? 'text/csv; charset=utf-8';
    ctx.body = Readable.fromWeb(upstream.body as import('node:stream/web').ReadableStream);
  });

  return router;
}

export const historySection: ManagerSection = {
  id: 'history',
  navKey: 'nav.history',
  path: '/history',
  roles: ['facility_staff', 'facility_admin', 'municipal_admin'],
  messages: HISTORY_MESSAGES,
  routes,
};

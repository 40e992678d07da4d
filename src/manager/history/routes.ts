/**
 * Check-in history in the Manager API:
 *   GET /api/manager/checkins      ?facility&from&to&method&result&q&page&size → { rows, total, page, size, pages }
 *   GET /api/manager/checkins.csv  the same filter, every matching row (lang=ja|en or Accept-Language)
 * A facility that is not the principal's is a 403 with no rows.
 */
import Router from '@koa/router';
import type { Context } from 'koa';
import type { Lang } from '../../http/i18n.ts';
import type { ManagerApiModule } from '../api-modules.ts';
import { MANAGER_API_PREFIX, noStore, parse, staffOf } from '../http/edge.ts';
import { facilitiesFor } from '../staff-scope.ts';
import { historyCsv } from './csv.ts';
import { historyFilterSchema, queryValues } from './history-query.ts';
import { HistoryService } from './history-service.ts';
import { PersonFacts } from './person-facts.ts';

function csvLang(ctx: Context): Lang {
  if (ctx.query.lang === 'ja' || ctx.query.lang === 'en') return ctx.query.lang;
  return ctx.acceptsLanguages('ja', 'en') === 'en' ? 'en' : 'ja';
}

function filterOf(ctx: Context) {
  const { lang: _lang, ...values } = queryValues(ctx.query);
  return parse(historyFilterSchema, values);
}

export const historyApi: ManagerApiModule = {
  name: 'history',
  async start({ platform, oidc, guard }) {
    const { db, config, facilities } = platform;
    const engine = oidc.claims.engine;
    const history = new HistoryService({ db, facts: () => new PersonFacts({ db, engine, policies: facilities.policies, pairwiseSalt: config.pairwiseSalt }) });
    const router = new Router({ prefix: MANAGER_API_PREFIX });
    router.get('/checkins', ...guard, async (ctx) => {
      noStore(ctx, await history.page(staffOf(ctx), filterOf(ctx)));
    });

    router.get('/checkins.csv', ...guard, async (ctx) => {
      const principal = staffOf(ctx);
      const filter = filterOf(ctx);
      const rows = await history.export(principal, filter);
      const day = new Date(Date.now() + 9 * 3600_000).toISOString().slice(0, 10);
      const name = `checkins-${filter.facility ?? 'all'}-${filter.from ?? ''}${filter.to ? `_${filter.to}` : ''}-${day}.csv`.replace(/-+\./, '.').replace(/--+/g, '-');
      ctx.set('Cache-Control', 'no-store');
      ctx.set('Content-Disposition', `attachment; filename="${name}"`);
      ctx.type = 'text/csv; charset=utf-8';
      ctx.body = historyCsv(rows, facilitiesFor(principal, filter.facility), csvLang(ctx));
    });

    return { routers: [router] };
  },
};

/**
 * The shelter dashboard in the Manager API (token with scope `manager`, a staff principal):
 *   GET /api/manager/shelters                    → occupancy of each shelter of the caller; city-wide totals for a municipal admin
 *   GET /api/manager/shelters/:id/roster         → who is inside (what staff may see of them), audited
 *   GET /api/manager/shelters/report.csv         ?facility&lang → the periodic report (UTF-8 with BOM, CRLF), audited
 *   GET /api/manager/shelters/stream             ?facility → Server-Sent Events: `occupancy` on every check-in or check-out
 * Another facility's shelter is a 403 with no data, for the stream and the CSV too.
 */
import Router from '@koa/router';
import type { Context } from 'koa';
import { z } from 'zod';
import type { Lang } from '../../http/i18n.ts';
import type { ManagerApiModule } from '../api-modules.ts';
import { noStore, staffOf, validate } from '../http/edge.ts';
import { facilityOf } from '../staff-scope.ts';
import { ManagerRefusal } from '../admin/refusals.ts';
import { isShelter, ShelterBoard } from './shelter-board.ts';
import { ShelterLive } from './live.ts';
import { shelterReportCsv } from './report-csv.ts';

export const SHELTERS_API_PREFIX = '/api/manager/shelters';

const facilityId = z.string().regex(/^[a-z0-9-]{3,64}$/);
const filter = z.object({ facility: facilityId.optional(), lang: z.enum(['ja', 'en']).optional() });

function csvLang(ctx: Context, asked: Lang | undefined): Lang {
  return asked ?? (ctx.acceptsLanguages('ja', 'en') === 'en' ? 'en' : 'ja');
}

export const sheltersApi: ManagerApiModule = {
  name: 'shelters',
  async start({ platform, scope, guard, checkins }) {
    const board = new ShelterBoard(platform.db, checkins);
    const live = new ShelterLive({ bus: platform.bus, board, scope, log: platform.log });
    await live.start();
    const router = new Router({ prefix: SHELTERS_API_PREFIX });
    router.use(...guard);

    router.get('/', async (ctx) => {
      noStore(ctx, await board.overview(staffOf(ctx)));
    });

    router.get('/report.csv', validate({ query: filter }), async (ctx) => {
      const principal = staffOf(ctx);
      const { query } = ctx.state.input;
      const rosters = await board.report(principal, query.facility);
      const day = new Date(Date.now() + 9 * 3600_000).toISOString().slice(0, 10);
      ctx.set('Cache-Control', 'no-store');
      ctx.set('Content-Disposition', `attachment; filename="shelters-${query.facility ?? 'all'}-${day}.csv"`);
      ctx.type = 'text/csv; charset=utf-8';
      ctx.body = shelterReportCsv(rosters, csvLang(ctx, query.lang));
    });

    router.get('/stream', validate({ query: filter }), async (ctx) => {
      const principal = staffOf(ctx);
      const { query } = ctx.state.input;
      const shelters = query.facility ? [facilityOf(principal, query.facility)] : board.shelters(principal);
      if (shelters.length === 0 || !shelters.every(isShelter)) throw new ManagerRefusal('not_a_shelter');
      live.open(ctx, principal, shelters.map((s) => s.id));
    });

    router.get('/:facilityId/roster', validate({ params: z.object({ facilityId }) }), async (ctx) => {
      noStore(ctx, await board.roster(staffOf(ctx), ctx.state.input.params.facilityId));
    });

    return { routers: [router], drain: () => live.drain(), stop: async () => live.drain() };
  },
};

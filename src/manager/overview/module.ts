/**
 * /api/manager/overview as a Manager API module (token with scope `manager`, a staff principal):
 *   GET /api/manager/overview?facility=<id>
 *     → { day, facilities, checkins: { accepted, rejected, byMethod }, alerts: { open, more }, kiosks }
 *       today's figures for the home screen, over one facility of the caller or all of them
 *       (403 `facility_not_permitted` for a facility not theirs).
 */
import Router from '@koa/router';
import { z } from 'zod';
import type { ManagerApiModule } from '../api-modules.ts';
import { MANAGER_API_PREFIX, noStore, staffOf, validate } from '../http/edge.ts';
import { AlertService } from '../alerts/alert-service.ts';
import { OverviewService } from './overview-service.ts';

const overviewQuery = z.object({ facility: z.string().regex(/^[a-z0-9-]{3,64}$/).optional() }).strict();

export const overviewApi: ManagerApiModule = {
  name: 'overview',
  async start({ platform, guard, kiosks, alertThumbnails }) {
    const { db, bus } = platform;
    const overview = new OverviewService({ db, kiosks, alerts: new AlertService(db, bus, alertThumbnails.thumbnails) });
    const router = new Router({ prefix: `${MANAGER_API_PREFIX}/overview` });
    router.use(...guard);
    router.get('/', validate({ query: overviewQuery }), async (ctx) => {
      noStore(ctx, await overview.overview(staffOf(ctx), ctx.state.input.query.facility));
    });
    return { routers: [router] };
  },
};

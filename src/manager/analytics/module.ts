/**
 * /api/manager/analytics as a Manager API module (token with scope `manager`, a staff principal):
 *   GET /api/manager/analytics?from=YYYY-MM-DD&to=YYYY-MM-DD&facility=<id>
 *     → check-ins per day and per hour, by method, residents and non-residents, registrations per
 *       day, over one facility of the caller or all of them (403 for a facility not theirs).
 */
import Router from '@koa/router';
import type { ManagerApiModule } from '../api-modules.ts';
import { noStore, staffOf, validate } from '../http/edge.ts';
import { AnalyticsService, rangeQuery } from './analytics-service.ts';

export const ANALYTICS_API_PATH = '/api/manager/analytics';

export const analyticsApi: ManagerApiModule = {
  name: 'analytics',
  async start({ platform, guard }) {
    const analytics = new AnalyticsService(platform.db);
    const router = new Router({ prefix: ANALYTICS_API_PATH });
    router.use(...guard);
    router.get('/', validate({ query: rangeQuery }), async (ctx) => {
      noStore(ctx, await analytics.report(staffOf(ctx), ctx.state.input.query));
    });
    return { routers: [router] };
  },
};

/** GET /api/manager/me: the staff principal of the token (what the console draws its screens from). */
import Router from '@koa/router';
import type { Middleware } from 'koa';
import { MANAGER_API_PREFIX, noStore, staffOf } from './edge.ts';

export function meRoutes(guard: Middleware[]): Router {
  const router = new Router({ prefix: MANAGER_API_PREFIX });
  router.get('/me', ...guard, (ctx) => noStore(ctx, staffOf(ctx)));
  return router;
}

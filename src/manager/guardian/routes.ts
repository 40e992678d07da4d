/**
 * Guardian lookup in the Manager API:
 *   GET /api/manager/guardians/candidates      ?facility → { candidates } (children at the facility now)
 *   GET /api/manager/checkins/:id/guardian     → { checkin, child, guardians } (audited)
 */
import Router from '@koa/router';
import { z } from 'zod';
import type { ManagerApiModule } from '../api-modules.ts';
import { MANAGER_API_PREFIX, noStore, parse, staffOf } from '../http/edge.ts';
import { queryValues } from '../history/history-query.ts';
import { PersonFacts } from '../history/person-facts.ts';
import { GuardianService } from './guardian-service.ts';

const candidatesQuery = z.object({ facility: z.string().regex(/^[a-z0-9-]{3,64}$/).optional() }).strict();

export const guardianApi: ManagerApiModule = {
  name: 'guardian',
  async start({ platform, oidc, guard }) {
    const { db, config, facilities } = platform;
    const engine = oidc.claims.engine;
    const guardians = new GuardianService({ db, engine, facts: () => new PersonFacts({ db, engine, policies: facilities.policies, pairwiseSalt: config.pairwiseSalt }) });
    const router = new Router({ prefix: MANAGER_API_PREFIX });

    router.get('/guardians/candidates', ...guard, async (ctx) => {
      const query = parse(candidatesQuery, queryValues(ctx.query));
      noStore(ctx, { candidates: await guardians.candidates(staffOf(ctx), query.facility) });
    });

    router.get('/checkins/:id/guardian', ...guard, async (ctx) => {
      noStore(ctx, await guardians.lookup(staffOf(ctx), parse(z.uuid(), ctx.params.id)));
    });

    return { routers: [router] };
  },
};

/**
 * Pending pre-registrations in the Manager API (issue 16): members a household's representative
 * named in the PASS app, who are to finish proofing at a municipal kiosk within 24 hours.
 *   GET /api/manager/preregistrations   → { preregistrations } of the municipalities of the staff member's facilities
 * Read-only: the representative cancels, the member completes at a kiosk; staff see who to expect
 * and until when, to help at the kiosk. Each read is audited (it shows names and birthdates).
 */
import Router from '@koa/router';
import type { ManagerApiModule } from '../api-modules.ts';
import { MANAGER_API_PREFIX, noStore, staffOf } from '../http/edge.ts';
import { appendAudit } from '../../audit/audit-log.ts';
import { pendingPreregistrationsIn } from '../../households/preregistrations.ts';

export const preregistrationsApi: ManagerApiModule = {
  name: 'preregistrations',
  async start({ platform, guard }) {
    const { db, box } = platform;
    const router = new Router({ prefix: MANAGER_API_PREFIX });

    router.get('/preregistrations', ...guard, async (ctx) => {
      const principal = staffOf(ctx);
      const municipalities = [...new Set(principal.facilities.map((f) => f.municipalityCode))].sort();
      const found = await pendingPreregistrationsIn(db, box, municipalities);
      await appendAudit(db, { actorAccountId: principal.accountId, action: 'manager.preregistrations_viewed', details: { municipalities, count: found.length } });
      noStore(ctx, {
        municipalities,
        preregistrations: found.map((p) => ({
          id: p.id,
          municipality_code: p.municipalityCode ?? null,
          relation: p.relation,
          name: p.name,
          birthdate: p.birthdate,
          state: p.state,
          created_at: p.createdAt.toISOString(),
          expires_at: p.expiresAt.toISOString(),
        })),
      });
    });

    return { routers: [router] };
  },
};

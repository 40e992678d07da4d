/**
 * Staff and admin side of kiosks and check-ins (PASS Manager, issue #9, builds its screens on it),
 * with a PASS API token (`pass:api`) of a staff account:
 *   GET  /api/kiosk/admin/facilities/:facilityId/kiosks       kiosks, last contact, revoked
 *   POST /api/kiosk/admin/kiosks/:id/revoke                    facility or municipal admin
 *   GET  /api/kiosk/admin/facilities/:facilityId/checkins      ?result=rejected for failures
 *   GET  /api/kiosk/admin/facilities/:facilityId/occupancy     shelters
 *   POST /api/kiosk/admin/facilities/:facilityId/checkin-codes a long-lived code for a poster
 *   PUT|DELETE /api/kiosk/admin/municipalities/:code/emergency municipal admin
 * Live failures: the event bus channel `checkin-failures` (JSON CheckinFailureEvent).
 */
import Router from '@koa/router';
import type { Context, Middleware } from 'koa';
import { z } from 'zod';
import { NotFoundError, PassError } from '../core/errors.ts';
import type { CheckinStore } from '../checkins/checkin-store.ts';
import { viewOf } from '../checkins/checkin-service.ts';
import type { CheckinCodes } from '../checkins/checkin-codes.ts';
import { displayCode } from '../checkins/checkin-codes.ts';
import type { Emergencies } from '../checkins/emergencies.ts';
import type { StaffService } from '../staff/staff-service.ts';
import { jsonBody, kioskErrors, noStore, validate } from './edge.ts';
import type { Kiosk, KioskStore } from './kiosk-store.ts';
import { KIOSK_PREFIX } from './routes.ts';

export interface AdminRoutesDeps {
  issuer: string;
  auth: Middleware;
  staff: StaffService;
  kiosks: KioskStore;
  store: CheckinStore;
  codes: CheckinCodes;
  emergencies: Emergencies;
  /** Ends the kiosk's grant and its tokens. */
  revokeGrant(grantId: string): Promise<void>;
}

function accountOf(ctx: Context): string {
  const accountId = ctx.state.principal?.accountId;
  if (!accountId) throw new PassError('forbidden', 'not_permitted', 'a staff account is required');
  return accountId;
}

const codeBody = z.object({ direction: z.enum(['in', 'out']).default('in') }).default({ direction: 'in' });

function kioskView(k: Kiosk) {
  return { id: k.id, name: k.name, facilityId: k.facilityId, createdAt: k.createdAt.toISOString(), lastContactAt: k.lastContactAt?.toISOString() ?? null, revokedAt: k.revokedAt?.toISOString() ?? null };
}

export function adminRoutes(deps: AdminRoutesDeps): Router {
  const router = new Router({ prefix: `${KIOSK_PREFIX}/admin` });
  router.use(kioskErrors(), deps.auth);

  async function staffOf(ctx: Context, facilityId: string): Promise<string> {
    const accountId = accountOf(ctx);
    if (!(await deps.staff.canSeeFacility(accountId, facilityId))) throw new PassError('forbidden', 'not_permitted', 'not staff of this facility');
    return accountId;
  }

  router.get('/facilities/:facilityId/kiosks', async (ctx) => {
    await staffOf(ctx, String(ctx.params.facilityId));
    noStore(ctx, { kiosks: (await deps.kiosks.list(String(ctx.params.facilityId))).map(kioskView) });
  });

  router.post('/kiosks/:id/revoke', async (ctx) => {
    const accountId = accountOf(ctx);
    const kiosk = await deps.kiosks.find(String(ctx.params.id));
    if (!kiosk) throw new NotFoundError('kiosk_not_found', 'no such kiosk');
    if (!(await deps.staff.canAdminister(accountId, kiosk.facilityId))) throw new PassError('forbidden', 'not_permitted', 'only a facility or municipal admin may revoke a kiosk');
    const revoked = await deps.kiosks.revoke(kiosk.id, accountId);
    await deps.revokeGrant(kiosk.grantId);
    noStore(ctx, kioskView(revoked!));
  });

  router.get('/facilities/:facilityId/checkins', async (ctx) => {
    await staffOf(ctx, String(ctx.params.facilityId));
    const result = ctx.query.result === 'rejected' || ctx.query.result === 'accepted' ? ctx.query.result : undefined;
    const records = await deps.store.recent(String(ctx.params.facilityId), { ...(result ? { result } : {}), limit: 100 });
    noStore(ctx, { checkins: records.map((r) => ({ ...viewOf(r, false), kioskId: r.kioskId ?? null, replayed: undefined })) });
  });

  router.get('/facilities/:facilityId/occupancy', async (ctx) => {
    await staffOf(ctx, String(ctx.params.facilityId));
    noStore(ctx, { facilityId: ctx.params.facilityId, occupancy: await deps.store.occupancy(String(ctx.params.facilityId)) });
  });

  router.post('/facilities/:facilityId/checkin-codes', jsonBody, validate({ body: codeBody }), async (ctx) => {
    const facilityId = String(ctx.params.facilityId);
    await staffOf(ctx, facilityId);
    const code = await deps.codes.create({ facilityId, direction: ctx.state.input.body.direction });
    noStore(ctx, { code: displayCode(code.code), url: `${deps.issuer}/checkin/${code.code}` }, 201);
  });

  for (const method of ['put', 'del'] as const) {
    router[method]('/municipalities/:code/emergency', async (ctx) => {
      const accountId = accountOf(ctx);
      const code = String(ctx.params.code);
      if (!(await deps.staff.isMunicipalAdmin(accountId, code))) throw new PassError('forbidden', 'not_permitted', 'only a municipal admin may change emergency mode');
      await deps.emergencies.set(code, method === 'put', accountId);
      noStore(ctx, { municipalityCode: code, emergency: method === 'put' });
    });
  }

  return router;
}

/**
 * PASS Manager's management API (a PASS API token with scope `manager`, for a staff account):
 *   GET    /api/manager/admin/facilities                          facilities of the caller, their claim policies, the catalog
 *   GET    /api/manager/admin/facilities/:id                      one facility
 *   POST   /api/manager/admin/facilities/:id/claim-policy         { required, optional, purposeJa, purposeEn, retentionDays, sector?, subjectType? }
 *   GET    /api/manager/admin/facilities/:id/kiosks               kiosks, last contact, revocation
 *   POST   /api/manager/admin/facilities/:id/kiosks/preview       { userCode } → the device waiting for approval
 *   POST   /api/manager/admin/facilities/:id/kiosks/approve       { userCode }
 *   POST   /api/manager/admin/facilities/:id/kiosks/deny          { userCode } → the kiosk is refused (cancel)
 *   POST   /api/manager/admin/kiosks/:kioskId/revoke
 *   GET    /api/manager/admin/facilities/:id/clients              relying parties of the facility
 *   POST   /api/manager/admin/facilities/:id/clients              register one → 201 { client, clientSecret (once) }
 *   GET    /api/manager/admin/clients/:clientId
 *   POST   /api/manager/admin/clients/:clientId/claims            { claims }
 *   POST   /api/manager/admin/clients/:clientId/secret            → { client, clientSecret (once) }
 *   POST   /api/manager/admin/clients/:clientId/keys              { jwks } or { jwksUri }
 *   GET    /api/manager/admin/facilities/:id/staff                staff of the facility
 *   POST   /api/manager/admin/facilities/:id/staff                { email, role }
 *   DELETE /api/manager/admin/facilities/:id/staff/:accountId
 *   GET    /api/manager/admin/municipalities/:code/admins
 *   POST   /api/manager/admin/municipalities/:code/admins         { email }
 *   DELETE /api/manager/admin/municipalities/:code/admins/:accountId
 * Who may do what is decided by the services (staff-scope.ts): 403 `facility_not_permitted` and
 * no data for another facility.
 */
import Router from '@koa/router';
import type { Context, Middleware } from 'koa';
import { z } from 'zod';
import type { ClaimPolicy } from '../../facilities/claim-policy.ts';
import { staffOf } from '../http/edge.ts';
import { jsonBody, noStore, parse, refusalEdge } from './api-edge.ts';
import { catalogUnits, policyInput, type FacilityPolicies, type FacilitySummary } from './facility-policies.ts';
import type { KioskApprovals } from './kiosk-approvals.ts';
import { keysInput, registerInput, type RelyingParties } from './relying-parties.ts';
import { adminInput, assignInput, type StaffRoles } from './staff-roles.ts';

export const ADMIN_API_PREFIX = '/api/manager/admin';

const facilityId = z.string().regex(/^[a-z0-9-]{3,64}$/);
const clientId = z.string().regex(/^[A-Za-z0-9._~-]{3,100}$/);
const kioskId = z.string().regex(/^kiosk-[A-Za-z0-9_-]{1,40}$/);
const accountId = z.uuid();
const municipalityCode = z.string().regex(/^\d{6}$/);
const userCode = z.object({ userCode: z.string().trim().min(1).max(20) }).strict();
const claimsBody = z.object({ claims: z.array(z.string().regex(/^[a-z_0-9]{2,40}$/)).max(30) }).strict();

export interface AdminRoutesDeps {
  /** The console's guard: refusals, token (scope `manager`), staff principal. */
  guard: Middleware[];
  facilities: FacilityPolicies;
  kiosks: KioskApprovals;
  clients: RelyingParties;
  staff: StaffRoles;
}

export function policyJson(p: ClaimPolicy | undefined) {
  return p
    ? { required: p.required, optional: p.optional, purposeJa: p.purpose.ja, purposeEn: p.purpose.en, retentionDays: p.retentionDays, sector: p.sector, subjectType: p.subjectType }
    : null;
}

function facilityJson(f: FacilitySummary) {
  return { id: f.id, municipalityCode: f.municipalityCode, kind: f.kind, name: f.name, administer: f.administer, policy: policyJson(f.policy) };
}

const param = <T extends z.ZodType>(ctx: Context, name: string, schema: T): z.output<T> => parse(schema, ctx.params[name]);

export function adminApiRoutes(deps: AdminRoutesDeps): Router {
  const router = new Router({ prefix: ADMIN_API_PREFIX });
  router.use(...deps.guard, refusalEdge());

  router.get('/facilities', async (ctx) => {
    noStore(ctx, { facilities: (await deps.facilities.list(staffOf(ctx))).map(facilityJson), catalog: catalogUnits() });
  });

  router.get('/facilities/:facilityId', async (ctx) => {
    noStore(ctx, { facility: facilityJson(await deps.facilities.get(staffOf(ctx), param(ctx, 'facilityId', facilityId))), catalog: catalogUnits() });
  });

  router.post('/facilities/:facilityId/claim-policy', jsonBody, async (ctx) => {
    const id = param(ctx, 'facilityId', facilityId);
    const policy = await deps.facilities.setPolicy(staffOf(ctx), id, parse(policyInput, ctx.request.body));
    noStore(ctx, { policy: policyJson(policy) });
  });

  router.get('/facilities/:facilityId/kiosks', async (ctx) => {
    noStore(ctx, { kiosks: await deps.kiosks.list(staffOf(ctx), param(ctx, 'facilityId', facilityId)) });
  });

  router.post('/facilities/:facilityId/kiosks/preview', jsonBody, async (ctx) => {
    const id = param(ctx, 'facilityId', facilityId);
    noStore(ctx, { device: await deps.kiosks.preview(staffOf(ctx), id, parse(userCode, ctx.request.body).userCode) });
  });

  router.post('/facilities/:facilityId/kiosks/approve', jsonBody, async (ctx) => {
    const id = param(ctx, 'facilityId', facilityId);
    noStore(ctx, { approved: await deps.kiosks.approve(staffOf(ctx), id, parse(userCode, ctx.request.body).userCode) });
  });

  router.post('/facilities/:facilityId/kiosks/deny', jsonBody, async (ctx) => {
    const id = param(ctx, 'facilityId', facilityId);
    await deps.kiosks.deny(staffOf(ctx), id, parse(userCode, ctx.request.body).userCode);
    ctx.status = 204;
  });

  router.post('/kiosks/:kioskId/revoke', async (ctx) => {
    noStore(ctx, { kiosk: await deps.kiosks.revoke(staffOf(ctx), param(ctx, 'kioskId', kioskId)) });
  });

  router.get('/facilities/:facilityId/clients', async (ctx) => {
    noStore(ctx, { clients: await deps.clients.list(staffOf(ctx), param(ctx, 'facilityId', facilityId)) });
  });

  router.post('/facilities/:facilityId/clients', jsonBody, async (ctx) => {
    const id = param(ctx, 'facilityId', facilityId);
    noStore(ctx, await deps.clients.register(staffOf(ctx), id, parse(registerInput, ctx.request.body)), 201);
  });

  router.get('/clients/:clientId', async (ctx) => {
    noStore(ctx, { client: await deps.clients.get(staffOf(ctx), param(ctx, 'clientId', clientId)) });
  });

  router.post('/clients/:clientId/claims', jsonBody, async (ctx) => {
    const id = param(ctx, 'clientId', clientId);
    noStore(ctx, { client: await deps.clients.setClaims(staffOf(ctx), id, parse(claimsBody, ctx.request.body).claims) });
  });

  router.post('/clients/:clientId/secret', async (ctx) => {
    noStore(ctx, await deps.clients.rotateSecret(staffOf(ctx), param(ctx, 'clientId', clientId)));
  });

  router.post('/clients/:clientId/keys', jsonBody, async (ctx) => {
    const id = param(ctx, 'clientId', clientId);
    noStore(ctx, { client: await deps.clients.setKeys(staffOf(ctx), id, parse(keysInput, ctx.request.body)) });
  });

  router.get('/facilities/:facilityId/staff', async (ctx) => {
    noStore(ctx, { staff: await deps.staff.ofFacility(staffOf(ctx), param(ctx, 'facilityId', facilityId)) });
  });

  router.post('/facilities/:facilityId/staff', jsonBody, async (ctx) => {
    const id = param(ctx, 'facilityId', facilityId);
    noStore(ctx, { member: await deps.staff.assign(staffOf(ctx), id, parse(assignInput, ctx.request.body)) }, 201);
  });

  router.delete('/facilities/:facilityId/staff/:accountId', async (ctx) => {
    await deps.staff.remove(staffOf(ctx), param(ctx, 'facilityId', facilityId), param(ctx, 'accountId', accountId));
    ctx.status = 204;
  });

  router.get('/municipalities/:code/admins', async (ctx) => {
    noStore(ctx, await deps.staff.admins(staffOf(ctx), param(ctx, 'code', municipalityCode)));
  });

  router.post('/municipalities/:code/admins', jsonBody, async (ctx) => {
    const code = param(ctx, 'code', municipalityCode);
    noStore(ctx, { member: await deps.staff.assignAdmin(staffOf(ctx), code, parse(adminInput, ctx.request.body)) }, 201);
  });

  router.delete('/municipalities/:code/admins/:accountId', async (ctx) => {
    await deps.staff.removeAdmin(staffOf(ctx), param(ctx, 'code', municipalityCode), param(ctx, 'accountId', accountId));
    ctx.status = 204;
  });

  return router;
}

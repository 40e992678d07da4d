/**
 * PASS Manager's management API (a PASS API token with scope `manager`, for a staff account):
 *   GET    /api/manager/admin/facilities                          facilities of the caller, their claim policies, the catalog
 *   GET    /api/manager/admin/facilities/:id                      one facility
 *   POST   /api/manager/admin/facilities/:id/claim-policy         { required, optional, purposeJa, purposeEn, retentionDays, sector?, subjectType? }
 *   GET    /api/manager/admin/facilities/:id/kiosk-display        what its kiosks show in public → { name, age }
 *   POST   /api/manager/admin/facilities/:id/kiosk-display        { name: given_name|full_name|none, age: children_only|always|never } (admins)
 *   GET    /api/manager/admin/facilities/:id/pad-policy           presentation-attack detection at its kiosks → { facilityId, policy }
 *   POST   /api/manager/admin/facilities/:id/pad-policy           { policy: off|record|required } (admins)
 *   GET    /api/manager/admin/facilities/:id/wallet-policy        wallet presentations at its kiosks → { facilityId, statusListMaxAgeSeconds }
 *   POST   /api/manager/admin/facilities/:id/wallet-policy        { statusListMaxAgeSeconds: 300–604800 } (admins)
 *   GET    /api/manager/admin/facilities/:id/kiosks               kiosks, last contact, revocation
 *   POST   /api/manager/admin/facilities/:id/kiosks/preview       { userCode } → the device waiting for approval
 *   POST   /api/manager/admin/facilities/:id/kiosks/approve       { userCode }
 *   POST   /api/manager/admin/facilities/:id/kiosks/deny          { userCode } → the kiosk is refused (cancel)
 *   POST   /api/manager/admin/kiosks/:kioskId/revoke
 *   POST   /api/manager/admin/kiosks/:kioskId/name                { name } (1–40 characters, one line; admins)
 *   POST   /api/manager/admin/kiosks/:kioskId/card-reader-code    → { code, expiresAt, kiosk }: connects its card reader (staff)
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
import type { Middleware } from 'koa';
import { z } from 'zod';
import type { ClaimPolicy } from '../../facilities/claim-policy.ts';
import { jsonBody, noStore, staffOf, validate } from '../http/edge.ts';
import { issueFields, validation } from '../../http/validate.ts';
import { ManagerRefusal } from './refusals.ts';
import { catalogUnits, policyInput, type FacilityPolicies, type FacilitySummary } from './facility-policies.ts';
import type { KioskApprovals } from './kiosk-approvals.ts';
import { kioskDisplaySchema, type KioskDisplayAdmin } from './kiosk-display.ts';
import { padPolicyInput, type PadPolicyAdmin } from './pad-policy.ts';
import { walletPolicyInput, type WalletPolicyAdmin } from './wallet-policy.ts';
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
/** A kiosk's name is shown on its screen and in tables: one line of printable text. */
export const KIOSK_NAME_MAX = 40;
const kioskNameBody = z
  .object({ name: z.string().trim().min(1).max(KIOSK_NAME_MAX).regex(/^[^\p{Cc}\p{Zl}\p{Zp}]+$/u) })
  .strict();
/** A refused name says what a name must be, not only that the request was wrong. */
const { parse: parseKioskName } = validation((issues) => new ManagerRefusal('kiosk_name_invalid', { fields: issueFields(issues) }));

export interface AdminRoutesDeps {
  /** The console's guard: refusals, token (scope `manager`), staff principal. */
  guard: Middleware[];
  facilities: FacilityPolicies;
  kiosks: KioskApprovals;
  kioskDisplay: KioskDisplayAdmin;
  padPolicy: PadPolicyAdmin;
  walletPolicy: WalletPolicyAdmin;
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

const onFacility = z.object({ facilityId });
const onClient = z.object({ clientId });
const onKiosk = z.object({ kioskId });
const onFacilityStaff = z.object({ facilityId, accountId });
const onMunicipality = z.object({ code: municipalityCode });
const onMunicipalAdmin = z.object({ code: municipalityCode, accountId });

export function adminApiRoutes(deps: AdminRoutesDeps): Router {
  const router = new Router({ prefix: ADMIN_API_PREFIX });
  router.use(...deps.guard);

  router.get('/facilities', async (ctx) => {
    noStore(ctx, { facilities: (await deps.facilities.list(staffOf(ctx))).map(facilityJson), catalog: catalogUnits() });
  });

  router.get('/facilities/:facilityId', validate({ params: onFacility }), async (ctx) => {
    noStore(ctx, { facility: facilityJson(await deps.facilities.get(staffOf(ctx), ctx.state.input.params.facilityId)), catalog: catalogUnits() });
  });

  router.post('/facilities/:facilityId/claim-policy', jsonBody, validate({ params: onFacility, body: policyInput }), async (ctx) => {
    const { params, body } = ctx.state.input;
    noStore(ctx, { policy: policyJson(await deps.facilities.setPolicy(staffOf(ctx), params.facilityId, body)) });
  });

  router.get('/facilities/:facilityId/kiosk-display', validate({ params: onFacility }), async (ctx) => {
    noStore(ctx, await deps.kioskDisplay.get(staffOf(ctx), ctx.state.input.params.facilityId));
  });

  router.post('/facilities/:facilityId/kiosk-display', jsonBody, validate({ params: onFacility, body: kioskDisplaySchema }), async (ctx) => {
    const { params, body } = ctx.state.input;
    noStore(ctx, await deps.kioskDisplay.set(staffOf(ctx), params.facilityId, body));
  });

  router.get('/facilities/:facilityId/pad-policy', validate({ params: onFacility }), async (ctx) => {
    noStore(ctx, await deps.padPolicy.get(staffOf(ctx), ctx.state.input.params.facilityId));
  });

  router.post('/facilities/:facilityId/pad-policy', jsonBody, validate({ params: onFacility, body: padPolicyInput }), async (ctx) => {
    const { params, body } = ctx.state.input;
    noStore(ctx, await deps.padPolicy.set(staffOf(ctx), params.facilityId, body.policy));
  });

  router.get('/facilities/:facilityId/wallet-policy', validate({ params: onFacility }), async (ctx) => {
    noStore(ctx, await deps.walletPolicy.get(staffOf(ctx), ctx.state.input.params.facilityId));
  });

  router.post('/facilities/:facilityId/wallet-policy', jsonBody, validate({ params: onFacility, body: walletPolicyInput }), async (ctx) => {
    const { params, body } = ctx.state.input;
    noStore(ctx, await deps.walletPolicy.set(staffOf(ctx), params.facilityId, body.statusListMaxAgeSeconds));
  });

  router.get('/facilities/:facilityId/kiosks', validate({ params: onFacility }), async (ctx) => {
    noStore(ctx, { kiosks: await deps.kiosks.list(staffOf(ctx), ctx.state.input.params.facilityId) });
  });

  router.post('/facilities/:facilityId/kiosks/preview', jsonBody, validate({ params: onFacility, body: userCode }), async (ctx) => {
    const { params, body } = ctx.state.input;
    noStore(ctx, { device: await deps.kiosks.preview(staffOf(ctx), params.facilityId, body.userCode) });
  });

  router.post('/facilities/:facilityId/kiosks/approve', jsonBody, validate({ params: onFacility, body: userCode }), async (ctx) => {
    const { params, body } = ctx.state.input;
    noStore(ctx, { approved: await deps.kiosks.approve(staffOf(ctx), params.facilityId, body.userCode) });
  });

  router.post('/facilities/:facilityId/kiosks/deny', jsonBody, validate({ params: onFacility, body: userCode }), async (ctx) => {
    const { params, body } = ctx.state.input;
    await deps.kiosks.deny(staffOf(ctx), params.facilityId, body.userCode);
    ctx.status = 204;
  });

  router.post('/kiosks/:kioskId/revoke', validate({ params: onKiosk }), async (ctx) => {
    noStore(ctx, { kiosk: await deps.kiosks.revoke(staffOf(ctx), ctx.state.input.params.kioskId) });
  });

  router.post('/kiosks/:kioskId/card-reader-code', validate({ params: onKiosk }), async (ctx) => {
    noStore(ctx, await deps.kiosks.cardReaderCode(staffOf(ctx), ctx.state.input.params.kioskId), 201);
  });

  router.post('/kiosks/:kioskId/name', jsonBody, validate({ params: onKiosk }), async (ctx) => {
    const { name } = parseKioskName(kioskNameBody, ctx.request.body ?? {});
    noStore(ctx, { kiosk: await deps.kiosks.rename(staffOf(ctx), ctx.state.input.params.kioskId, name) });
  });

  router.get('/facilities/:facilityId/clients', validate({ params: onFacility }), async (ctx) => {
    noStore(ctx, { clients: await deps.clients.list(staffOf(ctx), ctx.state.input.params.facilityId) });
  });

  router.post('/facilities/:facilityId/clients', jsonBody, validate({ params: onFacility, body: registerInput }), async (ctx) => {
    const { params, body } = ctx.state.input;
    noStore(ctx, await deps.clients.register(staffOf(ctx), params.facilityId, body), 201);
  });

  router.get('/clients/:clientId', validate({ params: onClient }), async (ctx) => {
    noStore(ctx, { client: await deps.clients.get(staffOf(ctx), ctx.state.input.params.clientId) });
  });

  router.post('/clients/:clientId/claims', jsonBody, validate({ params: onClient, body: claimsBody }), async (ctx) => {
    const { params, body } = ctx.state.input;
    noStore(ctx, { client: await deps.clients.setClaims(staffOf(ctx), params.clientId, body.claims) });
  });

  router.post('/clients/:clientId/secret', validate({ params: onClient }), async (ctx) => {
    noStore(ctx, await deps.clients.rotateSecret(staffOf(ctx), ctx.state.input.params.clientId));
  });

  router.post('/clients/:clientId/keys', jsonBody, validate({ params: onClient, body: keysInput }), async (ctx) => {
    const { params, body } = ctx.state.input;
    noStore(ctx, { client: await deps.clients.setKeys(staffOf(ctx), params.clientId, body) });
  });

  router.get('/facilities/:facilityId/staff', validate({ params: onFacility }), async (ctx) => {
    noStore(ctx, { staff: await deps.staff.ofFacility(staffOf(ctx), ctx.state.input.params.facilityId) });
  });

  router.post('/facilities/:facilityId/staff', jsonBody, validate({ params: onFacility, body: assignInput }), async (ctx) => {
    const { params, body } = ctx.state.input;
    noStore(ctx, { member: await deps.staff.assign(staffOf(ctx), params.facilityId, body) }, 201);
  });

  router.delete('/facilities/:facilityId/staff/:accountId', validate({ params: onFacilityStaff }), async (ctx) => {
    const { params } = ctx.state.input;
    await deps.staff.remove(staffOf(ctx), params.facilityId, params.accountId);
    ctx.status = 204;
  });

  router.get('/municipalities/:code/admins', validate({ params: onMunicipality }), async (ctx) => {
    noStore(ctx, await deps.staff.admins(staffOf(ctx), ctx.state.input.params.code));
  });

  router.post('/municipalities/:code/admins', jsonBody, validate({ params: onMunicipality, body: adminInput }), async (ctx) => {
    const { params, body } = ctx.state.input;
    noStore(ctx, { member: await deps.staff.assignAdmin(staffOf(ctx), params.code, body) }, 201);
  });

  router.delete('/municipalities/:code/admins/:accountId', validate({ params: onMunicipalAdmin }), async (ctx) => {
    const { params } = ctx.state.input;
    await deps.staff.removeAdmin(staffOf(ctx), params.code, params.accountId);
    ctx.status = 204;
  });

  return router;
}

/**
 * Facilities and registrations in the PASS API (resource `${issuer}/api`, scope `pass:api`):
 *   GET  /api/facilities                     → municipalities, their facilities and claim policies
 *   GET  /api/facilities/:id                 → one facility and its policy
 *   POST /api/facilities/:id/review          { person_ids, claims } → each fact with its value, before consent
 *   GET  /api/registrations                  → registrations of the account and its household, with history
 *   POST /api/registrations                  { facility_id, person_id, claims } → consent given: 利用中
 *   POST /api/registrations/:id/withdraw     → consent withdrawn: the facility's access ends now
 *   GET  /api/claims/releases                → what was released, to whom and when
 */
import Router from '@koa/router';
import type { Middleware } from 'koa';
import { z } from 'zod';
import type { FacilityService } from '../facilities/facility-service.ts';
import type { ClaimPolicy } from '../facilities/claim-policy.ts';
import type { ReleaseLog } from '../claims/releases.ts';
import { UNIT_LABELS } from '../claims/catalog.ts';
import { managedPersons } from '../households/directory.ts';
import { accountOf, familyErrors, jsonBody, noStore, uuid, validate } from '../households/http-edge.ts';
import type { Database } from '../db/database.ts';
import type { Registration, RegistrationService } from './registration-service.ts';

const facilityId = z.string().regex(/^[a-z0-9-]{3,64}$/);
const claims = z.array(z.string().regex(/^[a-z_0-9]{2,40}$/)).max(30);
const onFacility = z.object({ id: facilityId });
const reviewBody = z.object({ person_ids: z.array(uuid).min(1).max(12), claims });
const registerBody = z.object({ facility_id: facilityId, person_id: uuid, claims });
const onRegistration = z.object({ id: uuid });

function policyJson(p: ClaimPolicy) {
  return {
    required: p.required,
    optional: p.optional,
    purpose: p.purpose,
    retention_days: p.retentionDays,
    subject_type: p.subjectType,
    labels: Object.fromEntries([...p.required, ...p.optional].map((c) => [c, UNIT_LABELS[c]])),
  };
}

function registrationJson(r: Registration & { relation?: string }) {
  return {
    id: r.id,
    person_id: r.personId,
    ...(r.relation ? { relation: r.relation } : {}),
    facility_id: r.facilityId,
    status: r.status,
    status_label: r.status === 'active' ? { ja: '利用中', en: 'In use' } : { ja: '取消済み', en: 'Withdrawn' },
    claims: r.claims,
    created_at: r.createdAt.toISOString(),
    withdrawn_at: r.withdrawnAt?.toISOString() ?? null,
    history: r.history.map((h) => ({ event: h.event, claims: h.claims, at: h.at.toISOString() })),
  };
}

export interface RegistrationRoutesDeps {
  db: Database;
  facilities: FacilityService;
  registrations: RegistrationService;
  releases: ReleaseLog;
  auth: Middleware;
}

export function registrationRoutes(deps: RegistrationRoutesDeps): Router {
  const router = new Router({ prefix: '/api' });
  const guard = [familyErrors(), deps.auth];

  router.get('/facilities', ...guard, async (ctx) => {
    const [municipalities, facilities] = await Promise.all([deps.facilities.municipalities(), deps.facilities.list()]);
    const out = [];
    for (const m of municipalities) {
      const items = [];
      for (const f of facilities.filter((x) => x.municipalityCode === m.code)) {
        const policy = await deps.facilities.policies.find(f.id);
        items.push({ id: f.id, kind: f.kind, name: { ja: f.nameJa, en: f.nameEn }, policy: policy ? policyJson(policy) : null });
      }
      out.push({ code: m.code, name: { ja: m.nameJa, en: m.nameEn }, prefecture: m.prefectureJa, facilities: items });
    }
    noStore(ctx, { municipalities: out });
  });

  router.get('/facilities/:id', ...guard, validate({ params: onFacility }), async (ctx) => {
    const { facility, policy } = await deps.registrations.facilityWithPolicy(ctx.state.input.params.id);
    noStore(ctx, { id: facility.id, municipality_code: facility.municipalityCode, kind: facility.kind, name: { ja: facility.nameJa, en: facility.nameEn }, policy: policyJson(policy) });
  });

  router.post('/facilities/:id/review', ...guard, jsonBody, validate({ params: onFacility, body: reviewBody }), async (ctx) => {
    const { params, body } = ctx.state.input;
    const review = await deps.registrations.review(accountOf(ctx).accountId, params.id, body.person_ids, body.claims);
    noStore(ctx, {
      facility_id: review.facility.id,
      purpose: review.policy.purpose,
      retention_days: review.policy.retentionDays,
      claims: review.units.map((c) => ({ claim: c, label: UNIT_LABELS[c], required: review.policy.required.includes(c) })),
      persons: review.persons.map((p) => ({ person_id: p.personId, relation: p.relation, values: p.values })),
    });
  });

  router.get('/registrations', ...guard, async (ctx) => {
    noStore(ctx, { registrations: (await deps.registrations.listFor(accountOf(ctx).accountId)).map(registrationJson) });
  });

  router.post('/registrations', ...guard, jsonBody, validate({ body: registerBody }), async (ctx) => {
    const { body } = ctx.state.input;
    const registration = await deps.registrations.register(accountOf(ctx).accountId, { facilityId: body.facility_id, personId: body.person_id, claims: body.claims });
    noStore(ctx, registrationJson(registration), 201);
  });

  router.post('/registrations/:id/withdraw', ...guard, validate({ params: onRegistration }), async (ctx) => {
    const result = await deps.registrations.withdraw(accountOf(ctx).accountId, ctx.state.input.params.id);
    noStore(ctx, { ...registrationJson(result), grants_revoked: result.outcome.grantsRevoked, relying_parties_notified: result.outcome.logout });
  });

  router.get('/claims/releases', ...guard, async (ctx) => {
    const persons = await managedPersons(deps.db, accountOf(ctx).accountId);
    const entries = await deps.releases.forPersons(persons.map((p) => p.personId));
    noStore(ctx, {
      releases: entries.map((e) => ({ person_id: e.personId, client_id: e.clientId, facility_id: e.facilityId ?? null, use: e.use, claims: e.claims, at: e.at.toISOString() })),
    });
  });

  return router;
}

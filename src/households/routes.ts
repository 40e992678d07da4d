/**
 * The household API of the PASS app (resource `${issuer}/api`, scope `pass:api`):
 *   GET    /api/households/me                           → the household and its members
 *   POST   /api/households/members/challenge            { method } → the bytes the member's card signs
 *   POST   /api/households/members/verify               { challenge_id, relation, method, … } → facts to confirm
 *   POST   /api/households/members/confirm              { verification_id } → the member is added
 *   DELETE /api/households/members/:personId            → removed (representative only)
 *   GET|POST|DELETE /api/households/members/:personId/face   the member's face (status; raw image to enroll; remove)
 *   GET    /api/households/audit                        → household and consent changes
 *   GET    /api/households/preregistrations             → members pre-registered to finish at a kiosk (pending, expired, completed)
 *   POST   /api/households/preregistrations             { relation, name, birthdate } → pending for 24 hours
 *   DELETE /api/households/preregistrations/:id         → cancelled (representative only)
 *   POST   /api/households/claim/challenge              → (a member, signed up on their own) the bytes their card signs
 *   POST   /api/households/claim/verify                 { challenge_id, certificate, signature } → the member found, to confirm
 *   POST   /api/households/claim/confirm                { verification_id } → the member's record is now this account's own
 * Development only (the virtual text-AP card):
 *   GET    /api/households/dev/text-cards
 *   POST   /api/households/dev/text-cards/:id/read      { pin, challenge } → the files and the card's signature
 */
import Router from '@koa/router';
import type { Middleware } from 'koa';
import { z } from 'zod';
import { ForbiddenError } from '../core/errors.ts';
import type { FaceService } from '../face/service/face-service.ts';
import { readImageBody } from '../face/http/edge.ts';
import { accountOf, base64, familyErrors, jsonBody, noStore, opaqueId, uuid, validate } from './http-edge.ts';
import type { HouseholdService } from './household-service.ts';
import type { MemberProof, MemberProofing } from './member-proofing.ts';
import type { MemberClaim } from './member-claim.ts';
import type { DevTextApCards } from './text-ap/dev-card.ts';
import type { Preregistration, Preregistrations } from './preregistrations.ts';

export const HOUSEHOLDS_PREFIX = '/api/households';
const CERT = 8192;
const FILE = 4096;

const method = z.enum(['jpki_signature', 'jpki_text_ap']);
const verifyBody = z.discriminatedUnion('method', [
  z.object({
    method: z.literal('jpki_signature'),
    challenge_id: opaqueId,
    relation: z.enum(['child', 'parent']),
    certificate: base64(CERT),
    signature: base64(1024),
    intermediates: z.array(base64(CERT)).max(4).optional(),
  }),
  z.object({
    method: z.literal('jpki_text_ap'),
    challenge_id: opaqueId,
    relation: z.enum(['child', 'parent']),
    text_ap: z.object({ ef0002: base64(FILE), ef0003: base64(FILE), ef0004: base64(FILE), ef0007: base64(FILE), signature: base64(1024) }),
  }),
]);

export interface HouseholdRoutesDeps {
  households: HouseholdService;
  proofing: MemberProofing;
  auth: Middleware;
  face: () => FaceService | undefined;
  maxUploadBytes: number;
  devCards: DevTextApCards | undefined;
  /** Applied to member removal: the face galleries forget the person on every node. */
  onMemberRemoved: (personId: string) => Promise<void>;
  /** A member who comes of age moving to an account of their own (member-claim.ts). */
  claim?: MemberClaim;
  /** Members pre-registered to complete proofing at a kiosk (preregistrations.ts). */
  preregistrations?: Preregistrations;
}

const preregistrationBody = z.strictObject({
  relation: z.enum(['child', 'parent']),
  // As the card's text AP will hold it (JIS characters, family and given name); spaces do not count.
  name: z.string().trim().min(2).max(100).regex(/^[^\p{Cc}<>]+$/u),
  birthdate: z.iso.date(),
});
const onPreregistration = z.object({ id: uuid });

function preregistrationView(p: Preregistration) {
  return { id: p.id, relation: p.relation, name: p.name, birthdate: p.birthdate, state: p.state, created_at: p.createdAt.toISOString(), expires_at: p.expiresAt.toISOString(), person_id: p.personId ?? null };
}

const claimVerifyBody = z.object({
  challenge_id: opaqueId,
  certificate: base64(CERT),
  signature: base64(1024),
  intermediates: z.array(base64(CERT)).max(4).optional(),
});

const challengeBody = z.object({ method });
const confirmBody = z.object({ verification_id: opaqueId });
const onMember = z.object({ personId: uuid });
const devReadBody = z.object({ pin: z.string().min(1).max(8), challenge: base64(1024) });

function proofOf(body: z.output<typeof verifyBody>): MemberProof {
  if (body.method === 'jpki_signature') {
    return { method: body.method, certificate: body.certificate, signature: body.signature, ...(body.intermediates ? { intermediates: body.intermediates } : {}) };
  }
  const t = body.text_ap;
  return { method: body.method, ef0002: t.ef0002, ef0003: t.ef0003, ef0004: t.ef0004, ef0007: t.ef0007, challengeSignature: t.signature };
}

export function householdRoutes(deps: HouseholdRoutesDeps): Router {
  const router = new Router({ prefix: HOUSEHOLDS_PREFIX });
  router.use(familyErrors(), deps.auth);

  router.get('/me', async (ctx) => {
    const view = await deps.households.view(accountOf(ctx).accountId);
    noStore(ctx, {
      household_id: view.householdId ?? null,
      representative: view.representative,
      members: view.members.map((m) => ({
        person_id: m.personId,
        relation: m.relation,
        name: m.name ?? null,
        birthdate: m.birthdate ?? null,
        age: m.age ?? null,
        method: m.method ?? null,
        assurance: m.assurance ?? null,
        face_enrolled: m.faceEnrolled,
      })),
    });
  });

  router.post('/members/challenge', jsonBody, validate({ body: challengeBody }), async (ctx) => {
    const { accountId, clientId } = accountOf(ctx);
    const issued = await deps.proofing.issueChallenge(accountId, clientId, ctx.state.input.body.method);
    noStore(ctx, { challenge_id: issued.id, challenge: Buffer.from(issued.challenge).toString('base64'), expires_at: issued.expiresAt.toISOString() });
  });

  router.post('/members/verify', jsonBody, validate({ body: verifyBody }), async (ctx) => {
    const { body } = ctx.state.input;
    const { accountId, clientId } = accountOf(ctx);
    const pending = await deps.proofing.verify(accountId, clientId, { challengeId: body.challenge_id, relation: body.relation, proof: proofOf(body) });
    noStore(ctx, {
      verification_id: pending.verificationId,
      relation: pending.relation,
      method: pending.method,
      assurance: pending.assurance,
      claims: pending.claims,
      expires_at: pending.expiresAt.toISOString(),
    });
  });

  router.post('/members/confirm', jsonBody, validate({ body: confirmBody }), async (ctx) => {
    const { accountId, clientId } = accountOf(ctx);
    const added = await deps.proofing.confirm(accountId, clientId, ctx.state.input.body.verification_id);
    noStore(ctx, { household_id: added.householdId, person_id: added.personId, relation: added.relation, claims: added.claims }, 201);
  });

  router.delete('/members/:personId', validate({ params: onMember }), async (ctx) => {
    const { personId } = ctx.state.input.params;
    const removed = await deps.households.removeMember(accountOf(ctx).accountId, personId);
    await deps.onMemberRemoved(personId);
    noStore(ctx, { removed: true, registrations_ended: removed.facilities });
  });

  router.get('/members/:personId/face', validate({ params: onMember }), async (ctx) => {
    const { personId } = ctx.state.input.params;
    await deps.households.member(accountOf(ctx).accountId, personId);
    const face = deps.face();
    const status = face ? await face.status(personId) : { enrolled: false };
    noStore(ctx, { available: Boolean(face?.available), ...(face?.available ? {} : { reason: 'models_unavailable' }), ...status });
  });

  router.delete('/members/:personId/face', validate({ params: onMember }), async (ctx) => {
    const { personId } = ctx.state.input.params;
    await deps.households.member(accountOf(ctx).accountId, personId);
    await deps.face()?.remove(personId);
    ctx.status = 204;
  });

  router.post('/members/:personId/face', validate({ params: onMember }), async (ctx) => {
    const { personId } = ctx.state.input.params;
    const { accountId } = accountOf(ctx);
    await deps.households.member(accountId, personId);
    const face = deps.face();
    if (!face) throw new ForbiddenError('models_unavailable', 'the face factor is not running');
    const photo = await readImageBody(ctx, deps.maxUploadBytes);
    // The face service refuses a member not proofed, and a face that is the representative's or anyone else's.
    const result = await face.enroll(personId, photo, { accountId });
    noStore(ctx, result, result.replaced ? 200 : 201);
  });

  router.get('/audit', async (ctx) => {
    const entries = await deps.households.auditTrail(accountOf(ctx).accountId);
    noStore(ctx, {
      entries: entries.map((e) => ({
        at: e.at.toISOString(),
        action: e.action,
        person_id: e.personId,
        facility_id: e.facilityId,
        registration_id: e.registrationId,
        by_self: e.actorAccountId === accountOf(ctx).accountId,
        details: e.details,
      })),
    });
  });

  const pre = deps.preregistrations;
  if (pre) {
    router.get('/preregistrations', async (ctx) => {
      noStore(ctx, { preregistrations: (await pre.list(accountOf(ctx).accountId)).map(preregistrationView) });
    });
    router.post('/preregistrations', jsonBody, validate({ body: preregistrationBody }), async (ctx) => {
      const created = await pre.create(accountOf(ctx).accountId, ctx.state.input.body);
      noStore(ctx, preregistrationView(created), 201);
    });
    router.delete('/preregistrations/:id', validate({ params: onPreregistration }), async (ctx) => {
      await pre.cancel(accountOf(ctx).accountId, ctx.state.input.params.id);
      ctx.set('Cache-Control', 'no-store');
      ctx.status = 204;
    });
  }

  const claim = deps.claim;
  if (claim) {
    router.post('/claim/challenge', async (ctx) => {
      const { accountId, clientId } = accountOf(ctx);
      const issued = await claim.issueChallenge(accountId, clientId);
      noStore(ctx, { challenge_id: issued.id, challenge: Buffer.from(issued.challenge).toString('base64'), expires_at: issued.expiresAt.toISOString() });
    });
    router.post('/claim/verify', jsonBody, validate({ body: claimVerifyBody }), async (ctx) => {
      const { body } = ctx.state.input;
      const { accountId, clientId } = accountOf(ctx);
      const found = await claim.verify(accountId, clientId, {
        challengeId: body.challenge_id,
        certificate: body.certificate,
        signature: body.signature,
        ...(body.intermediates ? { intermediates: body.intermediates } : {}),
      });
      noStore(ctx, { verification_id: found.verificationId, relation: found.relation, claims: found.claims, expires_at: found.expiresAt.toISOString() });
    });
    router.post('/claim/confirm', jsonBody, validate({ body: confirmBody }), async (ctx) => {
      const { accountId, clientId } = accountOf(ctx);
      const moved = await claim.confirm(accountId, clientId, ctx.state.input.body.verification_id);
      noStore(ctx, { person_id: moved.personId, left_household: moved.householdId, registrations_kept: moved.registrations });
    });
  }

  const dev = deps.devCards;
  if (dev) {
    router.get('/dev/text-cards', async (ctx) => {
      noStore(ctx, { cards: await dev.list(), pin_hint: '1234' });
    });
    router.post('/dev/text-cards/:id/read', jsonBody, validate({ body: devReadBody }), async (ctx) => {
      const { body } = ctx.state.input;
      const read = await dev.read(String(ctx.params.id), body.pin, body.challenge);
      const b = (x: Uint8Array) => Buffer.from(x).toString('base64');
      noStore(ctx, { ef0002: b(read.ef0002), ef0003: b(read.ef0003), ef0004: b(read.ef0004), ef0007: b(read.ef0007), signature: b(read.challengeSignature) });
    });
  }

  return router;
}

/**
 * The kiosk API (its OpenAPI operations: src/http/openapi/openapi.yaml, tag kiosk), for a tablet holding a DPoP-bound `kiosk` token:
 *   POST /api/kiosk/activation            bind this kiosk to the approving staff member's facility
 *   GET  /api/kiosk/me                    kiosk, facility, emergency mode, shelter occupancy
 *   POST /api/kiosk/checkins/face         raw image; ?id=<uuid>&direction=in|out&occurred_at=<ISO>
 *   POST /api/kiosk/checkins/qr           { id, token, direction?, occurredAt? }
 *   POST /api/kiosk/card/challenges       → { challengeId, challenge }
 *   POST /api/kiosk/checkins/card         { id, challengeId, certificate, signature, textAp?, … }, or
 *                                         { id, refused: wrong_pin|pin_locked|card_removed, … }: the card said no
 *   GET  /api/kiosk/wallet                what the page needs to verify wallet presentations offline:
 *                                         audience, DCQL query, issuer keys' URL, live status lists, their maximum age
 *   POST /api/kiosk/checkins/credential   { id, presentation, nonce, aud, … } (verified again, status fresh), or
 *                                         { id, refused: <reason>, … }: the page refused the presentation
 *   POST /api/kiosk/card-reader/pairing   { code, nonce } → { assertion, expiresAt, kiosk }: connects the card bridge
 *   POST /api/kiosk/enrollments[/challenges]  a pre-registered member enrolls with card, PIN and face (enrollment-routes.ts)
 *   POST /api/kiosk/checkin-codes         a device-code check-in code for this kiosk's screen
 *   GET  /api/kiosk/checkin-codes/:code   the code and the latest check-in made with it
 *   GET  /api/kiosk/checkins/:id          one of this kiosk's check-ins
 *   POST /api/kiosk/close                 the kiosk page is closing (sent as it unloads) → 204
 *   GET  /api/kiosk/messages              ja/en text of every reason (no token)
 * Handlers are thin: the rules are in src/checkins and the stores.
 */
import Router from '@koa/router';
import type { Context, Middleware } from 'koa';
import { z } from 'zod';
import { ConflictError, NotFoundError, PassError } from '../core/errors.ts';
import type { CheckinService, CheckinFacility, CheckinRequest } from '../checkins/checkin-service.ts';
import { viewOf } from '../checkins/checkin-service.ts';
import type { CheckinCodes } from '../checkins/checkin-codes.ts';
import { displayCode } from '../checkins/checkin-codes.ts';
import { READER_REFUSALS, type CardCheckins } from '../checkins/card-checkins.ts';
import { credentialRequestFor, dcqlQuery, kioskAudience, type CredentialRefusal } from '../checkins/credential-checkins.ts';
import { PRESENTATION_REASONS } from '../wallet/sd-jwt/reasons.ts';
import { SD_JWT_LIMITS } from '../wallet/sd-jwt/limits.ts';
import type { Emergencies } from '../checkins/emergencies.ts';
import { CHECKIN_MESSAGES } from '../checkins/messages.ts';
import type { StaffFacility, StaffService } from '../staff/staff-service.ts';
import { readImageBody } from '../face/http/edge.ts';
import { jsonBody, kioskErrors, noStore, validate } from './edge.ts';
import type { KioskStore } from './kiosk-store.ts';
import type { CardReaderPairing } from './card-reader-pairing.ts';
import { PAIRING_NONCE } from '../card/bridge/pairing-assertion.ts';

export const KIOSK_PREFIX = '/api/kiosk';
/** A kiosk's on-screen device-code check-in code lives this long; the kiosk renews it. */
export const SCREEN_CODE_TTL_SECONDS = 300;

export interface KioskRoutesDeps {
  issuer: string;
  kioskToken: Middleware;
  requireKiosk: Middleware;
  /** requireKiosk without counting the request as contact (the kiosk saying it closes). */
  closingKiosk: Middleware;
  kiosks: KioskStore;
  staff: StaffService;
  checkins: CheckinService;
  codes: CheckinCodes;
  cards: CardCheckins;
  readers: CardReaderPairing;
  emergencies: Emergencies;
  facility(id: string): Promise<StaffFacility | undefined>;
  maxUploadBytes: number;
  /** What the kiosk page verifies wallet presentations with. */
  wallet: {
    issuerMetadataUrl: string;
    /** The URLs of the status lists PASS publishes (every live credential's list is among them). */
    statusLists(): Promise<string[]>;
    /** The facility's policy: how old a status list its kiosks hold may be (src/facilities/wallet-status-policy.ts). */
    statusListMaxAge(facilityId: string): Promise<number>;
  };
}

const uuid = z.uuid({ error: 'a check-in id is a UUID made by the kiosk' });
const direction = z.enum(['in', 'out']).default('in');
const occurredAt = z.iso.datetime({ offset: true }).optional();
const base64 = (max: number) => z.string().max(Math.ceil(max / 3) * 4 + 4).regex(/^[A-Za-z0-9+/]+={0,2}$/).transform((s) => new Uint8Array(Buffer.from(s, 'base64')));

const activationBody = z.object({ name: z.string().trim().min(1).max(100).optional(), facilityId: z.string().max(64).optional() });
const faceQuery = z.object({ id: uuid, direction, occurred_at: occurredAt });
const qrBody = z.object({ id: uuid, token: z.string().min(1).max(2048), direction, occurredAt });
const cardProofBody = z.object({
  id: uuid,
  challengeId: z.string().min(1).max(64),
  certificate: base64(8192),
  signature: base64(1024),
  textAp: z.object({ name: z.string().max(100).optional(), birthdate: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).optional() }).optional(),
  direction,
  occurredAt,
});
/** The card refused before there was a proof (the page read its status words): recorded like any refused check-in. */
const cardRefusalBody = z.strictObject({ id: uuid, refused: z.enum(READER_REFUSALS), direction, occurredAt });
const cardBody = z.union([cardRefusalBody, cardProofBody]);
/** What the kiosk page may say it refused a presentation for: the SD-JWT core's reasons and the kiosk's own. */
const PAGE_REFUSALS: [CredentialRefusal, ...CredentialRefusal[]] = ['presentation_replayed', 'credential_claims_missing', ...PRESENTATION_REASONS.reasons];
const credentialRefusalBody = z.strictObject({ id: uuid, refused: z.enum(PAGE_REFUSALS), direction, occurredAt });
const credentialProofBody = z.strictObject({
  id: uuid,
  presentation: z.string().min(1).max(SD_JWT_LIMITS.maxPresentationLength, { error: 'the presentation is too long' }).regex(/^[A-Za-z0-9_.~-]+$/, { error: 'a presentation is an SD-JWT: base64url parts joined by ~ and .' }),
  nonce: z.string().min(16).max(128),
  aud: z.string().min(1).max(200),
  direction,
  occurredAt,
});
const credentialBody = z.union([credentialRefusalBody, credentialProofBody]);
const readerPairingBody = z.strictObject({
  code: z.string().trim().min(1).max(20).regex(/^[0-9\s-]+$/, { error: 'the connection code is digits' }),
  nonce: z.string().regex(PAIRING_NONCE, { error: "the card bridge's nonce" }),
});
const codeBody = z.object({ direction }).default({ direction: 'in' });

function facilityView(f: StaffFacility) {
  return { id: f.id, nameJa: f.nameJa, nameEn: f.nameEn, kind: f.kind, municipalityCode: f.municipalityCode };
}

export function kioskRoutes(deps: KioskRoutesDeps): Router {
  const router = new Router({ prefix: KIOSK_PREFIX });
  // Server-side time of every kiosk request (the load benchmark reports it; Server-Timing, RFC-less but universal).
  router.use(async (ctx, next) => {
    const started = performance.now();
    try {
      await next();
    } finally {
      ctx.set('Server-Timing', `app;dur=${(performance.now() - started).toFixed(1)}`);
    }
  });
  router.use(kioskErrors());
  const kiosk = [deps.kioskToken, deps.requireKiosk];

  async function facilityOf(ctx: Context): Promise<CheckinFacility & StaffFacility> {
    const facility = await deps.facility(ctx.state.kiosk!.facilityId);
    if (!facility) throw new NotFoundError('facility_not_found', 'the kiosk facility no longer exists');
    return facility;
  }

  async function request(ctx: Context, body: { id: string; direction: 'in' | 'out'; occurredAt?: string | undefined }): Promise<CheckinRequest> {
    return { id: body.id, facility: await facilityOf(ctx), kioskId: ctx.state.kiosk!.id, direction: body.direction, occurredAt: body.occurredAt ? new Date(body.occurredAt) : undefined };
  }

  function answer(ctx: Context, view: { replayed: boolean }): void {
    noStore(ctx, view, view.replayed ? 200 : 201);
  }

  router.get('/messages', (ctx) => {
    ctx.set('Cache-Control', 'public, max-age=3600');
    ctx.body = CHECKIN_MESSAGES;
  });

  router.post('/activation', deps.kioskToken, jsonBody, validate({ body: activationBody }), async (ctx) => {
    const { body } = ctx.state.input;
    const token = ctx.state.kioskToken!;
    const existing = await deps.kiosks.byGrant(token.grantId);
    if (existing?.revokedAt) throw new PassError('unauthorized', 'kiosk_revoked', 'this kiosk has been revoked');
    if (!existing) {
      if (!token.accountId) throw new PassError('forbidden', 'not_facility_staff', 'no staff member approved this kiosk');
      const facilities = await deps.staff.facilitiesOf(token.accountId);
      const chosen = body.facilityId ? facilities.find((f) => f.id === body.facilityId) : facilities.length === 1 ? facilities[0] : undefined;
      if (facilities.length === 0 || (body.facilityId && !chosen)) throw new PassError('forbidden', 'not_facility_staff', 'the approving account is not staff of that facility');
      if (!chosen) throw new ConflictError('facility_choice_required', 'the approver is staff of several facilities: choose one', { facilities: facilities.map(facilityView) });
      await deps.kiosks.activate({ facilityId: chosen.id, name: body.name ?? 'PASS Face', clientId: token.clientId, grantId: token.grantId, jkt: token.jkt, approvedBy: token.accountId });
    }
    const activated = (await deps.kiosks.byGrant(token.grantId))!;
    const facility = (await deps.facility(activated.facilityId))!;
    noStore(ctx, { kiosk: { id: activated.id, name: activated.name }, facility: facilityView(facility) }, existing ? 200 : 201);
  });

  router.get('/me', ...kiosk, async (ctx) => {
    const facility = await facilityOf(ctx);
    const emergency = facility.kind === 'shelter' && (await deps.emergencies.active(facility.municipalityCode));
    const occupancy = facility.kind === 'shelter' ? await deps.checkins.store.occupancy(facility.id) : undefined;
    noStore(ctx, { kiosk: { id: ctx.state.kiosk!.id, name: ctx.state.kiosk!.name }, facility: facilityView(facility), emergency, ...(occupancy !== undefined ? { occupancy } : {}) });
  });

  router.post('/checkins/face', ...kiosk, validate({ query: faceQuery }), async (ctx) => {
    const { query } = ctx.state.input;
    const photo = await readImageBody(ctx, deps.maxUploadBytes);
    answer(ctx, await deps.checkins.face(await request(ctx, { id: query.id, direction: query.direction, occurredAt: query.occurred_at }), photo));
  });

  router.post('/checkins/qr', ...kiosk, jsonBody, validate({ body: qrBody }), async (ctx) => {
    const { body } = ctx.state.input;
    answer(ctx, await deps.checkins.qr(await request(ctx, body), body.token));
  });

  router.post('/card/challenges', ...kiosk, async (ctx) => {
    const issued = await deps.cards.challenge(ctx.state.kiosk!.id);
    noStore(ctx, { challengeId: issued.challengeId, challenge: Buffer.from(issued.challenge).toString('base64'), expiresAt: issued.expiresAt.toISOString() }, 201);
  });

  router.post('/checkins/card', ...kiosk, jsonBody, validate({ body: cardBody }), async (ctx) => {
    const { body } = ctx.state.input;
    if ('refused' in body) return answer(ctx, await deps.checkins.card(await request(ctx, body), { readerRefusal: body.refused }));
    const proof = { challengeId: body.challengeId, certificate: body.certificate, signature: body.signature };
    answer(ctx, await deps.checkins.card(await request(ctx, body), proof, body.textAp));
  });

  router.get('/wallet', ...kiosk, async (ctx) => {
    const facility = await facilityOf(ctx);
    const request = credentialRequestFor(facility.kind);
    noStore(ctx, {
      audience: kioskAudience(ctx.state.kiosk!.id),
      issuerMetadataUrl: deps.wallet.issuerMetadataUrl,
      request,
      dcqlQuery: dcqlQuery(request),
      statusLists: await deps.wallet.statusLists(),
      maxStatusListAgeSeconds: await deps.wallet.statusListMaxAge(facility.id),
    });
  });

  router.post('/checkins/credential', ...kiosk, jsonBody, validate({ body: credentialBody }), async (ctx) => {
    const { body } = ctx.state.input;
    const submitted = 'refused' in body ? { refused: body.refused } : { presentation: body.presentation, nonce: body.nonce, aud: body.aud };
    answer(ctx, await deps.checkins.credential(await request(ctx, body), submitted));
  });

  router.post('/card-reader/pairing', ...kiosk, jsonBody, validate({ body: readerPairingBody }), async (ctx) => {
    const { body } = ctx.state.input;
    const { id, facilityId, name } = ctx.state.kiosk!;
    const signed = await deps.readers.pair({ id, facilityId, name }, body.code, body.nonce);
    noStore(ctx, { assertion: signed.assertion, expiresAt: signed.expiresAt.toISOString(), kiosk: { id, name } }, 201);
  });

  router.post('/checkin-codes', ...kiosk, jsonBody, validate({ body: codeBody }), async (ctx) => {
    const { body } = ctx.state.input;
    const code = await deps.codes.create({ facilityId: ctx.state.kiosk!.facilityId, kioskId: ctx.state.kiosk!.id, direction: body.direction, ttlSeconds: SCREEN_CODE_TTL_SECONDS });
    noStore(ctx, { code: displayCode(code.code), url: `${deps.issuer}/checkin/${code.code}`, expiresAt: code.expiresAt!.toISOString() }, 201);
  });

  router.get('/checkin-codes/:code', ...kiosk, async (ctx) => {
    const code = await deps.codes.find(String(ctx.params.code));
    if (!code || code.kioskId !== ctx.state.kiosk!.id) throw new NotFoundError('code_expired', 'no such code on this kiosk, or it expired');
    const last = code.lastCheckinId ? await deps.checkins.store.find(code.lastCheckinId) : undefined;
    noStore(ctx, { code: displayCode(code.code), expiresAt: code.expiresAt?.toISOString(), ...(last ? { lastCheckin: viewOf(last, true) } : {}) });
  });

  // Staff see the kiosk closed at once instead of running until its heartbeats are missed.
  router.post('/close', deps.kioskToken, deps.closingKiosk, async (ctx) => {
    await deps.kiosks.close(ctx.state.kiosk!.id);
    ctx.set('Cache-Control', 'no-store');
    ctx.status = 204;
  });

  router.get('/checkins/:id', ...kiosk, async (ctx) => {
    const found = z.uuid().safeParse(ctx.params.id).success ? await deps.checkins.store.find(String(ctx.params.id)) : undefined;
    if (!found || found.kioskId !== ctx.state.kiosk!.id) throw new NotFoundError('checkin_not_found', 'no such check-in of this kiosk');
    noStore(ctx, viewOf(found, true));
  });

  return router;
}

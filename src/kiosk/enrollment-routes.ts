/**
 * Kiosk-assisted enrollment with the My Number Card (issue 16), for a kiosk holding a DPoP-bound
 * `kiosk` token like every kiosk call (its OpenAPI operations: src/http/openapi/openapi.yaml):
 *   POST /api/kiosk/enrollments/challenges   → { challengeId, challenge, expiresAt }
 *   POST /api/kiosk/enrollments/preview      { challengeId, authentication, textAp, surface } → 200 whose household, and a confirmation
 *   POST /api/kiosk/enrollments              { challengeId, confirmation, authentication, textAp, surface, live } → 201 the member enrolled
 * The rules are households' (src/households/kiosk-enrollment.ts). The body carries the card photo
 * and one camera frame, so it may be larger than other JSON bodies; its parts are bounded here.
 * Refusals speak in the words of whoever owns the reason: households (pre-registration, card data),
 * face (the live face against the card photo), check-ins (the card's certificate, the kiosk's token).
 */
import Router from '@koa/router';
import type { Middleware } from 'koa';
import { koaBody } from 'koa-body';
import { z } from 'zod';
import { apiEdge, exposing } from '../http/api-edge.ts';
import { jsonOnly } from '../http/request-body.ts';
import { CHECKIN_REASONS } from '../checkins/messages.ts';
import { FACE_REASONS } from '../face/messages.ts';
import { FAMILY_REASONS } from '../households/errors.ts';
import type { KioskEnrollment } from '../households/kiosk-enrollment.ts';
import { MAX_SURFACE_RECORD_BYTES } from '../card/surface-ap.ts';
import { noStore, validate } from './edge.ts';


const base64 = (max: number) =>
  z
    .string()
    .max(Math.ceil(max / 3) * 4 + 4)
    .regex(/^[A-Za-z0-9+/]+={0,2}$/)
    .transform((s) => new Uint8Array(Buffer.from(s, 'base64')));
const FILE = 4096;
const CERT = 8192;

export interface EnrollmentRoutesDeps {
  kioskToken: Middleware;
  requireKiosk: Middleware;
  enrollment: () => KioskEnrollment | undefined;
  /** The largest camera frame taken (the face API's own limit). */
  maxFrameBytes: number;
}

const cardRead = {
  challengeId: z.string().min(1).max(64),
  authentication: z.strictObject({ certificate: base64(CERT), signature: base64(1024) }),
  textAp: z.strictObject({ ef0002: base64(FILE), ef0003: base64(FILE), ef0004: base64(FILE), ef0007: base64(FILE), signature: base64(1024) }),
};
const surfaceFacts = {
  birthdate: z.string().regex(/^\d{8}$/, { error: 'the surface record birthdate is YYYYMMDD' }),
  sex: z.string().regex(/^\d$/, { error: 'the surface record sex is one digit' }),
};

/** The photo stays on the kiosk until the member confirmed: the preview needs only the surface record's facts. */
const previewBody = z.strictObject({ ...cardRead, surface: z.strictObject(surfaceFacts) });

function enrollBody(maxFrameBytes: number) {
  return z.strictObject({
    ...cardRead,
    // Optional here so that a missing one is answered kiosk_enrollment_not_confirmed, not a bare invalid_request.
    confirmation: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/).optional(),
    surface: z.strictObject({ ...surfaceFacts, photo: base64(MAX_SURFACE_RECORD_BYTES) }),
    live: base64(maxFrameBytes),
  });
}

type CardReadBody = z.infer<z.ZodObject<typeof cardRead>>;
const textApOf = (t: CardReadBody['textAp']) => ({ ef0002: t.ef0002, ef0003: t.ef0003, ef0004: t.ef0004, ef0007: t.ef0007, challengeSignature: t.signature });

export function kioskEnrollmentRoutes(deps: EnrollmentRoutesDeps): Router {
  const router = new Router({ prefix: '/api/kiosk' });
  router.use(
    apiEdge({
      reasons: [FAMILY_REASONS, FACE_REASONS, CHECKIN_REASONS],
      details: exposing(['field']),
      detailsAt: 'nested',
      retryAfter: { 429: 2, 503: 2 },
      logMessage: 'kiosk enrollment refused',
    }),
  );
  const kiosk = [deps.kioskToken, deps.requireKiosk];
  const frameBase64 = Math.ceil(deps.maxFrameBytes / 3) * 4;
  const body = jsonOnly(
    koaBody({ json: true, urlencoded: false, multipart: false, text: false, jsonLimit: frameBase64 + 128 * 1024, jsonStrict: true }) as unknown as Middleware,
  );
  // Certificates and the text AP's files only: well under this.
  const smallBody = jsonOnly(koaBody({ json: true, urlencoded: false, multipart: false, text: false, jsonLimit: 64 * 1024, jsonStrict: true }) as unknown as Middleware);
  const service = () => {
    const enrollment = deps.enrollment();
    if (!enrollment) throw FAMILY_REASONS.refuse('kiosk_enrollment_unavailable');
    return enrollment;
  };

  router.post('/enrollments/challenges', ...kiosk, async (ctx) => {
    const issued = await service().challenge(ctx.state.kiosk!.id);
    noStore(ctx, { challengeId: issued.challengeId, challenge: Buffer.from(issued.challenge).toString('base64'), expiresAt: issued.expiresAt.toISOString() }, 201);
  });

  router.post('/enrollments/preview', ...kiosk, smallBody, validate({ body: previewBody }), async (ctx) => {
    const input = ctx.state.input.body;
    const preview = await service().preview(
      { id: ctx.state.kiosk!.id },
      { challengeId: input.challengeId, authentication: input.authentication, textAp: textApOf(input.textAp), surface: input.surface },
    );
    // The member proved the card with its PIN: the representative's full name is theirs to judge.
    noStore(ctx, { representative: { name: preview.representativeName }, relation: preview.relation, expiresAt: preview.expiresAt.toISOString(), confirmation: preview.confirmation });
  });

  router.post('/enrollments', ...kiosk, body, validate({ body: enrollBody(deps.maxFrameBytes) }), async (ctx) => {
    const input = ctx.state.input.body;
    const enrolled = await service().enroll(
      { id: ctx.state.kiosk!.id, facilityId: ctx.state.kiosk!.facilityId },
      {
        challengeId: input.challengeId,
        confirmation: input.confirmation,
        authentication: input.authentication,
        textAp: textApOf(input.textAp),
        surface: input.surface,
        live: input.live,
      },
    );
    // A public screen: the member's given name only, as a check-in greets (src/checkins/display.ts);
    // the representative's name, which the member just confirmed, says whose household it is.
    noStore(
      ctx,
      { result: 'enrolled', person: { name: enrolled.givenName ?? enrolled.name }, household: { representative: enrolled.representativeName }, relation: enrolled.relation, cardLinked: enrolled.cardLinked },
      201,
    );
  });

  return router;
}

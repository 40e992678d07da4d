/**
 * Face screens of the PASS app: status, capture (camera with getUserMedia, or a file), preview and
 * confirm, enroll, delete. The photo goes from the browser to this server (session cookie + CSRF)
 * and on to the face API with the resident's token; refusals come back with the API's reason text
 * and a hint. Works without JavaScript (a multipart form); with it, static/app-face.js adds the
 * camera, the preview and live feedback (no inline script: the CSP stays strict).
 *
 * Whose face: a FaceSubject — the resident's own (/app/face → /api/face/enrollment) or a household
 * member's (/app/family/:personId/face → /api/households/members/:personId/face). The page names
 * the person (「加賀　そら さんの顔写真」), and offers no capture to a person not proofed yet: PASS
 * enrolls faces of proofed persons only, and refuses a face that is someone else's.
 */
import { readFile, rm } from 'node:fs/promises';
import Router from '@koa/router';
import type { Context, Middleware } from 'koa';
import { koaBody } from 'koa-body';
import { PassError } from '../../../src/core/errors.ts';
import { feedbackFor, type Feedback } from '../../../src/face/capture-messages.ts';
import { readImageBody } from '../../../src/face/http/edge.ts';
import { isBodyTooLarge } from '../../../src/http/request-body.ts';
import { translator, type Lang } from '../../../src/http/i18n.ts';
import { APP_MESSAGES } from '../messages.ts';
import { formatDateTime } from '../format.ts';
import type { FeatureKit, SignedIn } from '../feature-kit.ts';
import type { ApiAnswer } from '../pass-api.ts';
import { FACE_APP_MESSAGES } from './messages.ts';
import type { FaceSubject } from './paths.ts';

const MESSAGES = { ...APP_MESSAGES, ...FACE_APP_MESSAGES };
const IMAGE_TYPES = new Set(['image/jpeg', 'image/png', 'image/webp']);


export interface FaceScreensOptions {
  /** The router prefix (may hold parameters, e.g. /app/family/:personId/face). */
  prefix: string;
  /** Whose face this request is about; undefined answers 404. */
  subject(ctx: Context): FaceSubject | undefined;
  maxUploadBytes: number;
}

interface EnrollmentStatus {
  available: boolean;
  enrolled: boolean;
  enrolledAt?: string;
  modelId?: string;
  current?: boolean;
}

function refusal(answer: ApiAnswer<unknown>, lang: Lang): Feedback {
  // Whom a refused face resembles (a family member or another person): the face API nests a
  // refusal's details, the household API puts them beside the reason.
  const body = answer.body as { details?: { resembles?: unknown }; resembles?: unknown };
  const resembles = body.details?.resembles ?? body.resembles;
  return feedbackFor(answer.body.reason ?? 'server_error', lang, answer.body.message, typeof resembles === 'string' ? resembles : undefined);
}

function wantsJson(ctx: Context): boolean {
  return ctx.accepts('html', 'json') === 'json';
}

export function faceAppRoutes(kit: FeatureKit, options: FaceScreensOptions): Router {
  const router = new Router({ prefix: options.prefix });
  const multipart = koaBody({
    multipart: true, urlencoded: true, json: false, text: false, formLimit: '4kb',
    formidable: { maxFiles: 1, maxFileSize: options.maxUploadBytes, maxFields: 4, allowEmptyFiles: false, minFileSize: 1 },
  });

  const subjectOf = (ctx: Context): FaceSubject | undefined => {
    const subject = options.subject(ctx);
    if (!subject) ctx.status = 404;
    return subject;
  };

  async function enrollPage(ctx: Context, s: SignedIn<unknown>, subject: FaceSubject, feedback: Feedback | null = null, status = 200): Promise<void> {
    const lang = kit.lang(ctx);
    const t = translator(MESSAGES, lang);
    const [answer, owner] = await Promise.all([kit.api.call<EnrollmentStatus>(s.token, 'GET', subject.apiPath), subject.owner(kit.api, s.token)]);
    const state = answer.ok ? answer.body : undefined;
    const done = ctx.query.done === 'enrolled' || ctx.query.done === 'deleted' ? t(`face.done.${ctx.query.done}`) : null;
    ctx.status = status;
    await kit.page(ctx, 'face/face-enroll', MESSAGES, subject.base, {
      csrf: kit.csrf(s),
      base: subject.base,
      available: state?.available === true,
      ownerName: owner.name ?? null,
      proofingRequired: owner.proofed === false ? feedbackFor('identity_required', lang) : null,
      proofingPath: subject.proofingPath ?? null,
      unavailable: state && !state.available ? feedbackFor('models_unavailable', lang) : answer.ok ? null : refusal(answer, lang),
      enrolled: state?.enrolled === true,
      outdated: state?.enrolled === true && state.current === false,
      enrolledAt: state?.enrolledAt ? formatDateTime(state.enrolledAt, lang) : null,
      feedback,
      error: feedback ? feedback.message : null,
      notice: done,
      maxUploadBytes: options.maxUploadBytes,
      tooLarge: feedbackFor('image_too_large', lang),
      live: Boolean(subject.live),
    });
  }

  router.get('/', async (ctx) => {
    const subject = subjectOf(ctx);
    const s = subject && (await kit.signedIn(ctx, 'face'));
    if (subject && s) await enrollPage(ctx, s, subject);
  });

  /** The photo: a raw image body from static/app-face.js (JSON answer), or the no-script form. */
  const upload: Middleware = async (ctx) => {
    const subject = subjectOf(ctx);
    const json = wantsJson(ctx);
    const s = subject && (await kit.signedIn(ctx, 'face', json));
    if (!subject || !s) return;
    const lang = kit.lang(ctx);
    const answerWith = async (feedback: Feedback, status: number) => {
      if (!json) return enrollPage(ctx, s, subject, feedback, status);
      ctx.status = status;
      ctx.body = { ok: false, ...feedback };
    };
    const type = (ctx.get('Content-Type').split(';')[0] ?? '').trim().toLowerCase();
    let photo: { bytes: Uint8Array; type: string } | undefined;
    try {
      if (IMAGE_TYPES.has(type)) {
        if (!kit.csrfOk(ctx, s)) return answerWith({ reason: 'csrf', message: translator(MESSAGES, lang)('face.error.form'), hint: null }, 403);
        photo = { bytes: await readImageBody(ctx, options.maxUploadBytes), type };
      } else if (type === 'multipart/form-data') {
        await multipart(ctx, async () => undefined);
        if (!kit.csrfOk(ctx, s)) return answerWith({ reason: 'csrf', message: translator(MESSAGES, lang)('face.error.form'), hint: null }, 403);
        photo = await uploadedFile(ctx);
        if (!photo) return answerWith({ reason: 'empty_body', message: translator(MESSAGES, lang)('face.error.nofile'), hint: null }, 400);
      } else {
        return answerWith(feedbackFor('unsupported_media_type', lang), 415);
      }
    } catch (error) {
      if (error instanceof PassError) return answerWith(feedbackFor(error.reason, lang), error.reason === 'image_too_large' ? 413 : 400);
      if (isBodyTooLarge(error)) return answerWith(feedbackFor('image_too_large', lang), 413);
      throw error;
    }
    const answer = await kit.api.call<Record<string, unknown>>(s.token, 'POST', subject.apiPath, { bytes: photo.bytes, type: photo.type });
    if (!answer.ok) return answerWith(refusal(answer, lang), answer.status);
    const next = `${subject.base}?done=enrolled`;
    if (json) ctx.body = { ok: true, next, message: translator(MESSAGES, lang)('face.done.enrolled') };
    else kit.seeOther(ctx, next);
  };
  router.post('/photo', upload);

  // The active liveness challenge (the resident's own face only): the page asks for the turns, films
  // them, and sends the burst; PASS judges it and enrolls the first frame (docs/face.md, "Active liveness").
  const liveJson = koaBody({ json: true, urlencoded: false, multipart: false, text: false, jsonLimit: '6mb', jsonStrict: true });
  const liveRequest = async (ctx: Context): Promise<{ subject: FaceSubject & { live: NonNullable<FaceSubject['live']> }; s: SignedIn<unknown> } | undefined> => {
    const subject = subjectOf(ctx);
    if (!subject) return undefined;
    if (!subject.live) {
      ctx.status = 404;
      return undefined;
    }
    const s = await kit.signedIn(ctx, 'face', true);
    if (!s) return undefined;
    if (!kit.csrfOk(ctx, s)) {
      ctx.status = 403;
      ctx.body = { ok: false, reason: 'csrf', message: translator(MESSAGES, kit.lang(ctx))('face.error.form'), hint: null };
      return undefined;
    }
    return { subject: subject as FaceSubject & { live: NonNullable<FaceSubject['live']> }, s };
  };

  router.post('/live/challenge', liveJson, async (ctx) => {
    const live = await liveRequest(ctx);
    if (!live) return;
    const answer = await kit.api.call<{ challenge_id: string; steps: string[] }>(live.s.token, 'POST', live.subject.live.challengePath);
    ctx.set('Cache-Control', 'no-store');
    if (!answer.ok) {
      ctx.status = answer.status;
      ctx.body = { ok: false, ...refusal(answer, kit.lang(ctx)) };
      return;
    }
    ctx.body = { ok: true, challengeId: answer.body.challenge_id, steps: answer.body.steps };
  });

  router.post('/live', liveJson, async (ctx) => {
    const live = await liveRequest(ctx);
    if (!live) return;
    const lang = kit.lang(ctx);
    const body = (ctx.request.body ?? {}) as { challengeId?: unknown; frames?: unknown };
    // The face API validates the burst; only its shape is passed on.
    const json = { challenge_id: String(body.challengeId ?? ''), frames: Array.isArray(body.frames) ? body.frames.map(String) : [] };
    const answer = await kit.api.call(live.s.token, 'POST', live.subject.live.enrollPath, { json });
    ctx.set('Cache-Control', 'no-store');
    if (!answer.ok) {
      ctx.status = answer.status;
      ctx.body = { ok: false, ...refusal(answer, lang) };
      return;
    }
    ctx.body = { ok: true, next: `${live.subject.base}?done=enrolled`, message: translator(MESSAGES, lang)('face.done.enrolled') };
  });

  router.get('/delete', async (ctx) => {
    const subject = subjectOf(ctx);
    const s = subject && (await kit.signedIn(ctx, 'face'));
    if (!subject || !s) return;
    const owner = await subject.owner(kit.api, s.token);
    await kit.page(ctx, 'face/face-delete', MESSAGES, `${subject.base}/delete`, { csrf: kit.csrf(s), base: subject.base, ownerName: owner.name ?? null });
  });

  router.post('/delete', koaBody({ urlencoded: true, json: false, multipart: false, text: false, formLimit: '4kb' }), async (ctx) => {
    const subject = subjectOf(ctx);
    const s = subject && (await kit.signedIn(ctx, 'face'));
    if (!subject || !s) return;
    if (!kit.csrfOk(ctx, s)) return kit.seeOther(ctx, subject.base);
    const answer = await kit.api.call(s.token, 'DELETE', subject.apiPath);
    if (!answer.ok) return enrollPage(ctx, s, subject, refusal(answer, kit.lang(ctx)), answer.status);
    kit.seeOther(ctx, `${subject.base}?done=deleted`);
  });

  return router;
}

/** The one file of the no-script form, read and removed from formidable's temporary folder. */
async function uploadedFile(ctx: Context): Promise<{ bytes: Uint8Array; type: string } | undefined> {
  const files = (ctx.request as { files?: Record<string, unknown> }).files ?? {};
  const file = files.photo as { filepath: string; mimetype?: string | null; size: number } | undefined;
  const all = Object.values(files).flat() as Array<{ filepath: string }>;
  try {
    if (!file || Array.isArray(file) || file.size === 0) return undefined;
    return { bytes: await readFile(file.filepath), type: file.mimetype ?? 'application/octet-stream' };
  } finally {
    await Promise.all(all.map((f) => rm(f.filepath, { force: true })));
  }
}

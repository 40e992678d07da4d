/**
 * The card and face steps of a step-up sign-in (acr_values), inside the interaction:
 *   GET|POST /interaction/:uid/step-up/card    the virtual card signs a fresh challenge (development);
 *                                              certificate + signature from the card reader app otherwise
 *   GET|POST /interaction/:uid/step-up/face    the PASS app's camera capture (static/app-face.js): a 1:1
 *                                              match against the resident's face template
 *   POST     /interaction/:uid/step-up/cancel  the resident gives up: access_denied to the relying party
 * Which step a sign-in needs is decided in second-step.ts (continueWithAcrs).
 */
import type Router from '@koa/router';
import type { Context } from 'koa';
import { koaBody } from 'koa-body';
import type Provider from 'oidc-provider';
import { readFile, rm } from 'node:fs/promises';
import { PassError } from '../../core/errors.ts';
import { HTTP_STATUS } from '../../http/errors.ts';
import { render } from '../../http/render.ts';
import { readImageBody } from '../../face/http/edge.ts';
import { isBodyTooLarge } from '../../http/request-body.ts';
import { FACE_CAPTURE_MESSAGES, feedbackFor, type Feedback } from '../../face/capture-messages.ts';
import { ACR_CARD, ACR_FACE, amrFor, STEP_METHODS, type AuthMethod, type Factor } from '../assurance.ts';
import { messageFor } from '../proofing/messages.ts';
import type { DevCardStore } from '../proofing/dev-cards.ts';
import type { CardProof } from '../proofing/step-up-card.ts';
import { csrfValid } from './csrf.ts';
import { MESSAGES } from './messages.ts';
import { clientName, field, finishLogin, formBody, interactionCsrf, lang, loadInteraction, postedInteraction, seeOther, showPage, t, type Details } from './page.ts';
import { MAX_FACE_ATTEMPTS, type StepState, type StepUp } from './step-up.ts';

const IMAGE_TYPES = new Set(['image/jpeg', 'image/png', 'image/webp']);
const SIGN_PIN = /^[A-Z0-9]{6,16}$/;
const CARD_ID = /^[a-z0-9][a-z0-9-]{0,63}$/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const FACE_PAGE_MESSAGES = { ...FACE_CAPTURE_MESSAGES, ...MESSAGES };

export interface StepUpRouteDeps {
  provider: () => Provider;
  csrfKey: string;
  stepUp: StepUp;
  /** The development virtual cards; undefined in production (the card reader app posts instead). */
  devCards: () => DevCardStore | undefined;
  maxUploadBytes: number;
}

const factorsOf = (amr: readonly AuthMethod[]) => amr.filter((m): m is Factor => m !== 'mfa');

async function finishWithError(ctx: Context, op: Provider, error: string, description: string): Promise<void> {
  await op.interactionFinished(ctx.req, ctx.res, { error, error_description: description }, { mergeWithLastSubmission: false });
  ctx.respond = false;
}

function completedLogin(state: StepState, methods: Factor[]): { accountId: string; amr: AuthMethod[]; acr: string } {
  return { accountId: state.accountId, amr: amrFor([...factorsOf(state.amr), ...methods]), acr: state.acr };
}

export function stepUpRoutes(router: Router, deps: StepUpRouteDeps): void {
  const { stepUp } = deps;

  /** The step this interaction started (bound to its uid, so to this browser's interaction cookie). */
  async function stepOf(details: Details, acr: string): Promise<StepState | undefined> {
    const state = await stepUp.current(details.uid);
    return state?.acr === acr ? state : undefined;
  }

  async function cardPage(ctx: Context, details: Details, state: StepState, error: string | null = null, status = 200, chosen = ''): Promise<void> {
    if (!state.challenge) {
      const challenge = stepUp.card.challenge(state.accountId, state.clientId);
      state = { ...state, challenge: Buffer.from(challenge).toString('base64') };
      await stepUp.save(details.uid, state);
    }
    const dev = deps.devCards();
    const cards = dev ? (await dev.list()).filter((c) => !c.locked && !c.revoked) : null;
    ctx.status = status;
    await showPage(ctx, 'interaction/step-up-card', {
      uid: details.uid,
      csrf: interactionCsrf(deps.csrfKey, details),
      clientName: await clientName(deps.provider(), details.params.client_id),
      cards,
      chosen: chosen || cards?.[0]?.id || '',
      pinHint: dev ? 'PASS1234' : null,
      error,
      here: `/interaction/${details.uid}/step-up/card`,
    });
  }

  router.get('/:uid/step-up/card', async (ctx) => {
    const details = await loadInteraction(ctx, deps.provider());
    if (!details) return;
    const state = await stepOf(details, ACR_CARD);
    if (!state) return seeOther(ctx, `/interaction/${details.uid}`);
    await cardPage(ctx, details, state);
  });

  router.post('/:uid/step-up/card', formBody, async (ctx) => {
    const op = deps.provider();
    const details = await postedInteraction(ctx, op, deps.csrfKey);
    if (!details) return;
    const state = await stepOf(details, ACR_CARD);
    if (!state) return seeOther(ctx, `/interaction/${details.uid}`);
    const words = t(ctx);
    const language = lang(ctx);
    if (!state.challenge) return cardPage(ctx, details, state, messageFor('challenge_invalid')[language], 400);
    // The challenge is used up by this attempt, whatever follows; the page shows a new one.
    const challenge = new Uint8Array(Buffer.from(state.challenge, 'base64'));
    const fresh: StepState = { ...state };
    delete fresh.challenge;
    await stepUp.save(details.uid, fresh);
    const dev = deps.devCards();
    let proof: CardProof;
    const cardId = field(ctx, 'card', 64);
    try {
      if (dev) {
        const pin = field(ctx, 'pin', 32).trim().toUpperCase();
        if (!CARD_ID.test(cardId)) return await cardPage(ctx, details, fresh, words('stepup.card.nocard'), 400);
        // A PIN that cannot be right is refused before it costs one of the card's tries.
        if (!SIGN_PIN.test(pin)) return await cardPage(ctx, details, fresh, words('stepup.card.pin_format'), 400, cardId);
        proof = await dev.signChallenge(cardId, pin, challenge);
      } else {
        const certificate = field(ctx, 'certificate', 12_000);
        const signature = field(ctx, 'signature', 1_400);
        if (!BASE64.test(certificate) || !BASE64.test(signature)) return await cardPage(ctx, details, fresh, messageFor('invalid_request')[language], 400);
        proof = { certificate: new Uint8Array(Buffer.from(certificate, 'base64')), signature: new Uint8Array(Buffer.from(signature, 'base64')) };
      }
      const verified = await stepUp.card.verify(state.accountId, challenge, proof);
      ctx.state.log?.info({ accountId: state.accountId, serial: verified.serialNumber }, 'step-up: card signature verified');
    } catch (error) {
      if (!(error instanceof PassError) || (HTTP_STATUS[error.code] >= 500 && error.code !== 'unavailable')) throw error;
      let message = messageFor(error.reason)[language];
      const left = error.details?.attempts_left;
      if (typeof left === 'number') message += `${language === 'ja' ? '' : ' '}${words('stepup.card.attempts').replace('{n}', String(left))}`;
      ctx.state.log?.info({ reason: error.reason }, 'step-up: card step refused');
      return cardPage(ctx, details, fresh, message, HTTP_STATUS[error.code], cardId);
    }
    await stepUp.end(details.uid);
    await finishLogin(ctx, details, completedLogin(state, STEP_METHODS[ACR_CARD]!));
  });

  async function facePage(ctx: Context, details: Details, state: StepState, feedback: Feedback | null = null, status = 200): Promise<void> {
    const language = lang(ctx);
    const face = stepUp.face();
    ctx.status = status;
    const exhausted = state.faceAttempts >= MAX_FACE_ATTEMPTS;
    await render(ctx, 'interaction/step-up-face', FACE_PAGE_MESSAGES, {
      here: `/interaction/${details.uid}/step-up/face`,
      notice: null,
      uid: details.uid,
      csrf: interactionCsrf(deps.csrfKey, details),
      clientName: await clientName(deps.provider(), details.params.client_id),
      usable: Boolean(face?.available) && !exhausted,
      error: feedback?.message ?? (exhausted ? t(ctx)('stepup.face.attempts') : face?.available ? null : t(ctx)('stepup.face.unavailable')),
      maxUploadBytes: deps.maxUploadBytes,
      tooLarge: feedbackFor('image_too_large', language),
    });
  }

  router.get('/:uid/step-up/face', async (ctx) => {
    const details = await loadInteraction(ctx, deps.provider());
    if (!details) return;
    const state = await stepOf(details, ACR_FACE);
    if (!state) return seeOther(ctx, `/interaction/${details.uid}`);
    await facePage(ctx, details, state);
  });

  const multipart = koaBody({
    multipart: true, urlencoded: true, json: false, text: false, formLimit: '4kb',
    formidable: { maxFiles: 1, maxFileSize: deps.maxUploadBytes, maxFields: 4, allowEmptyFiles: false, minFileSize: 1 },
  });

  /** The photo: a raw image from static/app-face.js (CSRF token in a header, JSON answer), or the no-script form. */
  router.post('/:uid/step-up/face', async (ctx) => {
    const op = deps.provider();
    const details = await loadInteraction(ctx, op);
    if (!details) return;
    const language = lang(ctx);
    const words = t(ctx);
    const json = ctx.accepts('html', 'json') === 'json';
    let state = await stepOf(details, ACR_FACE);
    const answer = async (feedback: Feedback, status: number) => {
      if (!json) return state ? facePage(ctx, details, state, feedback, status) : seeOther(ctx, `/interaction/${details.uid}`);
      ctx.status = status;
      ctx.body = { ok: false, ...feedback };
    };
    if (!state) return answer({ reason: 'interaction', message: words('error.interaction'), hint: null }, 400);
    let photo: Uint8Array | undefined;
    try {
      const type = (ctx.get('Content-Type').split(';')[0] ?? '').trim().toLowerCase();
      if (IMAGE_TYPES.has(type)) {
        if (!csrfValid(deps.csrfKey, details.uid, ctx.get('X-CSRF-Token'))) return await answer({ reason: 'csrf', message: words('error.csrf'), hint: null }, 403);
        if (state.faceAttempts >= MAX_FACE_ATTEMPTS) return await answer({ reason: 'too_many_attempts', message: words('stepup.face.attempts'), hint: null }, 429);
        photo = await readImageBody(ctx, deps.maxUploadBytes);
      } else if (type === 'multipart/form-data') {
        await multipart(ctx, async () => undefined);
        if (!csrfValid(deps.csrfKey, details.uid, field(ctx, 'csrf', 200))) return await answer({ reason: 'csrf', message: words('error.csrf'), hint: null }, 403);
        if (state.faceAttempts >= MAX_FACE_ATTEMPTS) return await answer({ reason: 'too_many_attempts', message: words('stepup.face.attempts'), hint: null }, 429);
        photo = await uploadedPhoto(ctx);
        if (!photo) return await answer({ reason: 'empty_body', message: FACE_PAGE_MESSAGES['face.error.nofile']![language], hint: null }, 400);
      } else {
        return await answer(feedbackFor('unsupported_media_type', language), 415);
      }
    } catch (error) {
      if (error instanceof PassError) return answer(feedbackFor(error.reason, language), error.reason === 'image_too_large' ? 413 : 400);
      if (isBodyTooLarge(error)) return answer(feedbackFor('image_too_large', language), 413);
      throw error;
    }
    state = { ...state, faceAttempts: state.faceAttempts + 1 };
    await stepUp.save(details.uid, state);
    const face = stepUp.face();
    const personId = await stepUp.selfPerson(state.accountId);
    if (!face?.available || !personId) return answer({ reason: 'models_unavailable', message: words('stepup.face.unavailable'), hint: null }, 503);
    let matched: boolean;
    try {
      const result = await face.verify(personId, photo);
      matched = result.matched;
      ctx.state.log?.info({ accountId: state.accountId, matched, score: Math.round(result.score * 1000) / 1000, attempt: state.faceAttempts }, 'step-up: face compared');
    } catch (error) {
      if (!(error instanceof PassError)) throw error;
      return answer(feedbackFor(error.reason, language), HTTP_STATUS[error.code] >= 500 ? 503 : 400);
    }
    if (!matched) return answer({ reason: 'face_mismatch', message: words('stepup.face.nomatch'), hint: null }, 403);
    await stepUp.end(details.uid);
    const login = { ...completedLogin(state, STEP_METHODS[ACR_FACE]!), remember: true };
    if (!json) return finishLogin(ctx, details, login);
    const next = await op.interactionResult(ctx.req, ctx.res, { login }, { mergeWithLastSubmission: false });
    ctx.body = { ok: true, next, message: words('stepup.face.done') };
  });

  router.post('/:uid/step-up/cancel', formBody, async (ctx) => {
    const op = deps.provider();
    const details = await postedInteraction(ctx, op, deps.csrfKey);
    if (!details) return;
    await stepUp.end(details.uid);
    await finishWithError(ctx, op, 'access_denied', 'the resident cancelled the card or face step');
  });
}

/** The one file of the no-script form, read and removed from formidable's temporary folder. */
async function uploadedPhoto(ctx: Context): Promise<Uint8Array | undefined> {
  const files = (ctx.request as { files?: Record<string, unknown> }).files ?? {};
  const all = Object.values(files).flat() as Array<{ filepath: string; size: number }>;
  try {
    const file = files.photo as { filepath: string; size: number } | undefined;
    return file && !Array.isArray(file) && file.size > 0 ? await readFile(file.filepath) : undefined;
  } finally {
    await Promise.all(all.map((f) => rm(f.filepath, { force: true })));
  }
}

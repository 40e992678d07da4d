/**
 * The second step of every sign-in (AAL2 by default), and the acr a relying party asks for:
 *   POST /interaction/:uid/verify            the code: authenticator app (TOTP), SMS or e-mail;
 *                                            `remember=1` remembers this browser (REMEMBER_DEVICE_DAYS)
 *   POST /interaction/:uid/verify/resend     a new SMS or e-mail code
 *   POST /interaction/:uid/verify/sms        an SMS code instead of the authenticator app's
 *   POST /interaction/:uid/passkey/options   a passkey challenge for this interaction (JSON)
 *   POST /interaction/:uid/passkey           the passkey's assertion (JSON) → { ok, next }
 *   GET  /interaction/:uid/step-up/strong    a passkey where urn:pass:acr:mfa-strong is asked and the
 *                                            account has no authenticator app
 * What each request needs comes from continueWithAcrs: after the password, after a code, after a
 * passkey, or with the session a resident already has.
 */
import type Router from '@koa/router';
import type { Context } from 'koa';
import { koaBody } from 'koa-body';
import type Provider from 'oidc-provider';
import { PassError } from '../../core/errors.ts';
import { HTTP_STATUS } from '../../http/errors.ts';
import { ACR_CARD, ACR_MFA, ACR_PASSWORD, ACR_STRONG, acrMeets, requestedAcrs, type AuthMethod } from '../assurance.ts';
import type { Account } from '../accounts.ts';
import type { IdentityServices } from '../identity-services.ts';
import { DEVICE_COOKIE } from '../factors/remembered-devices.ts';
import { csrfValid } from './csrf.ts';
import { parseClaimsParameter } from './claims-parameter.ts';
import { applyRefusal } from './refusals.ts';
import { clientName, field, finishInteraction, finishLogin, formBody, interactionCsrf, lang, loadInteraction, postedInteraction, seeOther, showPage, t, type Details } from './page.ts';
import type { StepState, StepUp } from './step-up.ts';

/** The passkey assertion: a small JSON object (a few kB at most). */
const passkeyJson = koaBody({ json: true, urlencoded: false, multipart: false, text: false, jsonLimit: '16kb' });

export interface SecondStepDeps {
  provider: () => Provider;
  csrfKey: string;
  services: IdentityServices;
  stepUp: StepUp;
  /** The issuer is https: the remembered-device cookie is Secure. */
  secureCookies: boolean;
}

/** Who is known so far, and how: a password, a code, a passkey, or the PASS session. */
export interface SignedInSoFar {
  account: Account;
  amr: AuthMethod[];
  /** The class reached so far; absent after the password alone. */
  acr?: string | undefined;
  /** The password was just given in this browser: a remembered device may stand for the code. */
  afterPassword?: boolean;
}

export function acrsOf(details: Details): string[] {
  return requestedAcrs(details.params.acr_values, parseClaimsParameter(details.params.claims));
}


function requester(ctx: Context, details: Details) {
  return { ip: ctx.ip, clientId: String(details.params.client_id) };
}

/**
 * After each factor, the next step towards the first requested acr this account can meet (none
 * requested: urn:pass:acr:mfa). Done: the interaction finishes with that acr (or, with none
 * requested, the class reached). Nothing meets: unmet_authentication_requirements, never less.
 */
export async function continueWithAcrs(ctx: Context, deps: SecondStepDeps, details: Details, who: SignedInSoFar): Promise<void> {
  const requested = acrsOf(details);
  const target = await deps.stepUp.plan(who.account.id, requested.length > 0 ? requested : [ACR_MFA]);
  if (!target) {
    const error = { error: 'unmet_authentication_requirements', error_description: 'none of the requested acr values can be met for this account' };
    return finishInteraction(ctx, details, error, { mergeWithLastSubmission: false });
  }
  const reported = (reached: string) => (requested.length > 0 ? target : reached);
  if (who.acr && acrMeets(who.acr, target)) {
    return finishLogin(ctx, details, { accountId: who.account.id, amr: who.amr, acr: reported(who.acr) });
  }
  const uid = details.uid;
  const language = lang(ctx);
  if (target === ACR_PASSWORD || target === ACR_MFA) {
    const remembered = who.afterPassword ? await deps.services.devices.recognise(ctx.cookies.get(DEVICE_COOKIE), who.account.id) : undefined;
    if (remembered) {
      const done = await deps.services.signIn.completeRemembered(who.account, remembered, requester(ctx, details));
      return finishLogin(ctx, details, { accountId: who.account.id, amr: done.amr, acr: reported(done.acr) });
    }
    await deps.services.signIn.beginSecondFactor({ account: who.account, interactionUid: uid, lang: language });
    return seeOther(ctx, `/interaction/${uid}/verify`);
  }
  if (target === ACR_STRONG) {
    if (await deps.services.totp.enrolled(who.account.id)) {
      await deps.services.signIn.beginSecondFactor({ account: who.account, interactionUid: uid, lang: language, channel: 'totp' });
      return seeOther(ctx, `/interaction/${uid}/verify`);
    }
    return seeOther(ctx, `/interaction/${uid}/step-up/strong`);
  }
  const state: StepState = { accountId: who.account.id, clientId: String(details.params.client_id), acr: target, amr: who.amr, faceAttempts: 0 };
  await deps.stepUp.begin(uid, state);
  seeOther(ctx, `/interaction/${uid}/step-up/${target === ACR_CARD ? 'card' : 'face'}`);
}

/** The passkey button's texts and the interaction it signs in to (views/interaction/passkey.ejs). */
export function passkeyLocals(deps: Pick<SecondStepDeps, 'csrfKey'>, details: Details) {
  return { passkey: { uid: details.uid, csrf: interactionCsrf(deps.csrfKey, details) } };
}

export function secondStepRoutes(router: Router, deps: SecondStepDeps): void {
  const { services } = deps;

  async function codePage(ctx: Context, details: Details, error: string | null, notice: string | null = null): Promise<void> {
    const pending = await services.signIn.pendingSecondFactor(details.uid);
    if (!pending) return seeOther(ctx, `/interaction/${details.uid}`);
    // A refusal has set its status (applyRefusal); Koa's untouched default is 404.
    if (error && (ctx.status < 400 || ctx.status === 404)) ctx.status = 400;
    await showPage(ctx, 'interaction/code', {
      uid: details.uid,
      csrf: interactionCsrf(deps.csrfKey, details),
      mode: pending.channel === 'totp' ? 'totp' : 'mfa',
      destination: pending.destination,
      action: `/interaction/${details.uid}/verify`,
      resendAction: pending.channel === 'totp' ? null : `/interaction/${details.uid}/verify/resend`,
      smsAction: pending.smsPossible ? `/interaction/${details.uid}/verify/sms` : null,
      cardAction: (await deps.stepUp.card.available(pending.accountId)) ? `/interaction/${details.uid}/verify/card` : null,
      rememberDays: services.devices.days,
      backHref: `/interaction/${details.uid}`,
      error,
      notice,
      here: `/interaction/${details.uid}/verify`,
    });
  }

  router.get('/:uid/verify', async (ctx) => {
    const details = await loadInteraction(ctx, deps.provider());
    if (details) await codePage(ctx, details, null, ctx.query.resent ? t(ctx)('code.resent') : null);
  });

  router.post('/:uid/verify', formBody, async (ctx) => {
    const details = await postedInteraction(ctx, deps.provider(), deps.csrfKey);
    if (!details) return;
    let done;
    try {
      done = await services.signIn.confirmSecondFactor({ code: field(ctx, 'code', 32), interactionUid: details.uid, ...requester(ctx, details) });
    } catch (error) {
      return codePage(ctx, details, applyRefusal(ctx, error, lang(ctx)));
    }
    if (field(ctx, 'remember', 4) === '1' && done.rememberable) {
      const device = await services.devices.remember(done.account.id, done.rememberable, ctx.get('User-Agent'));
      if (device) {
        ctx.cookies.set(DEVICE_COOKIE, device.cookie, { path: '/interaction', httpOnly: true, sameSite: 'lax', secure: deps.secureCookies, maxAge: device.maxAgeMs, overwrite: true });
      }
    }
    await continueWithAcrs(ctx, deps, details, { account: done.account, amr: done.amr, acr: done.acr });
  });

  /** A new code: by the same channel (resend), or by SMS instead of the authenticator app's. */
  const newCode = (channel?: 'sms') => async (ctx: Context) => {
    const details = await postedInteraction(ctx, deps.provider(), deps.csrfKey);
    if (!details) return;
    try {
      await services.signIn.resendSecondFactor({ ip: ctx.ip, interactionUid: details.uid, lang: lang(ctx), ...(channel ? { channel } : {}) });
      seeOther(ctx, `/interaction/${details.uid}/verify?resent=1`);
    } catch (error) {
      await codePage(ctx, details, applyRefusal(ctx, error, lang(ctx)));
    }
  };
  router.post('/:uid/verify/resend', formBody, newCode());
  router.post('/:uid/verify/sms', formBody, newCode('sms'));

  /**
   * No phone at hand (lost, broken, abroad): a proofed resident's own My Number Card stands for the
   * code — a fresh signature with its signature key and PIN, never weaker than the SMS it replaces.
   */
  router.post('/:uid/verify/card', formBody, async (ctx) => {
    const details = await postedInteraction(ctx, deps.provider(), deps.csrfKey);
    if (!details) return;
    const pending = await services.signIn.pendingSecondFactor(details.uid);
    if (!pending || !(await deps.stepUp.card.available(pending.accountId))) return codePage(ctx, details, t(ctx)('reason.second_factor_missing'));
    const state: StepState = { accountId: pending.accountId, clientId: String(details.params.client_id), acr: ACR_CARD, amr: ['pwd'], faceAttempts: 0 };
    await deps.stepUp.begin(details.uid, state);
    seeOther(ctx, `/interaction/${details.uid}/step-up/card`);
  });

  /** JSON answers of the passkey script: a refusal carries the text the page shows. */
  function refuse(ctx: Context, error: unknown): void {
    if (!(error instanceof PassError)) throw error;
    ctx.status = HTTP_STATUS[error.code];
    ctx.body = { ok: false, reason: error.reason, message: applyRefusal(ctx, error, lang(ctx)) };
  }

  router.post('/:uid/passkey/options', formBody, async (ctx) => {
    const details = await loadInteraction(ctx, deps.provider());
    if (!details) return;
    if (!csrfValid(deps.csrfKey, details.uid, field(ctx, 'csrf', 200))) {
      ctx.status = 403;
      ctx.body = { ok: false, reason: 'csrf', message: t(ctx)('error.csrf') };
      return;
    }
    try {
      await services.limits.consume('signin', ctx.ip, `passkey:${details.uid}`);
      ctx.body = await services.passkeys.authenticationOptions(details.uid);
    } catch (error) {
      refuse(ctx, error);
    }
  });

  router.post('/:uid/passkey', passkeyJson, async (ctx) => {
    const details = await loadInteraction(ctx, deps.provider());
    if (!details) return;
    const body = (ctx.request.body ?? {}) as { csrf?: unknown; response?: unknown };
    if (typeof body.csrf !== 'string' || !csrfValid(deps.csrfKey, details.uid, body.csrf)) {
      ctx.status = 403;
      ctx.body = { ok: false, reason: 'csrf', message: t(ctx)('error.csrf') };
      return;
    }
    try {
      if (!body.response || typeof body.response !== 'object') throw new PassError('invalid_input', 'passkey_invalid', 'no passkey response');
      const proof = await services.passkeys.authenticate(details.uid, body.response as Parameters<IdentityServices['passkeys']['authenticate']>[1]);
      const done = await services.signIn.completePasskey(proof.accountId, requester(ctx, details));
      ctx.state.log?.info({ accountId: proof.accountId, passkey: proof.passkeyId }, 'sign-in: passkey verified');
      // The next step is a page (code, card, face) or the relying party: the script follows it.
      await continueWithAcrs(ctx, deps, details, { account: done.account, amr: done.amr, acr: done.acr });
      const next = ctx.response.get('Location');
      ctx.status = 200;
      ctx.remove('Location');
      ctx.body = { ok: true, next };
    } catch (error) {
      refuse(ctx, error);
    }
  });

  router.get('/:uid/step-up/strong', async (ctx) => {
    const details = await loadInteraction(ctx, deps.provider());
    if (!details) return;
    await showPage(ctx, 'interaction/step-up-strong', {
      uid: details.uid,
      csrf: interactionCsrf(deps.csrfKey, details),
      clientName: await clientName(deps.provider(), details.params.client_id),
      ...passkeyLocals(deps, details),
    });
  });
}

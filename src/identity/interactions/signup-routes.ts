import type Router from '@koa/router';
import type { Context } from 'koa';
import { PassError } from '../../core/errors.ts';
import type { SignupStep } from '../signups.ts';
import { maskEmail, maskPhone } from '../phone.ts';
import { applyRefusal } from './refusals.ts';
import type { RouteDeps } from './login-routes.ts';
import { field, finishLogin, formBody, interactionCsrf, lang, loadInteraction, postedInteraction, seeOther, showPage, t, type Details } from './page.ts';

const STEP_PATH: Record<SignupStep, string> = { email: 'signup/email', phone: 'signup/phone', sms: 'signup/sms' };

function stepUrl(uid: string, step: SignupStep | 'start'): string {
  return `/interaction/${uid}/${step === 'start' ? 'signup' : STEP_PATH[step]}`;
}

/**
 * Sign-up inside an interaction: e-mail and password → e-mail code → mobile number → SMS code;
 * the interaction then continues signed in (to consent, then back to the service).
 */
export function signupRoutes(router: Router, deps: RouteDeps): void {
  const { signups } = deps.services;

  /** `field`: the input the refusal is about (focused and marked invalid): the password for a weak one, else the e-mail address. */
  async function startPage(ctx: Context, details: Details, error: string | null = null, email = '', field: 'email' | 'password' = 'email'): Promise<void> {
    await showPage(ctx, 'interaction/signup', { uid: details.uid, csrf: interactionCsrf(deps.csrfKey, details), email, error, field, here: stepUrl(details.uid, 'start') });
  }

  async function phonePage(ctx: Context, details: Details, error: string | null = null, phone = ''): Promise<void> {
    await showPage(ctx, 'interaction/phone', { uid: details.uid, csrf: interactionCsrf(deps.csrfKey, details), phone, error, here: stepUrl(details.uid, 'phone') });
  }

  /** The code page of the current step, or a redirect to the step the sign-up is really at. */
  async function codePage(ctx: Context, details: Details, step: 'email' | 'sms', error: string | null = null, notice: string | null = null): Promise<void> {
    const signup = await signups.find(details.uid);
    if (!signup) return seeOther(ctx, stepUrl(details.uid, 'start'));
    if (signup.step !== step && !error) return seeOther(ctx, stepUrl(details.uid, signup.step));
    await showPage(ctx, 'interaction/code', {
      uid: details.uid,
      csrf: interactionCsrf(deps.csrfKey, details),
      mode: step,
      destination: step === 'email' ? maskEmail(signup.email) : maskPhone(signup.phoneE164 ?? ''),
      action: stepUrl(details.uid, step),
      resendAction: `/interaction/${details.uid}/signup/resend`,
      backHref: step === 'email' ? stepUrl(details.uid, 'start') : stepUrl(details.uid, 'phone'),
      steps: true,
      error,
      notice,
      here: stepUrl(details.uid, step),
    });
  }

  router.get('/:uid/signup', async (ctx) => {
    const details = await loadInteraction(ctx, deps.provider());
    if (details) await startPage(ctx, details, null, (await signups.find(details.uid))?.email ?? '');
  });

  router.post('/:uid/signup', formBody, async (ctx) => {
    const details = await postedInteraction(ctx, deps.provider(), deps.csrfKey);
    if (!details) return;
    const email = field(ctx, 'email');
    try {
      await signups.start(details.uid, { email, password: field(ctx, 'password', 1024) }, lang(ctx), ctx.ip);
      seeOther(ctx, stepUrl(details.uid, 'email'));
    } catch (error) {
      const aboutPassword = error instanceof PassError && error.reason.startsWith('password_');
      await startPage(ctx, details, applyRefusal(ctx, error, lang(ctx)), email, aboutPassword ? 'password' : 'email');
    }
  });

  for (const step of ['email', 'sms'] as const) {
    router.get(`/:uid/signup/${step}`, async (ctx) => {
      const details = await loadInteraction(ctx, deps.provider());
      if (details) await codePage(ctx, details, step, null, ctx.query.resent ? t(ctx)('code.resent') : null);
    });
  }

  router.post('/:uid/signup/email', formBody, async (ctx) => {
    const details = await postedInteraction(ctx, deps.provider(), deps.csrfKey);
    if (!details) return;
    try {
      await signups.confirmEmail(details.uid, field(ctx, 'code', 32), ctx.ip);
      seeOther(ctx, stepUrl(details.uid, 'phone'));
    } catch (error) {
      await codePage(ctx, details, 'email', applyRefusal(ctx, error, lang(ctx)));
    }
  });

  router.post('/:uid/signup/resend', formBody, async (ctx) => {
    const details = await postedInteraction(ctx, deps.provider(), deps.csrfKey);
    if (!details) return;
    const step = (await signups.find(details.uid))?.step === 'sms' ? 'sms' : 'email';
    try {
      await signups.resend(details.uid, lang(ctx), ctx.ip);
      seeOther(ctx, `${stepUrl(details.uid, step)}?resent=1`);
    } catch (error) {
      await codePage(ctx, details, step, applyRefusal(ctx, error, lang(ctx)));
    }
  });

  router.get('/:uid/signup/phone', async (ctx) => {
    const details = await loadInteraction(ctx, deps.provider());
    if (!details) return;
    const signup = await signups.find(details.uid);
    if (!signup || signup.step === 'email') return seeOther(ctx, stepUrl(details.uid, signup ? 'email' : 'start'));
    await phonePage(ctx, details);
  });

  router.post('/:uid/signup/phone', formBody, async (ctx) => {
    const details = await postedInteraction(ctx, deps.provider(), deps.csrfKey);
    if (!details) return;
    const phone = field(ctx, 'phone', 32);
    try {
      await signups.setPhone(details.uid, phone, lang(ctx), ctx.ip);
      seeOther(ctx, stepUrl(details.uid, 'sms'));
    } catch (error) {
      await phonePage(ctx, details, applyRefusal(ctx, error, lang(ctx)), phone);
    }
  });

  router.post('/:uid/signup/sms', formBody, async (ctx) => {
    const op = deps.provider();
    const details = await postedInteraction(ctx, op, deps.csrfKey);
    if (!details) return;
    try {
      const done = await signups.confirmPhone(details.uid, field(ctx, 'code', 32), ctx.ip);
      await finishLogin(ctx, details, { accountId: done.account.id, amr: done.amr, acr: done.acr });
    } catch (error) {
      await codePage(ctx, details, 'sms', applyRefusal(ctx, error, lang(ctx)));
    }
  });
}

import type Router from '@koa/router';
import type { Context } from 'koa';
import type Provider from 'oidc-provider';
import type { IdentityServices } from '../identity-services.ts';
import { secondFactorRequested, stepUpRequested } from '../assurance.ts';
import { familyMessage } from '../../households/errors.ts';
import { PassError } from '../../core/errors.ts';
import { HTTP_STATUS } from '../../http/errors.ts';
import { applyRefusal } from './refusals.ts';
import { MESSAGES } from './messages.ts';
import type { FacilityConsent, FacilityConsentPlan } from './facility-consent.ts';
import { acrsOf, continueWithAcrs, type StepUpRouteDeps } from './step-up-routes.ts';
import { STEP_UP_REASON } from './policy.ts';
import {
  clientName,
  field,
  finishInteraction,
  finishLogin,
  formBody,
  interactionCsrf,
  lang,
  loadInteraction,
  postedInteraction,
  seeOther,
  showPage,
  t,
  type Details,
} from './page.ts';

export interface RouteDeps {
  provider: () => Provider;
  services: IdentityServices;
  csrfKey: string;
}

/** What the login and consent pages add: facility consent and step-up. */
export interface LoginExtras {
  consent: FacilityConsent;
  stepUp: StepUpRouteDeps;
}

async function loginPage(ctx: Context, deps: RouteDeps, details: Details, extra: { error?: string; login?: string } = {}): Promise<void> {
  await showPage(ctx, 'interaction/login', {
    uid: details.uid,
    csrf: interactionCsrf(deps.csrfKey, details),
    clientName: await clientName(deps.provider(), details.params.client_id),
    login: extra.login ?? '',
    error: extra.error ?? null,
    here: `/interaction/${details.uid}`,
  });
}

async function consentPage(ctx: Context, deps: RouteDeps, details: Details): Promise<void> {
  const missing = (details.prompt.details.missingOIDCScope as string[] | undefined) ?? [];
  const requested = String(details.params.scope ?? '').split(' ').filter(Boolean);
  const scopes = (missing.length ? missing : requested).filter((scope) => `scope.${scope}` in MESSAGES);
  await showPage(ctx, 'interaction/consent', {
    uid: details.uid,
    csrf: interactionCsrf(deps.csrfKey, details),
    clientName: await clientName(deps.provider(), details.params.client_id),
    scopes,
  });
}

async function facilityConsentPage(ctx: Context, deps: RouteDeps, details: Details, consent: FacilityConsent, plan: FacilityConsentPlan, error: string | null = null): Promise<void> {
  const language = lang(ctx);
  await showPage(ctx, 'interaction/consent-facility', {
    uid: details.uid,
    csrf: interactionCsrf(deps.csrfKey, details),
    clientName: await clientName(deps.provider(), details.params.client_id),
    facilityName: plan.facilityName[language],
    purpose: plan.policy.purpose[language],
    retentionDays: plan.policy.retentionDays,
    rows: consent.rows(plan, language),
    canRegister: plan.canRegister,
    error,
  });
}

function chosenClaims(ctx: Context): string[] {
  const value = (ctx.request.body as Record<string, unknown> | undefined)?.claim;
  const values = Array.isArray(value) ? value : value === undefined ? [] : [value];
  return values.filter((v): v is string => typeof v === 'string' && /^[a-z_0-9]{2,40}$/.test(v)).slice(0, 30);
}

async function codePage(ctx: Context, deps: RouteDeps, details: Details, error: string | null, notice: string | null = null): Promise<void> {
  const pending = await deps.services.signIn.pendingSecondFactor(details.uid);
  if (!pending) return loginPage(ctx, deps, details);
  await showPage(ctx, 'interaction/code', {
    uid: details.uid,
    csrf: interactionCsrf(deps.csrfKey, details),
    mode: 'mfa',
    destination: pending.destination,
    action: `/interaction/${details.uid}/verify`,
    resendAction: `/interaction/${details.uid}/verify/resend`,
    backHref: `/interaction/${details.uid}`,
    error,
    notice,
    here: `/interaction/${details.uid}/verify`,
  });
}


/**
 * PASS's own apps (seeded in src/demo/seed.ts) are PASS itself: asking a resident whether PASS
 * may know their PASS details would be noise, so their consent is implied. Every other relying
 * party gets the consent page.
 */
export const FIRST_PARTY_CLIENTS = new Set(['pass-app', 'pass-manager']);

/** Records what the interaction asks for in the grant and continues to the relying party. */
async function grantConsent(ctx: Context, op: Provider, details: Details): Promise<void> {
  const accountId = details.session?.accountId;
  const clientId = String(details.params.client_id);
  const grant = details.grantId ? await op.Grant.find(details.grantId) : new op.Grant({ accountId, clientId });
  if (!grant) throw new Error('grant vanished during consent');
  const promptDetails = details.prompt.details as {
    missingOIDCScope?: string[];
    missingOIDCClaims?: string[];
    missingResourceScopes?: Record<string, string[]>;
  };
  if (promptDetails.missingOIDCScope) grant.addOIDCScope(promptDetails.missingOIDCScope.join(' '));
  if (promptDetails.missingOIDCClaims) grant.addOIDCClaims(promptDetails.missingOIDCClaims);
  for (const [indicator, scopes] of Object.entries(promptDetails.missingResourceScopes ?? {})) {
    grant.addResourceScope(indicator, scopes.join(' '));
  }
  const grantId = await grant.save();
  await finishInteraction(ctx, details, { consent: { grantId } }, { mergeWithLastSubmission: true });
}

/**
 * Sign-in (password, then a one-time code, a card signature or a face match where asked), consent
 * (a facility's relying party: its claim policy and the resident's registration), and the
 * interaction's landing page.
 */
export function loginRoutes(router: Router, deps: RouteDeps, extras?: LoginExtras): void {
  router.get('/:uid', async (ctx) => {
    const details = await loadInteraction(ctx, deps.provider());
    if (!details) return;
    if (details.prompt.name === 'login') {
      // Signed in already and only a card or face step is missing: no password again.
      const accountId = details.session?.accountId;
      const onlyStepUp = details.prompt.reasons.every((r) => r === STEP_UP_REASON || r === 'essential_acr' || r === 'essential_acrs');
      if (extras && accountId && onlyStepUp && stepUpRequested(acrsOf(details))) {
        const amr = ((details.session as { amr?: string[] } | undefined)?.amr ?? []) as Parameters<typeof continueWithAcrs>[3]['amr'];
        if (await continueWithAcrs(ctx, extras.stepUp, details, { accountId, amr })) return;
      }
      await loginPage(ctx, deps, details);
    } else if (details.prompt.name === 'consent' && FIRST_PARTY_CLIENTS.has(String(details.params.client_id))) {
      await grantConsent(ctx, deps.provider(), details);
    } else {
      const plan = extras ? await extras.consent.plan(details) : undefined;
      if (extras && plan) await facilityConsentPage(ctx, deps, details, extras.consent, plan);
      else await consentPage(ctx, deps, details);
    }
  });

  router.post('/:uid/login', formBody, async (ctx) => {
    const op = deps.provider();
    const details = await postedInteraction(ctx, op, deps.csrfKey);
    if (!details) return;
    const login = field(ctx, 'login');
    // With a card or face step among the acceptable values, the account decides which one is met (step-up-routes.ts).
    const stepUp = extras && stepUpRequested(acrsOf(details)) ? extras.stepUp : undefined;
    const request = {
      login,
      password: field(ctx, 'password', 1024),
      ip: ctx.ip,
      clientId: String(details.params.client_id),
      secondFactor: !stepUp && secondFactorRequested(details.params.acr_values),
      interactionUid: details.uid,
      lang: lang(ctx),
    };
    try {
      const outcome = await deps.services.signIn.signIn(request);
      if (outcome.kind === 'second_factor') return seeOther(ctx, `/interaction/${details.uid}/verify`);
      if (stepUp) {
        const sendSecondFactor = async () => {
          await deps.services.signIn.signIn({ ...request, secondFactor: true });
        };
        await continueWithAcrs(ctx, stepUp, details, { accountId: outcome.account.id, amr: outcome.amr, sendSecondFactor });
        return;
      }
      await finishLogin(ctx, details, { accountId: outcome.account.id, amr: outcome.amr, acr: outcome.acr });
    } catch (error) {
      await loginPage(ctx, deps, details, { error: applyRefusal(ctx, error, lang(ctx)), login });
    }
  });

  router.get('/:uid/verify', async (ctx) => {
    const details = await loadInteraction(ctx, deps.provider());
    if (details) await codePage(ctx, deps, details, null, ctx.query.resent ? t(ctx)('code.resent') : null);
  });

  router.post('/:uid/verify', formBody, async (ctx) => {
    const op = deps.provider();
    const details = await postedInteraction(ctx, op, deps.csrfKey);
    if (!details) return;
    try {
      const done = await deps.services.signIn.confirmSecondFactor({
        code: field(ctx, 'code', 32),
        ip: ctx.ip,
        clientId: String(details.params.client_id),
        interactionUid: details.uid,
      });
      await finishLogin(ctx, details, { accountId: done.account.id, amr: done.amr, acr: done.acr });
    } catch (error) {
      await codePage(ctx, deps, details, applyRefusal(ctx, error, lang(ctx)));
    }
  });

  router.post('/:uid/verify/resend', formBody, async (ctx) => {
    const details = await postedInteraction(ctx, deps.provider(), deps.csrfKey);
    if (!details) return;
    try {
      await deps.services.signIn.resendSecondFactor({ ip: ctx.ip, interactionUid: details.uid, lang: lang(ctx) });
      seeOther(ctx, `/interaction/${details.uid}/verify?resent=1`);
    } catch (error) {
      await codePage(ctx, deps, details, applyRefusal(ctx, error, lang(ctx)));
    }
  });

  router.post('/:uid/consent', formBody, async (ctx) => {
    const op = deps.provider();
    const details = await postedInteraction(ctx, op, deps.csrfKey);
    if (!details) return;
    if (field(ctx, 'decision') !== 'allow') {
      await finishInteraction(ctx, details, { error: 'access_denied', error_description: 'the resident declined' }, { mergeWithLastSubmission: true });
      return;
    }
    const plan = extras && !FIRST_PARTY_CLIENTS.has(String(details.params.client_id)) ? await extras.consent.plan(details) : undefined;
    if (!extras || !plan) return grantConsent(ctx, op, details);
    let grantId: string;
    try {
      grantId = await extras.consent.allow(op, details, plan, chosenClaims(ctx));
    } catch (error) {
      const text = error instanceof PassError ? familyMessage(error.reason) : undefined;
      if (!text || !(error instanceof PassError)) throw error;
      ctx.status = HTTP_STATUS[error.code];
      return facilityConsentPage(ctx, deps, details, extras.consent, (await extras.consent.plan(details)) ?? plan, text[lang(ctx)]);
    }
    await finishInteraction(ctx, details, { consent: { grantId } }, { mergeWithLastSubmission: true });
  });
}

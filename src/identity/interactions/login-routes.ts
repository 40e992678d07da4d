import type Router from '@koa/router';
import type { Context } from 'koa';
import type Provider from 'oidc-provider';
import type { IdentityServices } from '../identity-services.ts';
import { familyMessage } from '../../households/errors.ts';
import { PassError } from '../../core/errors.ts';
import { HTTP_STATUS } from '../../http/errors.ts';
import { applyRefusal } from './refusals.ts';
import { MESSAGES } from './messages.ts';
import type { FacilityConsent, FacilityConsentPlan } from './facility-consent.ts';
import { continueWithAcrs, passkeyLocals, type SecondStepDeps } from './second-step.ts';
import { ACR_REASON, STEP_UP_REASON } from './policy.ts';
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

/** What the login and consent pages add: facility consent and the steps after the password. */
export interface LoginExtras {
  consent: FacilityConsent;
  secondStep: SecondStepDeps;
}

async function loginPage(ctx: Context, deps: RouteDeps, details: Details, extra: { error?: string; login?: string } = {}): Promise<void> {
  await showPage(ctx, 'interaction/login', {
    uid: details.uid,
    csrf: interactionCsrf(deps.csrfKey, details),
    clientName: await clientName(deps.provider(), details.params.client_id),
    login: extra.login ?? '',
    error: extra.error ?? null,
    here: `/interaction/${details.uid}`,
    ...passkeyLocals(deps, details),
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
 * Sign-in (a passkey, or the password and then second-step.ts: a one-time code or a remembered
 * browser, a card signature or a face match where asked), consent
 * (a facility's relying party: its claim policy and the resident's registration), and the
 * interaction's landing page.
 */
export function loginRoutes(router: Router, deps: RouteDeps, extras: LoginExtras): void {
  router.get('/:uid', async (ctx) => {
    const details = await loadInteraction(ctx, deps.provider());
    if (!details) return;
    if (details.prompt.name === 'login') {
      // Signed in already and only a stronger class, a card or a face step is missing: no password again.
      const accountId = details.session?.accountId;
      const session = details.session as { amr?: string[]; acr?: string } | undefined;
      const onlyAcr = details.prompt.reasons.every((r) => r === STEP_UP_REASON || r === ACR_REASON || r === 'essential_acr' || r === 'essential_acrs');
      const account = accountId && onlyAcr ? await deps.services.accounts.findById(accountId) : undefined;
      if (account) {
        const amr = (session?.amr ?? []) as Parameters<typeof continueWithAcrs>[3]['amr'];
        return continueWithAcrs(ctx, extras.secondStep, details, { account, amr, acr: session?.acr });
      }
      await loginPage(ctx, deps, details);
    } else if (details.prompt.name === 'consent' && FIRST_PARTY_CLIENTS.has(String(details.params.client_id))) {
      await grantConsent(ctx, deps.provider(), details);
    } else {
      const plan = await extras.consent.plan(details);
      if (plan) await facilityConsentPage(ctx, deps, details, extras.consent, plan);
      else await consentPage(ctx, deps, details);
    }
  });

  router.post('/:uid/login', formBody, async (ctx) => {
    const op = deps.provider();
    const details = await postedInteraction(ctx, op, deps.csrfKey);
    if (!details) return;
    const login = field(ctx, 'login');
    let account;
    try {
      account = await deps.services.signIn.checkPassword({ login, password: field(ctx, 'password', 1024), ip: ctx.ip, clientId: String(details.params.client_id) });
    } catch (error) {
      return loginPage(ctx, deps, details, { error: applyRefusal(ctx, error, lang(ctx)), login });
    }
    try {
      await continueWithAcrs(ctx, extras.secondStep, details, { account, amr: ['pwd'], afterPassword: true });
    } catch (error) {
      await loginPage(ctx, deps, details, { error: applyRefusal(ctx, error, lang(ctx)), login });
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
    const plan = !FIRST_PARTY_CLIENTS.has(String(details.params.client_id)) ? await extras.consent.plan(details) : undefined;
    if (!plan) return grantConsent(ctx, op, details);
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

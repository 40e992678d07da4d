import Router from '@koa/router';
import { koaBody } from 'koa-body';
import type { Context } from 'koa';
import type Provider from 'oidc-provider';
import type { AccountService } from '../../identity/accounts.ts';
import { pickLanguage, translator } from '../../http/i18n.ts';
import { render } from '../../http/render.ts';
import { csrfToken, csrfValid } from './csrf.ts';
import { MESSAGES } from './messages.ts';

export interface InteractionDeps {
  provider: () => Provider;
  accounts: AccountService;
  csrfKey: string;
}

type Details = Awaited<ReturnType<Provider['interactionDetails']>>;

async function loadDetails(ctx: Context, provider: Provider): Promise<Details | undefined> {
  try {
    return await provider.interactionDetails(ctx.req, ctx.res);
  } catch {
    ctx.status = 400;
    await render(ctx, 'error', MESSAGES, { message: translator(MESSAGES, pickLanguage(ctx))('error.interaction') });
    return undefined;
  }
}

async function clientName(provider: Provider, clientId: unknown): Promise<string> {
  const client = typeof clientId === 'string' ? await provider.Client.find(clientId) : undefined;
  return (client?.clientName as string | undefined) ?? (typeof clientId === 'string' ? clientId : '');
}

/** The sign-in and consent steps oidc-provider hands to PASS. */
export function interactionRoutes({ provider, accounts, csrfKey }: InteractionDeps): Router {
  const router = new Router({ prefix: '/interaction' });
  const body = koaBody({ urlencoded: true, json: false, multipart: false, formLimit: '16kb' });

  async function rejectForgery(ctx: Context, uid: string): Promise<boolean> {
    if (csrfValid(csrfKey, uid, (ctx.request.body as Record<string, unknown>)?.csrf)) return false;
    ctx.status = 403;
    await render(ctx, 'error', MESSAGES, { message: translator(MESSAGES, pickLanguage(ctx))('error.csrf') });
    return true;
  }

  router.get('/:uid', async (ctx) => {
    const op = provider();
    const details = await loadDetails(ctx, op);
    if (!details) return;
    const name = await clientName(op, details.params.client_id);
    const csrf = csrfToken(csrfKey, details.uid);
    if (details.prompt.name === 'login') {
      await render(ctx, 'interaction/login', MESSAGES, { uid: details.uid, csrf, clientName: name, error: null, login: '' });
      return;
    }
    const missing = (details.prompt.details.missingOIDCScope as string[] | undefined) ?? [];
    const requested = String(details.params.scope ?? '').split(' ').filter(Boolean);
    const scopes = (missing.length ? missing : requested).filter((scope) => `scope.${scope}` in MESSAGES);
    await render(ctx, 'interaction/consent', MESSAGES, { uid: details.uid, csrf, clientName: name, scopes });
  });

  router.post('/:uid/login', body, async (ctx) => {
    const op = provider();
    const details = await loadDetails(ctx, op);
    if (!details || (await rejectForgery(ctx, details.uid))) return;
    const form = ctx.request.body as Record<string, unknown>;
    const login = typeof form.login === 'string' ? form.login.slice(0, 254) : '';
    const password = typeof form.password === 'string' ? form.password.slice(0, 1024) : '';
    const account = login && password ? await accounts.authenticate(login, password) : undefined;
    if (!account) {
      ctx.status = 401;
      const t = translator(MESSAGES, pickLanguage(ctx));
      await render(ctx, 'interaction/login', MESSAGES, {
        uid: details.uid,
        csrf: csrfToken(csrfKey, details.uid),
        clientName: await clientName(op, details.params.client_id),
        error: t('login.failed'),
        login,
      });
      return;
    }
    await op.interactionFinished(
      ctx.req,
      ctx.res,
      { login: { accountId: account.id, amr: ['pwd'], acr: 'urn:pass:acr:pwd', remember: true } },
      { mergeWithLastSubmission: false },
    );
    ctx.respond = false;
  });

  router.post('/:uid/consent', body, async (ctx) => {
    const op = provider();
    const details = await loadDetails(ctx, op);
    if (!details || (await rejectForgery(ctx, details.uid))) return;
    const form = ctx.request.body as Record<string, unknown>;
    if (form.decision !== 'allow') {
      await op.interactionFinished(ctx.req, ctx.res, { error: 'access_denied', error_description: 'the resident declined' }, { mergeWithLastSubmission: true });
      ctx.respond = false;
      return;
    }
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
    await op.interactionFinished(ctx.req, ctx.res, { consent: { grantId } }, { mergeWithLastSubmission: true });
    ctx.respond = false;
  });

  return router;
}

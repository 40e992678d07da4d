import type { Context } from 'koa';
import type { Configuration, KoaContextWithOIDC } from 'oidc-provider';
import { render } from '../../http/render.ts';
import { MESSAGES } from './messages.ts';
import { OUTAGE_MESSAGE } from '../../http/outage.ts';
import { pickLanguage } from '../../http/i18n.ts';

/**
 * The pages oidc-provider renders itself (device flow, logout, errors), in PASS's look and
 * language. oidc-provider passes its own <form> markup; PASS takes the action and the xsrf value
 * from it and renders its own accessible form, with no inline script (the CSP forbids it).
 */
function formParts(form: string): { action: string; xsrf: string } {
  const action = /action="([^"]+)"/.exec(form)?.[1] ?? '';
  const xsrf = /name="xsrf" value="([^"]+)"/.exec(form)?.[1] ?? '';
  return { action: action.replace(/&amp;/g, '&'), xsrf };
}

async function page(ctx: KoaContextWithOIDC, view: string, locals: Record<string, unknown>): Promise<void> {
  await render(ctx as unknown as Context, view, MESSAGES, { here: ctx.path, error: null, notice: null, ...locals });
}

function clientLabel(ctx: KoaContextWithOIDC): string {
  const client = ctx.oidc?.client;
  return client ? String(client.clientName ?? client.clientId) : '';
}

type DeviceFlow = NonNullable<NonNullable<Configuration['features']>['deviceFlow']>;
type Logout = NonNullable<NonNullable<Configuration['features']>['rpInitiatedLogout']>;

export const userCodeInputSource: NonNullable<DeviceFlow['userCodeInputSource']> = async (ctx, form, _out, err) => {
  let error: string | null = null;
  if (err && ((err as { userCode?: unknown }).userCode || err.name === 'NoCodeError')) error = 'device.wrong';
  else if (err && err.name === 'AbortedError') error = 'device.aborted';
  else if (err) error = 'device.failed';
  await page(ctx, 'device/device', { ...formParts(form), errorKey: error });
};

export const userCodeConfirmSource: NonNullable<DeviceFlow['userCodeConfirmSource']> = async (ctx, form, _client, _deviceInfo, userCode) => {
  const userCodeValue = /name="user_code" value="([^"]+)"/.exec(form)?.[1] ?? '';
  await page(ctx, 'device/device-confirm', { ...formParts(form), userCode, userCodeValue, clientName: clientLabel(ctx) });
};

export const deviceSuccessSource: NonNullable<DeviceFlow['successSource']> = async (ctx) => {
  await page(ctx, 'device/device-success', { clientName: clientLabel(ctx) });
};

export const logoutSource: NonNullable<Logout['logoutSource']> = async (ctx, form) => {
  await page(ctx, 'interaction/logout', { ...formParts(form), clientName: clientLabel(ctx), here: '/session/end' });
};

export const postLogoutSuccessSource: NonNullable<Logout['postLogoutSuccessSource']> = async (ctx) => {
  await page(ctx, 'interaction/logout-done', { clientName: clientLabel(ctx) });
};

export const renderError: NonNullable<Configuration['renderError']> = async (ctx, out) => {
  const message = out.error === 'temporarily_unavailable' ? OUTAGE_MESSAGE[pickLanguage(ctx as unknown as Context)] : null;
  await page(ctx, 'error', { message, code: typeof out.error === 'string' ? out.error : null });
};

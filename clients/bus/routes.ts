/**
 * The demo verifier's pages and its response endpoint (docs/wallet.md, "Presenting (OpenID4VP)"):
 * the landing page 「シニア割引を使う」 makes a request and sends the browser to PASS's wallet
 * (same device) or shows it as a QR code (another phone); the wallet posts its answer to
 * /response (direct_post); the rider's browser lands on /result; /log lists what the bus received.
 */
import { randomBytes } from 'node:crypto';
import Router from '@koa/router';
import type { Context } from 'koa';
import { koaBody } from 'koa-body';
import QRCode from 'qrcode';
import { pickLanguage, type Lang } from '../../src/http/i18n.ts';
import { textOf } from '../../src/core/reasons.ts';
import { PRESENTATION_REASONS } from '../../src/wallet/sd-jwt/index.ts';
import { BUS_MESSAGES } from './messages.ts';
import { BUS_REASONS } from './reasons.ts';
import { render } from './render.ts';
import { authorizationRequest, clientIdFor, requestUrl } from './request.ts';
import { judgePresentation, presentationOf, readDirectPost, stateOf, type Verdict } from './response-check.ts';
import type { PassIssuerTrust } from './issuer-trust.ts';
import type { PendingRequests } from './pending-requests.ts';
import type { VerifierLog } from './verifier-log.ts';

export const BUS_PREFIX = '/demo/bus';
export const BUS_COOKIE = 'kaga_bus';
const COOKIE = /^[A-Za-z0-9_-]{43}$/;

export interface BusDeps {
  /** This site's public base URL (PASS's issuer + BUS_PREFIX in the demo). */
  base: string;
  /** The wallet's authorization endpoint: PASS app's /app/wallet/present. */
  walletEndpoint: string;
  trust: PassIssuerTrust;
  requests: PendingRequests<Verdict>;
  log: VerifierLog;
  secureCookies: boolean;
}

/** A refusal's words in the rider's language: the bus's own reasons, then the SD-JWT core's. */
export function reasonText(reason: string, lang: Lang): string {
  return textOf(reason, [BUS_REASONS, PRESENTATION_REASONS])?.[lang] ?? reason;
}

export function busRoutes(deps: BusDeps): Router {
  const router = new Router({ prefix: BUS_PREFIX });
  const form = koaBody({ urlencoded: true, json: false, multipart: false, text: false, formLimit: '96kb' });
  const responseUri = `${deps.base}/response`;
  const clientId = clientIdFor(responseUri);

  async function page(ctx: Context, view: string, locals: Record<string, unknown>): Promise<void> {
    await render(ctx, view, BUS_MESSAGES, { here: `${BUS_PREFIX}/`, reasonText: (reason: string) => reasonText(reason, pickLanguage(ctx)), ...locals });
  }

  function browserCookie(ctx: Context): string | undefined {
    const value = ctx.cookies.get(BUS_COOKIE, { signed: false });
    return value && COOKIE.test(value) ? value : undefined;
  }

  router.get('/', async (ctx) => {
    if (!ctx.path.endsWith('/')) return ctx.redirect(`${BUS_PREFIX}/`);
    await page(ctx, 'landing', {});
  });

  // A new request for this browser (POST: it makes state); `device=other` shows it as a QR code.
  router.post('/requests', form, async (ctx) => {
    const cookie = browserCookie(ctx) ?? randomBytes(32).toString('base64url');
    ctx.cookies.set(BUS_COOKIE, cookie, { httpOnly: true, sameSite: 'lax', secure: deps.secureCookies, path: BUS_PREFIX, signed: false, overwrite: true });
    const request = deps.requests.open(cookie);
    const url = requestUrl(deps.walletEndpoint, authorizationRequest(responseUri, request.nonce, request.state));
    if ((ctx.request.body as Record<string, unknown> | undefined)?.device !== 'other') {
      ctx.status = 303;
      return ctx.redirect(url);
    }
    const qr = await QRCode.toDataURL(url, { errorCorrectionLevel: 'L', margin: 2, width: 360 });
    await page(ctx, 'qr', { url, qr });
  });

  // The response endpoint (OpenID4VP direct_post): any wallet, from any origin, posts here.
  router.post('/response', form, async (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    ctx.set('Access-Control-Allow-Origin', '*');
    const body = (ctx.request.body ?? {}) as Record<string, unknown>;
    const state = stateOf(body);
    const request = state === undefined ? undefined : deps.requests.take(state);
    if (!request) {
      // Unknown, already answered (a replay) or expired: nobody's browser is waiting for it.
      deps.log.record({ at: new Date(), accepted: false, reason: 'request_unknown', received: {} });
      ctx.status = 400;
      ctx.body = { error: 'invalid_request', error_description: BUS_REASONS.entry('request_unknown').en, reason: 'request_unknown', message: BUS_REASONS.text('request_unknown') };
      return;
    }
    const answer = readDirectPost(body, request.state);
    let verdict: Verdict;
    if ('reason' in answer) verdict = { accepted: false, reason: answer.reason, received: {} };
    else if ('error' in answer) verdict = { accepted: false, reason: answer.error === 'access_denied' ? 'wallet_declined' : 'response_malformed', received: {} };
    else {
      const presentation = presentationOf(answer.vpToken);
      verdict = presentation === undefined
        ? { accepted: false, reason: 'response_malformed', received: {} }
        : await judgePresentation(presentation, { trust: deps.trust, audience: clientId, nonce: request.nonce, now: new Date() });
    }
    deps.log.record({ at: new Date(), accepted: verdict.accepted, reason: verdict.accepted ? null : verdict.reason, received: verdict.received });
    ctx.state.log?.info({ accepted: verdict.accepted, reason: verdict.accepted ? undefined : verdict.reason }, 'bus verifier answered');
    const code = deps.requests.settle(request, verdict);
    ctx.body = { redirect_uri: `${deps.base}/result?response_code=${code}` };
  });

  router.get('/result', async (ctx) => {
    const cookie = browserCookie(ctx);
    const code = typeof ctx.query.response_code === 'string' ? ctx.query.response_code : undefined;
    const settled = deps.requests.outcome(cookie, code);
    if (settled) {
      ctx.status = settled.verdict.accepted ? 200 : 403;
      return page(ctx, 'result', { verdict: settled.verdict });
    }
    // A response code in a browser that did not start the request: the other phone of a QR flow.
    const state = code !== undefined ? 'elsewhere' : deps.requests.waiting(cookie) ? 'pending' : 'unknown';
    await page(ctx, 'result', { verdict: null, state });
  });

  router.get('/log', async (ctx) => {
    await page(ctx, 'log', { entries: deps.log.entries() });
  });

  return router;
}

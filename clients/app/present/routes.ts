/**
 * The wallet's presentation pages in the PASS app: /app/wallet/present, the wallet's OpenID4VP
 * authorization endpoint (a verifier's page sends the resident here), and /app/wallet/history.
 * The server checks the request and draws the page; which credential answers it, what exactly the
 * verifier will receive, the presentation itself (signed by the device key) and the direct_post to
 * the verifier all happen in the phone's browser (static/present-page.js), like receiving does.
 * docs/wallet.md, "Presenting (OpenID4VP)".
 */
import Router from '@koa/router';
import type { Context } from 'koa';
import { translator, type Lang } from '../../../src/http/i18n.ts';
import { APP_MESSAGES } from '../messages.ts';
import { FAMILY_APP_MESSAGES } from '../family/messages.ts';
import type { FeatureKit } from '../feature-kit.ts';
import { walletHolderTag, WALLET_CREDENTIALS } from '../wallet/routes.ts';
import { WALLET_BASE } from '../wallet/section.ts';
import { readPresentationRequest, type PresentationRequest } from './request.ts';

const MESSAGES = { ...APP_MESSAGES, ...FAMILY_APP_MESSAGES };
export const PRESENT_PATH = `${WALLET_BASE}/present`;
export const HISTORY_PATH = `${WALLET_BASE}/history`;

/** JSON for a <script type="application/json"> block: nothing in it can close the element. */
const scriptJson = (value: unknown): string => JSON.stringify(value).replace(/</g, '\\u003c');

/** The words the page scripts need, in the page's language. */
function scriptWords(lang: Lang): Record<string, unknown> {
  const t = translator(MESSAGES, lang);
  const keys = (names: string[], prefix: string) => Object.fromEntries(names.map((name) => [name, t(`${prefix}${name}`)]));
  return {
    lang,
    types: Object.fromEntries(Object.entries(WALLET_CREDENTIALS).map(([id, vct]) => [vct, t(`wallet.type.${id}`)])),
    facts: { ...keys(['name', 'birthdate', 'gender', 'address', 'resident_of'], 'fact.'), verification: t('wallet.js.verification') },
    genders: keys(['male', 'female'], 'gender.'),
    wallet: keys(['yes', 'no', 'age_over', 'for'], 'wallet.js.'),
    self: t('wallet.receive.self'),
    words: keys(
      ['none', 'choose', 'always', 'sending', 'failed', 'refused', 'declined', 'unsupported', 'result.sent', 'result.declined', 'result.failed', 'when', 'facts', 'nothing'],
      'present.js.',
    ),
    labels: { to: t('present.to'), origin: t('present.origin') },
  };
}

/**
 * The page may reach the verifier's response URI (its direct_post), and only that origin beside
 * its own: the app's policy is `connect-src 'self'`.
 */
function allowResponseOrigin(ctx: Context, origin: string): void {
  const policy = ctx.response.get('Content-Security-Policy');
  if (typeof policy === 'string' && policy) ctx.set('Content-Security-Policy', policy.replace("connect-src 'self'", `connect-src 'self' ${origin}`));
}

function verifierName(request: PresentationRequest, lang: Lang): string | undefined {
  return request.names[lang] ?? request.names.default ?? request.names.ja ?? request.names.en;
}

export function presentAppRoutes(kit: FeatureKit): Router {
  const router = new Router({ prefix: WALLET_BASE });

  router.get('/present', async (ctx) => {
    const lang = kit.lang(ctx);
    const t = translator(MESSAGES, lang);
    // The request is checked before anything else, signed in or not: a bad one is answered alike.
    const read = readPresentationRequest(ctx.query, { allowHttp: !kit.production });
    if (!read.ok) {
      ctx.status = 400;
      return kit.page(ctx, 'present/request-refused', MESSAGES, PRESENT_PATH, { error: t(read.problem) });
    }
    const s = await kit.signedIn(ctx, 'wallet', false, { returnHere: true });
    if (!s) return;
    const { request } = read;
    allowResponseOrigin(ctx, request.origin);
    await kit.page(ctx, 'present/present', MESSAGES, PRESENT_PATH, {
      holder: walletHolderTag(s.data.user!.sub),
      name: verifierName(request, lang) ?? t('present.unnamed'),
      origin: request.origin,
      request: scriptJson(request),
      words: scriptJson(scriptWords(lang)),
    });
  });

  router.get('/history', async (ctx) => {
    const s = await kit.signedIn(ctx, 'wallet', false, { returnHere: true });
    if (!s) return;
    await kit.page(ctx, 'present/sharing-history', MESSAGES, HISTORY_PATH, { holder: walletHolderTag(s.data.user!.sub), words: scriptJson(scriptWords(kit.lang(ctx))) });
  });

  return router;
}
